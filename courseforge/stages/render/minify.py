"""Minified runtime scripts and stylesheets, the scripts in one bundle: a package's runtime must stay small
(JS plus CSS at or under 20 KB gzip), while the theme's sources stay commented and readable in git.

rjsmin and rcssmin remove comments and whitespace only (no renaming, no reordering), so what runs is the
source as written, and the same input always gives the same bytes. ``/*! ... */`` comments (licences) are
kept. A file that is not UTF-8 text is shipped unchanged. The player's scripts are joined in load order
into one file: compressed together they are a fifth smaller than one by one, and one request instead of
a dozen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import rcssmin
import rjsmin

from courseforge.model.theme import STATIC_DIRS


def minify_js(text: str) -> str:
    return str(rjsmin.jsmin(text, keep_bang_comments=True))


def minify_css(text: str) -> str:
    return str(rcssmin.cssmin(text, keep_bang_comments=True))


MINIFIERS: Mapping[str, Callable[[str], str]] = {".js": minify_js, ".css": minify_css}
"""By file suffix; other files (images, fonts) are shipped as they are."""


def minifier_for(path: str) -> Callable[[str], str] | None:
    if not path.startswith(STATIC_DIRS):
        return None
    return next((minify for suffix, minify in MINIFIERS.items() if path.endswith(suffix)), None)


def minified(path: str, data: bytes) -> bytes:
    """``data`` minified when ``path`` is a theme script or stylesheet, else unchanged."""
    minify = minifier_for(path)
    if minify is None:
        return data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    return minify(text).encode("utf-8")


def minify_static(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Every theme script and stylesheet of a package minified, the rest as it is."""
    return {path: minified(path, data) for path, data in files.items()}


def bundle(files: Mapping[str, bytes], scripts: tuple[str, ...], target: str) -> dict[str, bytes]:
    """``files`` with ``scripts`` (minified already) joined in that order into ``target`` instead; each
    script is a self-contained IIFE, so joining them runs exactly what separate ``<script>`` tags would.
    The built-in theme has every script (tests/unit/test_runtime_size.py holds it to that)."""
    rest = {path: data for path, data in files.items() if path not in scripts}
    return {**rest, target: b"\n".join(files[script] for script in scripts if script in files)}
