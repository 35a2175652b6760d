"""What every package of a course holds at least, held against what an LMS takes, before anything is built.

Each package carries the course's assets (the files its screens use) beside the player's own files. An asset
set past the zip guard's limits (``model.zip_limits``: the files a zip holds without Zip64, the bytes an LMS
takes as one upload) makes every package fail ``verify`` and the LMS's upload; this says so at the reference
that passes the limit, so lint finds it with a file and line before a build spends its time.
"""

from __future__ import annotations

from collections.abc import Mapping

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.model.zip_limits import DEFAULT_LIMITS, Limits, human_size

PLAYER_FILES = 100
"""Entries a package holds besides the course's assets (its page, runtime, stylesheets, branding, manifest
and schemas): fewer than this with the built-in theme; a project theme with more is caught by ``verify``."""


def check_package_limits(assets: Mapping[str, bytes], first_use: Mapping[str, Location], fallback: Location,
                         sink: DiagnosticSink, limits: Limits = DEFAULT_LIMITS) -> None:
    """``first_use``: where each asset is first named, in course order (an asset it lacks, a branding image,
    is placed at ``fallback``)."""
    most_files = limits.max_entries - PLAYER_FILES
    ordered = [*first_use, *(path for path in assets if path not in first_use)]
    total = 0
    for count, path in enumerate(ordered, start=1):
        location = first_use.get(path, fallback)
        if count == most_files + 1:
            sink.error("package.too-many-files", f"'{path}' is file {count:,} of the course's packages: a zip "
                       f"every LMS unzips holds {limits.max_entries:,} files, {PLAYER_FILES} of them the player's",
                       location, hint="use fewer, larger files (a sprite sheet, a video instead of frames), or "
                                      "split the course")
        before, total = total, total + len(assets[path])
        if before <= limits.max_total_bytes < total:
            sink.error("package.too-large", f"with '{path}' the course's files come to {human_size(total)}, more "
                       f"than the {human_size(limits.max_total_bytes)} an LMS takes as one package", location,
                       hint="shrink large media, or host videos elsewhere and link them, or split the course")
