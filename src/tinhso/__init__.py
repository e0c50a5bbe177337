"""tinhso — the open digital-province platform (one-stop shop, service index, citizen feedback)."""

__version__ = "0.1.0"
