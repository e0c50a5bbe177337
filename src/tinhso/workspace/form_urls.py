"""Printable forms 01–07 (HTML and PDF) and the register as XLSX."""

urlpatterns: list = []
