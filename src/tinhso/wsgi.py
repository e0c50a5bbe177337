"""WSGI entry point for gunicorn (`tinhso serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")
application = get_wsgi_application()
