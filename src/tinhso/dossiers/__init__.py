"""Dossiers (hồ sơ): receipt, workflow across agencies, deadlines, history, forms 01–07."""
