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
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape
from jinja2.bccache import Bucket, BytecodeCache

from courseforge.cache import digest
from courseforge.model.theme import JINJA_EXTENSIONS, Theme, is_template
from courseforge.shipped_data import code_folder, keep, read_kept
from courseforge.stages.render.fallback import has_marks
from courseforge.stages.render.sections import SectionEnvironment, kept_render, reset_translations, with_translations

ENTRY_TEMPLATE = "index.html"
ENCODE_EVERY_CHARS = 1 << 16
"""Template output is joined and encoded in batches of about this many characters (a template yields many
short strings; encoding each alone would cost more than the render)."""
ENVIRONMENTS_KEPT = 8
"""Distinct template sets whose compiled environments a process keeps (a project rarely has more themes)."""
TEMPLATE_CODE_VERSION = 1
"""Bump when the environment's options change what a template compiles to (autoescape, extensions, lexing)."""
OPTIONS: dict[str, bool] = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}

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


class ShippedTemplateCode(BytecodeCache):
    """The compiled code of courseforge's own templates, kept beside courseforge's own bytecode
    (:mod:`courseforge.shipped_data`, which says why there and never in the build cache: loaded code runs).

    Compiling the built-in theme's templates is some 40 ms of every build and lint process; loading their code
    is under 1 ms. Only templates whose source is a shipped file's are kept (a project's templates never are):
    the folder holds one file per shipped template instead of growing with every project built, and a project's
    template is never executed from a file. Each file is named by what its code depends on besides the source
    (Jinja's version, the interpreter, the environment's options, the template's name) and holds the source's
    checksum, which Jinja checks: an edited template's code is compiled again and replaces its file.
    """

    def __init__(self, folder: Path | None, shipped: frozenset[str]) -> None:
        self.folder, self.shipped = folder, shipped
        self.version = digest(jinja2.__version__, sys.implementation.cache_tag, TEMPLATE_CODE_VERSION,
                              repr(sorted(OPTIONS.items())), JINJA_EXTENSIONS)

    def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Bucket:
        kept = self.folder is not None and source in self.shipped
        bucket = Bucket(environment, digest(self.version, name) if kept else "", self.get_source_checksum(source))
        if kept:
            self.load_bytecode(bucket)
        return bucket

    def path(self, bucket: Bucket) -> Path | None:
        if not bucket.key or self.folder is None:
            return None
        return self.folder / f"template-{bucket.key[:40]}.{sys.implementation.cache_tag}.jinja"

    def load_bytecode(self, bucket: Bucket) -> None:
        data = read_kept(self.path(bucket))
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        path = self.path(bucket)
        if path is not None:
            keep(path, bucket.bytecode_to_string())


def shipped_sources(theme: Theme) -> frozenset[str]:
    """The template sources of the theme's layers read from courseforge's own package data."""
    return frozenset(data.decode("utf-8") for layer in theme.layers if layer.shipped
                     for path, data in layer.files.items() if is_template(path))


@lru_cache(maxsize=ENVIRONMENTS_KEPT)
def _environment(templates: tuple[tuple[str, str], ...], shipped: frozenset[str] = frozenset()) -> Environment:
    env = SectionEnvironment(
        digest(templates),
        loader=DictLoader(dict(templates)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        extensions=list(JINJA_EXTENSIONS),
        bytecode_cache=ShippedTemplateCode(code_folder(), shipped) if shipped else None,
        **OPTIONS,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=True, pgettext=_pgettext, npgettext=_npgettext)
    return env


def theme_environment(theme: Theme) -> Environment:
    """Autoescaping, strict about undefined names, player strings translated by :func:`ui_translations`;
    the same environment for the same template sources."""
    return _environment(tuple(sorted(theme.templates().items())), shipped_sources(theme))


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


class PageBytes:
    """A page's UTF-8 bytes as the template yields it: text joined and encoded in batches, a kept section's own
    bytes taken as they are (``sections.kept_render``); and whether a fallback mark is in them, found in each
    batch and known of each kept section (a mark is a whole character: no mark lies across two pieces)."""

    def __init__(self) -> None:
        self.page = io.BytesIO()
        self.batch: list[str] = []
        self.batched = 0
        self.marked = False

    def add(self, text: str) -> None:
        kept = kept_render(text)
        if kept is not None:
            self.flush()
            self.page.write(kept.utf8)
            self.marked = self.marked or kept.marked
            return
        self.batch.append(text)
        self.batched += len(text)
        if self.batched >= ENCODE_EVERY_CHARS:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            encoded = "".join(self.batch).encode()
            self.marked = self.marked or has_marks(encoded)
            self.page.write(encoded)
            self.batch.clear()
            self.batched = 0

    def written(self) -> bytes:
        self.flush()
        return self.page.getvalue()


def render_page(theme: Theme, name: str, ui: gettext.NullTranslations, **context: object) -> tuple[bytes, bool]:
    """``name`` of the theme rendered with ``context`` as UTF-8, its player strings from ``ui``; the whole output
    never exists as one str. Also whether a fallback mark (``fallback.has_marks``) is in the bytes."""
    template = theme_environment(theme).get_template(name)
    page = PageBytes()
    with ui_translations(ui), sections_translated(ui):
        for text in template.generate(**context):
            page.add(text)
    return page.written(), page.marked


def render_template(theme: Theme, name: str, ui: gettext.NullTranslations, **context: object) -> bytes:
    """:func:`render_page`'s bytes."""
    return render_page(theme, name, ui, **context)[0]
