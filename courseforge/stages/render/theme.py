"""A theme folder through Jinja2: the templates, and the static files (runtime JS, CSS) shipped verbatim.

Everything is read through the Jinja2 loader, so render stays free of direct disk access and a theme
could come from package data or memory just as well.
"""

from __future__ import annotations

import gettext
from pathlib import Path

from jinja2 import BaseLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

STATIC_DIRS = ("runtime/", "theme/")
"""Theme sub-folders copied into the package unchanged (text files, UTF-8)."""
ENTRY_TEMPLATE = "index.html"


def theme_environment(theme_dir: Path, ui: gettext.NullTranslations) -> Environment:
    """Autoescaping, strict about undefined names, and with the player strings' translations installed."""
    env = Environment(
        loader=FileSystemLoader(theme_dir),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(ui, newstyle=True)  # type: ignore[attr-defined]
    return env


def require_loader(env: Environment) -> BaseLoader:
    if env.loader is None:
        raise ValueError("the theme environment has no loader")
    return env.loader


def static_files(env: Environment) -> dict[str, bytes]:
    """The theme's runtime and stylesheet files, by their path inside the package."""
    loader = require_loader(env)
    files: dict[str, bytes] = {}
    for name in sorted(loader.list_templates()):
        if name.startswith(STATIC_DIRS):
            source, _filename, _uptodate = loader.get_source(env, name)
            files[name] = source.encode("utf-8")
    return files
