"""Reset requests: recording a request (email or letter) within the limits, its
status, and the export of letters to print."""
