"""The theme's templates through Jinja2, from memory: render reads nothing from disk."""

from __future__ import annotations

import gettext

from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape

from courseforge.model.theme import JINJA_EXTENSIONS, Theme

ENTRY_TEMPLATE = "index.html"


def theme_environment(theme: Theme, ui: gettext.NullTranslations) -> Environment:
    """Autoescaping, strict about undefined names, and with the player strings' translations installed."""
    env = Environment(
        loader=DictLoader(theme.templates()),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        extensions=list(JINJA_EXTENSIONS),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(ui, newstyle=True)  # type: ignore[attr-defined]
    return env
