"""Agencies (who act), staff roles, API keys, and the one scoping rule of the platform.

`tinhso.agencies.scoping` is the only place that decides what a caller — a signed-in officer or
an API key — may see and do; every view, API endpoint and export asks it.
"""
