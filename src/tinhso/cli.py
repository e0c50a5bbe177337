"""The `tinhso` console command: a thin wrapper over Django's management commands.

`tinhso <command>` is `django-admin <command>` with tinhso's settings, so `tinhso migrate`,
`tinhso setup`, `tinhso demo` and `tinhso check --deploy` are one thing.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "tinhso"
    try:
        execute_from_command_line(args)
    except ImproperlyConfigured as exc:
        # Bad settings (e.g. production without SECRET_KEY): one clear line, exit code 2.
        sys.stderr.write(f"tinhso: configuration error: {exc}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
