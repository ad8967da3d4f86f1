"""`python -m zwgk_desktop` entry point: the same as the `zwgk` console script."""

from zwgk_desktop.cli import run

if __name__ == "__main__":
    run()
