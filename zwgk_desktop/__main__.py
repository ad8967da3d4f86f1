"""`python -m zwgk_desktop` entry point: the same as the `zwgk` console script."""

import sys

from zwgk_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
