"""What the bot says: the intent registry, the diagnostic answers and the reset
replies. Decides words from facts it is given; never queries the database."""
