"""Members: the keyed NIR look-up, the CSV import and the demo members."""
