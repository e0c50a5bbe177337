"""The Decision 766 service index and the province's own indicator sets."""
