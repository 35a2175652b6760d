"""A theme as data: read once at the edge, so render never touches the disk.

A theme is a stack of layers: courseforge's built-in ``default`` theme at the bottom and, on top, a
project's theme folder (``themes/<name>/``) that overrides any file of the layers below it. Every
template is reachable under its plain name (the topmost layer that has it) and, for Jinja inheritance,
under ``<layer>/<name>`` (``{% extends "default/partials/quiz.html" %}`` in an override).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from babel.messages.catalog import Catalog

BASE_THEME = "default"
TEMPLATE_SUFFIX = ".html"
STATIC_DIRS = ("runtime/", "theme/")
"""Theme sub-folders copied into every package unchanged."""
LOCALES_DIR = "locales/"
"""Theme sub-folder holding the player's built-in translations (gettext layout, domain ``ui``)."""


@dataclass(frozen=True)
class ThemeLayer:
    """One folder of a theme: its label (``default`` or the project theme's name) and its files."""

    name: str
    files: Mapping[str, bytes]
    """posix path inside the layer -> bytes."""
    display_root: str
    """How diagnostics and catalog locations name the folder (``default``, ``themes/brand``)."""


@dataclass(frozen=True)
class Theme:
    name: str
    layers: tuple[ThemeLayer, ...]
    """Bottom (the built-in default theme) to top (the project's override)."""
    ui_catalogs: Mapping[str, Catalog]
    """The built-in translations of the player's strings, by language."""

    def effective(self, path: str) -> tuple[ThemeLayer, bytes] | None:
        """The topmost layer's copy of a file."""
        for layer in reversed(self.layers):
            data = layer.files.get(path)
            if data is not None:
                return layer, data
        return None

    def paths(self) -> list[str]:
        return sorted({path for layer in self.layers for path in layer.files})

    def templates(self) -> dict[str, str]:
        """Jinja sources: plain names resolve to the topmost layer, ``<layer>/<name>`` to that layer."""
        sources: dict[str, str] = {}
        for layer in self.layers:
            for path, data in layer.files.items():
                if path.endswith(TEMPLATE_SUFFIX) and not path.startswith(STATIC_DIRS):
                    text = data.decode("utf-8")
                    sources[path] = text
                    sources[f"{layer.name}/{path}"] = text
        return sources

    def static_files(self) -> dict[str, bytes]:
        """What every package carries verbatim: the runtime scripts and stylesheets."""
        files: dict[str, bytes] = {}
        for path in self.paths():
            found = self.effective(path)
            if path.startswith(STATIC_DIRS) and found is not None:
                files[path] = found[1]
        return files
