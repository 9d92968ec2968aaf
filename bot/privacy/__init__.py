"""Personal data as the CNIL expects it: retention periods, the purge, a member's export and erasure."""
