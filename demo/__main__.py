"""`python -m demo`: write the demo source files and load them (the same as `python -m etl demo`)."""

import sys

from etl.cli import main

if __name__ == "__main__":
    sys.exit(main(["demo", *sys.argv[1:]]))
