"""A theme as data: read once at the edge, so render never touches the disk.

A theme is a stack of layers: courseforge's built-in ``default`` theme at the bottom and, on top, a
project's theme folder (``themes/<name>/``) that overrides any file of the layers below it. Every
template is reachable under its plain name (the topmost layer that has it) and, for Jinja inheritance,
under ``<layer>/<name>`` (``{% extends "default/partials/quiz.html" %}`` in an override); ``default/``
always names the built-in theme, even when the project's folder is also called ``default``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from courseforge.model.branding import NO_BRANDING, ResolvedBranding

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

BASE_THEME = "default"
TEMPLATE_SUFFIX = ".html"
STATIC_DIRS = ("runtime/", "theme/")
"""Theme sub-folders copied into every package unchanged."""
STYLESHEET_DIR = "theme/"
STYLESHEET_SUFFIX = ".css"
PLAYER_STYLESHEET = "theme/player.css"
"""Linked first; every other ``theme/*.css`` of the theme follows in name order."""
BRANDING_STYLESHEET = "theme/branding.css"
BRANDING_IMAGES = "theme/brand/"
RESERVED_PATHS = (BRANDING_STYLESHEET, BRANDING_IMAGES)
"""Generated from ``branding:``; a theme folder may not ship files there."""
JINJA_EXTENSIONS = ("jinja2.ext.i18n",)
"""What theme templates may use beyond plain Jinja (parsing at the edge and rendering agree on it)."""
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
    shipped: bool = False
    """Read from courseforge's own package data (its templates' compiled code may be kept beside courseforge's
    bytecode: ``render.theme``)."""


@dataclass(frozen=True)
class Theme:
    name: str
    layers: tuple[ThemeLayer, ...]
    """Bottom (the built-in default theme) to top (the project's override)."""
    ui_catalogs: Mapping[str, Catalog]
    """The built-in translations of the player's strings, by language."""
    branding: ResolvedBranding = NO_BRANDING
    """The course's branding (logo, colours, font, cover), checked; empty for an unbranded course."""

    def branded(self, branding: ResolvedBranding) -> Theme:
        return replace(self, branding=branding)

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
        """Jinja sources: plain names resolve to the topmost layer, ``<layer>/<name>`` to that layer (the
        lowest layer of that name, so ``default/`` is always the built-in theme and an override named
        ``default`` can still extend it)."""
        plain: dict[str, str] = {}
        prefixed: dict[str, str] = {}
        for layer in self.layers:
            for path, data in layer.files.items():
                if is_template(path):
                    text = data.decode("utf-8")
                    plain[path] = text
                    prefixed.setdefault(f"{layer.name}/{path}", text)
        return {**plain, **prefixed}

    def static_files(self) -> dict[str, bytes]:
        """What every package carries verbatim: the runtime scripts and stylesheets."""
        files: dict[str, bytes] = {}
        for path in self.paths():
            found = self.effective(path)
            if path.startswith(STATIC_DIRS) and found is not None:
                files[path] = found[1]
        return files

    def stylesheets(self) -> tuple[str, ...]:
        """The stylesheets index.html links, in cascade order: player.css, then the theme folder's other
        ``theme/*.css`` (not in sub-folders) by name."""
        sheets = [path for path in self.static_files() if is_linked_stylesheet(path)]
        return tuple(sorted(sheets, key=lambda path: (path != PLAYER_STYLESHEET, path)))


def is_template(path: str) -> bool:
    return path.endswith(TEMPLATE_SUFFIX) and not path.startswith(STATIC_DIRS)


def is_linked_stylesheet(path: str) -> bool:
    name = path.removeprefix(STYLESHEET_DIR)
    return path.startswith(STYLESHEET_DIR) and "/" not in name and name.endswith(STYLESHEET_SUFFIX)
