"""``python -m courseforge``: the same command line as the ``courseforge`` script."""

from courseforge.cli import main

if __name__ == "__main__":
    main()
