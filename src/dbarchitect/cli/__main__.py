"""``python -m dbarchitect.cli``."""

from dbarchitect.cli import main

main()
