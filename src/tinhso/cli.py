"""The `tinhso` console command: a thin wrapper over Django's management commands.

`tinhso <command>` is `django-admin <command>` with tinhso's settings, so `tinhso migrate`,
`tinhso setup`, `tinhso demo` and `tinhso check --deploy` are one thing.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "tinhso"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
