"""The JSON API (Django Ninja): /api/v1/, one error shape, session or API-key authentication."""
