"""The JSON bodies of the web tier's APIs (pydantic models), apart from the routes that use them."""
