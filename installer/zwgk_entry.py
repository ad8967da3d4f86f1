"""PyInstaller entry point: the bundled `zwgk` executable is the same CLI as `python -m zwgk_desktop`."""

from zwgk_desktop.cli import run

if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()  # roster files are read in a child process (services/rosters/sandbox.py)
    run()
