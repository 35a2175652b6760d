"""Translation coverage, counted by us (Babel's statistics count fuzzy and empty plural forms as done)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from courseforge.i18n.update import is_translated

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

MessageKey = str | tuple[str, str]
"""How a Babel catalog files a message (``Catalog._messages``): its id (a plural's singular), with its context
when it has one."""


def message_key(message_id: str | tuple[str, ...], context: str | None) -> MessageKey:
    """The key Babel's catalog keeps a message under (``Catalog._key_for``)."""
    key = message_id if isinstance(message_id, str) else message_id[0]
    return key if context is None else (key, context)


def template_keys(template: Catalog) -> Collection[MessageKey]:
    """What a template holds, as :func:`coverage` counts it."""
    return template._messages.keys()


@dataclass(frozen=True)
class Coverage:
    domain: str
    language: str
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int
    required: float | None = None
    """Percent needed to publish (from course.yaml), when declared."""

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    def below(self, minimum: float | None) -> bool:
        floor = max(filter(None, (minimum, self.required)), default=None)
        return floor is not None and self.percent + 1e-9 < floor

    def to_json(self, minimum: float | None = None) -> dict[str, object]:
        return {"domain": self.domain, "language": self.language, "translated": self.translated,
                "fuzzy": self.fuzzy, "untranslated": self.untranslated, "obsolete": self.obsolete,
                "total": self.total, "percent": round(self.percent, 2), "required": self.required,
                "ok": not self.below(minimum)}


def coverage(entries: Collection[MessageKey], catalog: Catalog | None, domain: str, language: str,
             required: float | None = None) -> Coverage:
    """Counts against the template's entries (:func:`template_keys`), so a catalog not yet updated shows its new
    entries as untranslated.

    Translated: every form filled and not fuzzy. Fuzzy: a (stale) translation awaiting review. The template's
    entries are looked up by the keys both catalogs hold them under (Babel's: id and context), one pass.
    """
    found: dict[MessageKey, Message] = {} if catalog is None else catalog._messages
    translated = fuzzy = 0
    for key in entries:
        message = found.get(key)
        if message is None or not is_translated(message):
            continue
        if "fuzzy" in message.flags:
            fuzzy += 1
        else:
            translated += 1
    untranslated = len(entries) - translated - fuzzy
    obsolete = len(catalog.obsolete) if catalog is not None else 0
    return Coverage(domain, language, translated, fuzzy, untranslated, obsolete, required)
