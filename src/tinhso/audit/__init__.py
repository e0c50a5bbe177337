"""The audit log: one append-only row for every state change, whoever or whatever made it."""
