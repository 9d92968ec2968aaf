"""The JSON bodies of the web tier's APIs (pydantic models), one module per API.

Field names are French (the console's page reads them); the route modules in
``bot.web.routes`` only take and return these.
"""
