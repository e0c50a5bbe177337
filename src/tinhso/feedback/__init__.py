"""Citizen feedback and incident reports (phản ánh, kiến nghị — PAKN).

Reports arrive from the web, Open311 clients, the hotline and the counter; routing rules assign
the responsible agency; officers handle them through one transition table with an append-only
history; deadlines come from the category with the working calendar; the reporter's satisfaction
closes or reopens them and feeds the petition metrics of the Decision 766 index.
"""
