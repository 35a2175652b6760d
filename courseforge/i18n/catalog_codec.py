"""A catalog as the build reads it, as JSON and text: what a cache entry keeps so an unchanged PO file is not parsed
again.

The build reads a catalog's header (language, plural forms, charset) and, of each message and obsolete entry,
its id, context, translation, flags, line and previous text; comments and locations are what translators and
``i18n`` commands read, so a build catalog leaves them out (a fifth fewer bytes, twice as fast to rebuild).
Messages are rebuilt as Babel's parser leaves them (flags already final), without running ``Message()``, which
would guess format flags from every text again.

Most messages of a course catalog are plain (a context, an id and a translation, a line, no flag and no previous
text): such a message is its line in the JSON document, and its three texts go into one text apart, joined by
:data:`SEPARATOR`, which is split in one call when the entry is read (JSON writing and reading every text, each
in a row of its own, cost more than parsing the PO file did).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from courseforge.i18n.update import catalog_key

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

MessageId = str | tuple[str, ...]
Row = list[Any]
"""``[context, id, string, sorted flags, line, previous ids]``; a plural id or string is a list."""
SEPARATOR = "\x00"
"""Between plain messages' texts. No text of a catalog the build uses holds it (the input rules refuse it in a file,
and no PO escape makes it); a catalog whose texts do anyway is written in rows only."""


def message_row(message: Message) -> Row:
    """JSON writes a plural id or string (a tuple) as a list."""
    flags = message.flags
    return [message.context, message.id, message.string, sorted(flags) if flags else [], message.lineno,
            message.previous_id]


def _text_or_tuple(value: str | list[str]) -> MessageId:
    return value if isinstance(value, str) else tuple(value)


def new_message(message_class: type[Message], context: str | None, message_id: MessageId,
                string: str | tuple[str, ...] | None, flags: set[str], line: int | None,
                previous: list[str]) -> Message:
    """A message as Babel's parser leaves it (no comments, no locations), without ``Message()`` (``message_class``:
    imported by the caller). Its attributes are set one by one, in the order ``Message()`` sets them: the object
    holds them itself (a dictionary assigned to ``__dict__`` is one more object to make, and for the collector to
    scan, for each message of a catalog)."""
    message: Message = message_class.__new__(message_class)
    message.id = message_id
    message.string = string
    message.locations = []
    message.flags = flags
    message.auto_comments = []
    message.user_comments = []
    message.previous_id = previous
    message.lineno = line
    message.context = context
    return message


def message_from_row(row: Row) -> Message:
    """Fields are taken as the entry holds them: an entry is read only by the code that wrote it (its key carries
    courseforge's code) and only when its checksum holds."""
    context, message_id, string, flags, line, previous = row
    from babel.messages.catalog import Message

    return new_message(Message, context, _text_or_tuple(message_id),
                       None if string is None else _text_or_tuple(string), set(flags), line, previous)


def build_catalog_parts(catalog: Catalog) -> tuple[dict[str, Any], str]:
    """The JSON document of a catalog (a plain message is its line) and its plain messages' texts."""
    messages = catalog._messages.values()  # the header is not one of them
    texts: list[str] = []
    rows: list[int | Row] = []
    for message in messages:
        context, message_id, string, line = message.context, message.id, message.string, message.lineno
        if (isinstance(context, str) and isinstance(message_id, str) and isinstance(string, str)
                and isinstance(line, int) and not message.flags and not message.previous_id):
            texts += (context, message_id, string)
            rows.append(line)
        else:
            rows.append(message_row(message))
    joined = SEPARATOR.join(texts)
    if joined.count(SEPARATOR) != max(len(texts) - 1, 0):  # a text holds the separator
        rows, joined = [message_row(message) for message in messages], ""
    return ({"headers": [list(pair) for pair in catalog.mime_headers], "fuzzy": bool(catalog.fuzzy),
             "messages": rows, "obsolete": [message_row(message) for message in catalog.obsolete.values()]}, joined)


def build_catalog_from_parts(document: dict[str, Any], texts: str) -> Catalog:
    """A catalog equal to the parsed one in everything the build reads; a malformed document raises
    (``TypeError``, ``ValueError``, ``KeyError``: a cache miss)."""
    from babel.messages.catalog import Catalog, Message

    catalog = Catalog(fuzzy=bool(document["fuzzy"]))
    catalog.mime_headers = [(str(name), str(value)) for name, value in document["headers"]]
    rows: list[int | Row] = document["messages"]
    pieces = texts.split(SEPARATOR) if texts else []
    if len(pieces) != 3 * sum(isinstance(row, int) for row in rows):
        raise ValueError("the texts are not those of the plain messages")
    plain = iter(pieces)
    triples = zip(plain, plain, plain, strict=True)
    messages = catalog._messages  # an entry holds no header and no repeat: what __setitem__ would do is an insert
    for row in rows:
        if isinstance(row, int):
            context, message_id, string = next(triples)
            messages[(message_id, context)] = new_message(Message, context, message_id, string, set(), row, [])
        else:
            message = message_from_row(row)
            messages[catalog_key(message)] = message
    for row in document["obsolete"]:
        message = message_from_row(row)
        catalog.obsolete[catalog_key(message)] = message
    return catalog
