"""Web pages of citizen feedback (phản ánh, kiến nghị): the public filing form with phone
verification, the public list and report pages, the satisfaction survey, and the officers'
pages (workspace, hotline screen, leader overview)."""
