"""The help desk's rules, as pure functions: NIR checks, access-code rules, masking,
link tokens and French dates. No database, no network, no Rasa."""
