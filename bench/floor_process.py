"""``python -m bench.floor_process INPUT REPORT``: a full build's floor in a process of its own
(:func:`bench.floor_work.main`; a module apart, so that the pickled inputs' classes are ``floor_work``'s own)."""

import sys
from pathlib import Path

from bench.floor_work import main

main(Path(sys.argv[1]), Path(sys.argv[2]))
