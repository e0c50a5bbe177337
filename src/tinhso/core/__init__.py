"""Ground floor shared by every app: the application error type and the code formats."""
