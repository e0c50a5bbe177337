"""The operations centre: the province at a glance — index, trends, rankings, targets, due and overdue dossiers."""
