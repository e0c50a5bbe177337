"""The demo: seeds a realistic simulated province (agencies, staff, months of dossiers)."""
