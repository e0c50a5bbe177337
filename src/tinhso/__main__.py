"""`python -m tinhso` is the `tinhso` command."""

from tinhso.cli import main

main()
