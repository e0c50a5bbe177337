"""The officer workspace and the public tracking page: server-rendered templates with htmx."""
