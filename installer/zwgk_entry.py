"""PyInstaller entry point: the bundled `zwgk` executable is the same CLI as `python -m zwgk_desktop`."""

import sys

from zwgk_desktop.cli import main

if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()  # roster files are read in a child process (services/rosters/sandbox.py)
    sys.exit(main())
