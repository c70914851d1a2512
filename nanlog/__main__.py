"""``python -m nanlog`` runs the command line."""

from nanlog.cli import main

main()
