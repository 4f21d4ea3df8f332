"""The audit trail: who did what, when, from where. Entries are only ever added (see :mod:`.models`)."""
