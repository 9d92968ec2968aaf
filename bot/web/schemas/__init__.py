"""The JSON bodies of the web tier's APIs (pydantic models), one module per API.

Field names are French (the console's and the workbench's pages read them); the
route modules in ``bot.web.routes`` only take and return these.
"""
