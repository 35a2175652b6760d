"""Reading a theme into memory (the edge): courseforge's built-in theme from package data, and the
project's override folder from disk. Render then works from the :class:`Theme` alone."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType

from babel.messages.catalog import Catalog

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.i18n.catalog import UI_DOMAIN, parse_catalog
from courseforge.model.theme import BASE_THEME, LOCALES_DIR, Theme, ThemeLayer
from courseforge.stages.load import read_course_files

BUILTIN_THEMES = "themes"
UI_CATALOG_SUFFIX = f"/LC_MESSAGES/{UI_DOMAIN}.po"


def read_tree(folder: Traversable, prefix: str = "") -> dict[str, bytes]:
    """Every file below a package-data folder, by posix path (hidden files and caches skipped)."""
    files: dict[str, bytes] = {}
    for entry in folder.iterdir():
        if entry.name.startswith((".", "__")):
            continue
        path = f"{prefix}{entry.name}"
        if entry.is_dir():
            files.update(read_tree(entry, f"{path}/"))
        else:
            files[path] = entry.read_bytes()
    return files


@lru_cache(maxsize=4)
def builtin_layer(name: str = BASE_THEME) -> ThemeLayer:
    """A theme shipped inside courseforge (read once per process: package data does not change)."""
    folder = resources.files("courseforge") / BUILTIN_THEMES / name
    return ThemeLayer(name=name, files=MappingProxyType(read_tree(folder)), display_root=name)


def builtin_ui_catalogs(layer: ThemeLayer) -> dict[str, Catalog]:
    """The player's translations shipped with a theme: ``locales/<lang>/LC_MESSAGES/ui.po``."""
    catalogs: dict[str, Catalog] = {}
    for path, data in sorted(layer.files.items()):
        if path.startswith(LOCALES_DIR) and path.endswith(UI_CATALOG_SUFFIX):
            language = path[len(LOCALES_DIR):-len(UI_CATALOG_SUFFIX)]
            catalogs[language] = parse_catalog(data, keep_format_flags=True)
    return catalogs


@lru_cache(maxsize=4)
def _builtin_catalogs(name: str) -> MappingProxyType[str, Catalog]:
    return MappingProxyType(builtin_ui_catalogs(builtin_layer(name)))


def project_layer(themes_dir: Path, name: str, display_root: str) -> ThemeLayer | None:
    folder = themes_dir / name
    if not folder.is_dir():
        return None
    return ThemeLayer(name=name, files=MappingProxyType(read_course_files(folder)), display_root=display_root)


def load_theme(name: str, themes_dir: Path | None, display_root: str, origin: Location,
               sink: DiagnosticSink) -> Theme | None:
    """The built-in default theme with the project's ``themes/<name>/`` on top of it.

    ``theme: default`` works without any folder; another name needs its project folder.
    """
    base = builtin_layer()
    override = project_layer(themes_dir, name, f"{display_root}/{name}") if themes_dir is not None else None
    if override is None and name != BASE_THEME:
        sink.error("course.unknown-theme", f"theme '{name}' not found", origin,
                   hint=f"create the folder {display_root}/{name}/ (its files override the default theme's), "
                        "or use 'theme: default'")
        return None
    layers = (base,) if override is None else (base, override)
    return Theme(name=name, layers=layers, ui_catalogs=_builtin_catalogs(BASE_THEME))
