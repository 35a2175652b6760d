"""A catalog as the build reads it, as JSON: what a cache entry keeps so an unchanged PO file is not parsed again.

The build reads a catalog's header (language, plural forms, charset) and, of each message and obsolete entry,
its id, context, translation, flags, line and previous text; comments and locations are what translators and
``i18n`` commands read, so a build catalog leaves them out (a fifth fewer bytes, twice as fast to rebuild).
Messages are rebuilt as Babel's parser leaves them (flags already final), without running ``Message()``, which
would guess format flags from every text again.
"""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING, Any

from courseforge.i18n.update import catalog_key

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

MessageId = str | tuple[str, ...]
Row = list[Any]
"""``[context, id, string, sorted flags, line, previous ids]``; a plural id or string is a list."""


def message_row(message: Message) -> Row:
    """JSON writes a plural id or string (a tuple) as a list."""
    flags = message.flags
    return [message.context, message.id, message.string, sorted(flags) if flags else [], message.lineno,
            message.previous_id]


def _text_or_tuple(value: str | list[str]) -> MessageId:
    return value if isinstance(value, str) else tuple(value)


def message_from_row(row: Row) -> Message:
    """The message as Babel's parser left it. Fields are taken as the entry holds them: an entry is read only by
    the code that wrote it (its key carries courseforge's code) and only when its checksum holds."""
    context, message_id, string, flags, line, previous = row
    from babel.messages.catalog import Message

    message: Message = Message.__new__(Message)
    message.__dict__ = {"id": _text_or_tuple(message_id), "string": None if string is None else _text_or_tuple(string),
                        "locations": [], "flags": set(flags), "auto_comments": [], "user_comments": [],
                        "previous_id": previous, "lineno": line, "context": context}
    return message


def build_catalog_to_json(catalog: Catalog) -> dict[str, Any]:
    return {"headers": [list(pair) for pair in catalog.mime_headers], "fuzzy": bool(catalog.fuzzy),
            "messages": [message_row(message) for message in islice(catalog, 1, None)],
            "obsolete": [message_row(message) for message in catalog.obsolete.values()]}


def build_catalog_from_json(document: dict[str, Any]) -> Catalog:
    """A catalog equal to the parsed one in everything the build reads; a malformed document raises
    (``TypeError``, ``ValueError``, ``KeyError``: a cache miss)."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(fuzzy=bool(document["fuzzy"]))
    catalog.mime_headers = [(str(name), str(value)) for name, value in document["headers"]]
    messages = catalog._messages  # an entry holds no header and no repeat: what __setitem__ would do is an insert
    for row in document["messages"]:
        message = message_from_row(row)
        messages[catalog_key(message)] = message
    for row in document["obsolete"]:
        message = message_from_row(row)
        catalog.obsolete[catalog_key(message)] = message
    return catalog
