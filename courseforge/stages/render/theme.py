"""The theme's templates through Jinja2, from memory: render reads nothing from disk.

Compiling templates costs far more than rendering them, so one Environment (its compiled templates cached)
serves every render of the same template sources: every locale and every format of a build, and every build
of a long-lived process; its included templates keep their renders by what they read (``sections``). The
player strings' translations differ per render, so the gettext callables the environment holds look them up
in the render's own context variable instead of being installed into it.

A page is rendered as UTF-8 bytes, encoded as the template produces it: a 1,000-page course's ``index.html`` is
13 MB, but as one Python str (two bytes a character as soon as one character lies outside Latin-1) it would be
27 MB, and its encoding a third copy on top.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape

from courseforge.cache import digest
from courseforge.model.theme import JINJA_EXTENSIONS, Theme
from courseforge.stages.render.sections import SectionEnvironment, reset_translations, with_translations

ENTRY_TEMPLATE = "index.html"
ENCODE_EVERY_CHARS = 1 << 16
"""Template output is joined and encoded in batches of about this many characters (a template yields many
short strings; encoding each alone would cost more than the render)."""
ENVIRONMENTS_KEPT = 8
"""Distinct template sets whose compiled environments a process keeps (a project rarely has more themes)."""

_NO_TRANSLATIONS = gettext.NullTranslations()
_ui: ContextVar[gettext.NullTranslations] = ContextVar("courseforge_ui_translations", default=_NO_TRANSLATIONS)


def _gettext(message: str) -> str:
    return _ui.get().gettext(message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    return _ui.get().ngettext(singular, plural, count)


def _pgettext(context: str, message: str) -> str:
    return _ui.get().pgettext(context, message)


def _npgettext(context: str, singular: str, plural: str, count: int) -> str:
    return _ui.get().npgettext(context, singular, plural, count)


@lru_cache(maxsize=ENVIRONMENTS_KEPT)
def _environment(templates: tuple[tuple[str, str], ...]) -> Environment:
    env = SectionEnvironment(
        digest(templates),
        loader=DictLoader(dict(templates)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        extensions=list(JINJA_EXTENSIONS),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=True, pgettext=_pgettext, npgettext=_npgettext)
    return env


def theme_environment(theme: Theme) -> Environment:
    """Autoescaping, strict about undefined names, player strings translated by :func:`ui_translations`;
    the same environment for the same template sources."""
    return _environment(tuple(sorted(theme.templates().items())))


def compile_templates(theme: Theme) -> None:
    """Compile every template of the theme now: a build on several cores does it once before forking its
    workers, which would each compile them again."""
    environment = theme_environment(theme)
    for name in environment.list_templates():
        environment.get_template(name)


@contextmanager
def ui_translations(ui: gettext.NullTranslations) -> Iterator[None]:
    """The player strings' translations for the templates rendered inside this block."""
    token = _ui.set(ui)
    try:
        yield
    finally:
        _ui.reset(token)


@contextmanager
def sections_translated(ui: gettext.NullTranslations) -> Iterator[None]:
    """Sections kept in this render are keyed by ``ui``'s content (``sections``)."""
    token = with_translations(ui)
    try:
        yield
    finally:
        reset_translations(token)


def render_template(theme: Theme, name: str, ui: gettext.NullTranslations, **context: object) -> bytes:
    """``name`` of the theme rendered with ``context`` as UTF-8, its player strings from ``ui``; the whole output
    never exists as one str."""
    template = theme_environment(theme).get_template(name)
    page = io.BytesIO()
    batch: list[str] = []
    batched = 0
    with ui_translations(ui), sections_translated(ui):
        for text in template.generate(**context):
            batch.append(text)
            batched += len(text)
            if batched >= ENCODE_EVERY_CHARS:
                page.write("".join(batch).encode())
                batch.clear()
                batched = 0
    page.write("".join(batch).encode())
    return page.getvalue()
