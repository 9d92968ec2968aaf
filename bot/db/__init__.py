"""The member database: engine factory, one session per unit of work, ORM models."""
