"""`python -m calcanim` runs the command line."""

from calcanim.cli import main

main()
