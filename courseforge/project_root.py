"""Where a project starts: the nearest folder holding courseforge.yaml at or above a folder, like git finds
``.git``. Standard library only (``os.path``), so the command line can find the project, and the build server
serving it, before importing anything heavy (:mod:`courseforge.server.client`)."""

from __future__ import annotations

import os

CONFIG_NAME = "courseforge.yaml"


def nearest_root(start: str) -> str | None:
    """The resolved folder at or above ``start`` (resolved too) holding courseforge.yaml, else None."""
    folder = os.path.realpath(start)
    while True:
        if os.path.isfile(os.path.join(folder, CONFIG_NAME)):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
