"""Translations as the build uses them: catalog lookups with visible fallbacks, for course text and for
the player's strings.

A text with no usable translation (missing, fuzzy, or stale) falls back to its source text wrapped in
Unicode isolates: course text in FSI … PDI (U+2068 … U+2069; its language is the course's source
language), player text in LRI … PDI (U+2066; the theme is written in English, left to right). The
isolates keep source text intact inside a right-to-left page, and the render stage turns them into
``<span lang>`` so screen readers switch voice; inside attributes and scripts it drops them.
"""

from __future__ import annotations

import copy
import gettext
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from courseforge.i18n.messages import SourceText
from courseforge.i18n.status import MessageKey, message_key
from courseforge.i18n.update import is_translated

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

FALLBACK_OPEN = "\u2068"
UI_FALLBACK_OPEN = "\u2066"
FALLBACK_CLOSE = "\u2069"
THEME_LANGUAGE = "en"
"""The language the theme's templates (the msgids of ui.pot) are written in."""


def mark_fallback(text: str) -> str:
    return f"{FALLBACK_OPEN}{text}{FALLBACK_CLOSE}" if text else text


def mark_ui_fallback(text: str) -> str:
    return f"{UI_FALLBACK_OPEN}{text}{FALLBACK_CLOSE}" if text else text


def usable(message: Message | None) -> bool:
    return message is not None and is_translated(message) and "fuzzy" not in message.flags  # Message.fuzzy


@dataclass
class CourseLookup:
    """Looks each course text up by (source text, id path); counts what had to fall back."""

    catalog: Catalog | None
    fallbacks: Counter[str] = field(default_factory=Counter)
    total: int = 0
    asked: set[MessageKey] = field(default_factory=set)
    """Each text's key in a catalog: what the course template holds (the same walk makes both)."""

    def __call__(self, source: SourceText) -> str:
        self.total += 1
        if source.text:
            self.asked.add(message_key(source.text, source.context))
        message = self.catalog.get(source.text, source.context) if self.catalog is not None else None
        if usable(message):
            assert message is not None
            return str(message.string)
        self.fallbacks["fuzzy" if message is not None and message.fuzzy else "untranslated"] += 1
        return mark_fallback(source.text)


class CatalogTranslations(gettext.NullTranslations):
    """gettext over a Babel catalog held in memory (no compiled .mo on disk); unusable entries fall back
    to the marked source string."""

    def __init__(self, catalog: Catalog | None, transform: Callable[[str], str] = mark_ui_fallback) -> None:
        super().__init__()
        self.catalog = catalog
        self.transform = transform
        self.plural_index = gettext.c2py(catalog.plural_expr) if catalog is not None else (lambda n: int(n != 1))

    def lookup(self, message_id: str | tuple[str, str], context: str | None) -> Message | None:
        if self.catalog is None:
            return None
        message = self.catalog.get(message_id, context)
        return message if usable(message) else None

    def gettext(self, message: str) -> str:
        return self.pgettext(None, message)

    def pgettext(self, context: str | None, message: str) -> str:
        found = self.lookup(message, context)
        return str(found.string) if found is not None else self.transform(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.npgettext(None, msgid1, msgid2, n)

    def npgettext(self, context: str | None, msgid1: str, msgid2: str, n: int) -> str:
        found = self.lookup((msgid1, msgid2), context)
        if found is not None and isinstance(found.string, tuple | list):
            index = min(self.plural_index(n), len(found.string) - 1)
            return str(found.string[index])
        return self.transform(msgid1 if n == 1 else msgid2)


def layered_catalog(base: Catalog | None, override: Catalog | None) -> Catalog | None:
    """A project's catalog over a theme's built-in one: each usable entry of the override wins, every
    other entry comes from the base (so a project can retranslate one player string, or add a language)."""
    if override is None or base is None:
        return override if base is None else base
    merged = copy.deepcopy(base)
    for message in override:
        if message.id and usable(message):
            merged.delete(message.id, message.context)  # assigning onto an entry would merge, not replace
            merged[message.id] = copy.copy(message)
    return merged
