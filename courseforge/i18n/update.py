"""Merge a template into a language's catalog: keep translations, mark changed text fuzzy, keep removed
translations as obsolete. Our own merge, because matching is by stable id (msgctxt) first:

1. same id and same source text: the translation is kept as it is;
2. same id, changed source text: the old translation is kept and marked fuzzy (stale) for review;
3. new id whose exact source text is translated elsewhere in the catalog (e.g. a block that moved when
   a paragraph was inserted above it): that translation is reused as it is;
4. anything else is new and untranslated.
Entries whose id disappeared become obsolete (``#~``) when they carry a translation.

A fuzzy entry keeps the source text its translation was made for (``previous_id``, written as ``#|``
lines), as GNU ``msgmerge --previous`` does: set when the entry becomes fuzzy, kept unchanged through
later edits while it stays fuzzy, dropped once a translator clears the flag. One difference: an entry
that was already fuzzy without a previous text gets its old source text (msgmerge leaves it without).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from courseforge.i18n.catalog import catalog_bytes

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

Key = tuple[object, str | None]


@dataclass(frozen=True)
class MergeStats:
    added: int
    removed: int
    fuzzy: int
    """Entries newly marked fuzzy because their source text changed."""

    def __str__(self) -> str:
        return f"+{self.added}/-{self.removed}/~{self.fuzzy}"


def is_translated(message: Message) -> bool:
    """Every form filled (a singular text, the build's every lookup, without making a tuple of it)."""
    string = message.string
    if isinstance(string, str) or string is None:
        return bool(string)
    return bool(string) and all(string)


def new_catalog_like(existing: Catalog, template: Catalog) -> Catalog:
    """An empty catalog with the language's header (plural forms, team, dates) and the template's project data
    (and its date where the language's header has none)."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale=existing.locale, domain=existing.domain, project=template.project,
                      version=template.version, fuzzy=False, header_comment=existing.header_comment,
                      creation_date=template.creation_date)
    catalog.mime_headers = existing.mime_headers
    catalog.project, catalog.version = template.project, template.version
    return catalog


def previous_source(old: Message) -> list[str]:
    """What a translation was made for: the original text if it was already stale, else its source."""
    if old.fuzzy and old.previous_id:
        return list(old.previous_id)
    return [str(part) for part in old.id] if isinstance(old.id, tuple | list) else [old.id]


def copy_from_template(message: Message, plurals: int) -> Message:
    from babel.messages.catalog import Message

    empty: str | tuple[str, ...] = ("",) * plurals if isinstance(message.id, tuple | list) else ""
    return Message(message.id, empty, locations=list(message.locations), flags=set(message.flags) - {"fuzzy"},
                   auto_comments=list(message.auto_comments), context=message.context)


@dataclass
class Sources:
    """The old catalog's translations, indexed the ways the merge looks them up."""

    by_key: dict[Key, Message]
    by_context: dict[str, Message]
    by_text: dict[object, Message]

    @classmethod
    def of(cls, existing: Catalog) -> Sources:
        messages = [m for m in existing if m.id] + list(existing.obsolete.values())
        return cls(
            by_key={(m.id, m.context): m for m in messages},
            by_context={m.context: m for m in messages if m.context and is_translated(m)},
            by_text={m.id: m for m in messages if is_translated(m) and not m.fuzzy},
        )


def catalog_key(message: Message) -> str | tuple[str, str]:
    """How Babel keys a message in ``Catalog.obsolete``: first msgid, plus the context when there is one."""
    first = str(message.id[0] if isinstance(message.id, tuple | list) else message.id)
    return first if message.context is None else (first, message.context)


def merge(template: Catalog, existing: Catalog) -> tuple[Catalog, MergeStats]:
    sources = Sources.of(existing)
    result = new_catalog_like(existing, template)
    added = fuzzy = 0
    wanted: set[Key] = set()
    for entry in (m for m in template if m.id):
        message = copy_from_template(entry, result.num_plurals)
        wanted.add((entry.id, entry.context))
        old = sources.by_key.get((entry.id, entry.context))
        if old is not None:
            message.string, message.user_comments = old.string, list(old.user_comments)
            if old.fuzzy:
                message.flags.add("fuzzy")
                message.previous_id = list(old.previous_id)
        elif entry.context in sources.by_context:
            stale = sources.by_context[entry.context]
            message.string, message.user_comments = stale.string, list(stale.user_comments)
            message.flags.add("fuzzy")
            message.previous_id = previous_source(stale)
            fuzzy += 1
        elif entry.id in sources.by_text:
            message.string = sources.by_text[entry.id].string
            added += 1
        else:
            added += 1
        result[entry.id] = message
    contexts = {entry.context for entry in template if entry.id and entry.context}
    removed = keep_obsolete(existing, result, wanted, contexts)
    return result, MergeStats(added, removed, fuzzy)


def keep_obsolete(existing: Catalog, result: Catalog, wanted: set[Key], contexts: set[str]) -> int:
    """Translations whose id is gone stay as obsolete entries, so no translator work is ever lost.
    An entry whose id lives on with changed text was carried over as fuzzy: it is not removed."""
    removed = 0
    for message in (m for m in existing if m.id):
        if (message.id, message.context) not in wanted and message.context not in contexts:
            removed += 1
            if is_translated(message):
                result.obsolete[catalog_key(message)] = message
    for key, message in existing.obsolete.items():
        if (message.id, message.context) not in wanted and key not in result.obsolete:
            result.obsolete[key] = message
    return removed


def needs_update(template: Catalog, catalog: Catalog, *, keep_format_flags: bool = False) -> bool:
    """Merging the template would change the catalog: it does not say what the sources say now."""
    merged, _ = merge(template, catalog)
    return (catalog_bytes(merged, keep_format_flags=keep_format_flags)
            != catalog_bytes(catalog, keep_format_flags=keep_format_flags))
