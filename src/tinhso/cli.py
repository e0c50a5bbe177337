"""The `tinhso` console command: a thin wrapper over Django's management commands.

`tinhso <command>` is `django-admin <command>` with tinhso's settings, so `tinhso migrate`,
`tinhso setup`, `tinhso demo` and `tinhso check --deploy` are one thing.

Settings are loaded here, before any command runs: a wrong environment variable
(`TINHSO_MAX_DUE_YEARS=abc`, `DATABASE_URL=nonsense`, production without `SECRET_KEY`) is one
line on stderr naming the variable, and exit code 2 — never a traceback.
"""

from __future__ import annotations

import os
import sys

CONFIGURATION_ERROR_EXIT = 2


def configuration_error_line(exc: BaseException) -> str:
    """The one line printed for a configuration error (`environs.EnvError` or ImproperlyConfigured)."""
    text = " ".join(str(exc).split())  # never more than one line, whatever the message holds
    return f"tinhso: configuration error: {text}"


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from environs import EnvError

    args = list(sys.argv if argv is None else argv)
    args[0] = "tinhso"
    try:
        settings.INSTALLED_APPS  # noqa: B018 — loads (and so checks) the settings now
        execute_from_command_line(args)
    except (ImproperlyConfigured, EnvError) as exc:
        sys.stderr.write(configuration_error_line(exc) + "\n")
        raise SystemExit(CONFIGURATION_ERROR_EXIT) from None


if __name__ == "__main__":
    main()
