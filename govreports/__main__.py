"""Run the command line as ``python -m govreports``."""

from govreports.cli import main

main()
