"""A lean reader for well-formed PO text: the catalog Babel's ``read_po`` gives, three times faster.

Babel stays the parser of record. This reader accepts only a strict shape, the one PO writers produce (every
entry: comments, then ``msgctxt``/``msgid``/``msgid_plural``/``msgstr`` lines each followed by their string
continuations, an obsolete entry with ``#~ `` on each of those lines; these lines without surrounding spaces;
UTF-8);
for anything else (CRLF line ends, a misplaced line, a plural index the header does not allow, a second header,
isolates in a location, a syntax error...) it answers None and the caller asks Babel, which reads it or reports
it with its message and line. Where it accepts, it builds what Babel builds, with Babel's own functions for the
parts that carry its semantics (``unescape``, ``Catalog.__setitem__`` which merges duplicates and reads the
header); a property test holds it to Babel's catalogs. What it saves: Babel's line-by-line state machine, and
guessing ``python-format`` flags from every text when the caller removes those flags anyway.

``#|`` lines (the previous source text of a fuzzy entry, :mod:`courseforge.i18n.catalog`) are read here too.
"""

from __future__ import annotations

import re
from itertools import groupby
from typing import Any, cast

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import unescape

from courseforge.i18n.catalog_codec import new_message
from courseforge.i18n.po_header import HeaderError, header_problems

MessageId = str | tuple[str, ...]
ASCII_SPACE = " \t\r\x0b\x0c"
"""What Babel strips from both ends of every line (``bytes.strip``), besides the newline."""
COMMENT = r"\#(?![~\-])[^\n]*\n|\#~\|[^\n]*\n"
"""A comment line (``#-`` conflict marks and ``#~`` lines are not comments), or an obsolete entry's ``#~|``."""
MORE = r'(?:(?P=obsolete)"[^\n]*"\n)*'
"""A string's continuation lines."""
ENTRY = re.compile(
    rf"(?P<comments>(?:{COMMENT}|\n)*)"
    r"(?P<obsolete>(?:\#~ )?)"
    rf'(?:msgctxt (?P<context>"[^\n]*")\n(?P<context_more>{MORE})(?P=obsolete))?'
    rf'msgid (?P<id>"[^\n]*")\n(?P<id_more>{MORE})'
    rf'(?:(?P=obsolete)msgid_plural (?P<plural>"[^\n]*")\n(?P<plural_more>{MORE}))?'
    rf'(?:(?P=obsolete)msgstr (?P<string>"[^\n]*")\n(?P<string_more>{MORE})'
    rf'|(?P<forms>(?:(?P=obsolete)msgstr\[[0-9]+\] "[^\n]*"\n{MORE})+))'
    r"\n*")
"""One entry; a singular translation's first piece has a group of its own (the common case, read directly)."""
TAIL = re.compile(rf"(?:{COMMENT}|\n)*\Z")
"""Comments after the last entry: Babel reads them (a malformed location still fails) and keeps nothing."""
PREVIOUS_PREFIXES = ("#|", "#~|")
UTF8 = "utf-8"


class ReadCatalog(Catalog):
    """A catalog read from a file, which notes each entry the file repeats (same ``msgctxt`` and ``msgid``):
    Babel merges a repeat into the first entry silently (its translation is dropped), GNU msgfmt refuses it. A
    header with problems (:mod:`courseforge.i18n.po_header`) raises :class:`HeaderError` before Babel reads it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.repeated: list[tuple[int, int]] = []
        """(line of the repeat, line of the first entry), counted as ``Message.lineno`` (the ``msgid`` line)."""

    def __setitem__(self, id: str | tuple[str, ...] | list[str], message: Message) -> None:
        first = self._messages.get(self._key_for(id, message.context)) if id else None
        if first is not None:
            self.repeated.append((message.lineno or 0, first.lineno or 0))
        elif id == "" and isinstance(message.string, str):
            problems = header_problems(message.string)
            if problems:  # before Babel reads it (it raises on some, and sizes every plural entry by it)
                raise HeaderError(problems, message.lineno or 0)
        super().__setitem__(id, message)


class NotLean(Exception):
    """The text is outside the shape this reader knows: Babel reads it."""


def previous_ids(lines: list[str]) -> list[str]:
    """``msgid``/``msgid_plural`` of a ``#|`` block (its ``msgctxt`` is the entry's own), each string joined
    from its pieces; a line that is not a keyword line continues the field before it."""
    fields: dict[str, list[str]] = {}
    current: list[str] = []
    for line in lines:
        if not line.startswith('"'):
            keyword, _, line = line.partition(" ")
            current = fields.setdefault(keyword, [])
        current.append(unescape(line.strip()))
    return ["".join(fields[keyword]) for keyword in ("msgid", "msgid_plural") if keyword in fields]


class Comments:
    """What the comment lines above one entry say, read as Babel reads them; without ``everything``, only what
    the build reads (flags, previous text), locations still checked as Babel checks them."""

    __slots__ = ("auto", "everything", "flags", "locations", "previous", "user")

    def __init__(self, block: str, everything: bool = True) -> None:
        self.locations: list[tuple[str, int | None]] = []
        self.flags: list[str] = []
        self.auto: list[str] = []
        self.user: list[str] = []
        self.previous: list[str] = []
        self.everything = everything
        for line in block.split("\n"):
            if line:
                self.read(line.rstrip(ASCII_SPACE))

    def read(self, line: str) -> None:
        prefix = line[:2]
        if prefix == "#.":
            comment = line[2:].strip()
            if comment and self.everything:
                self.auto.append(comment)
        elif prefix == "#:":
            self.read_locations(line[2:])
        elif prefix == "#,":
            self.flags.extend(flag.strip() for flag in line[2:].lstrip().split(","))
        elif line.startswith(PREVIOUS_PREFIXES):
            self.previous.append(line[line.index("|") + 1:].lstrip(ASCII_SPACE))
        elif self.everything:
            self.user.append(line[1:].strip())

    def read_locations(self, text: str) -> None:
        if "\u2068" in text or "\u2069" in text:
            raise NotLean("a location with isolates")
        if not self.everything:
            return
        for location in text.lstrip().split():
            path, colon, line = location.rpartition(":")
            if not colon:
                self.locations.append((location, None))
                continue
            try:
                self.locations.append((path, int(line)))
            except ValueError:
                continue


def read_by_build(block: str) -> bool:
    """Whether a comment block holds anything the build reads: most hold none of it (no flags, no ``#|`` lines, and
    no isolates that would make Babel refuse a location), and need not be split into lines."""
    return "#," in block or "#|" in block or "#~|" in block or "\u2068" in block or "\u2069" in block


def build_comments(block: str) -> Comments:
    """The comments the build reads."""
    return Comments(block, everything=False) if read_by_build(block) else Comments("")


def string_value(first: str, more: str, prefix: str) -> str:
    """A string written as its first piece and continuation lines (each after ``prefix``), unescaped."""
    if not more:
        return unescape(first)
    pieces = more.split("\n")
    pieces.pop()
    return "".join([unescape(first), *(unescape(piece[len(prefix):]) for piece in pieces)])


def plural_forms(block: str, prefix: str, plurals: int) -> tuple[str, ...]:
    """The ``msgstr[N]`` forms of a plural entry, each joined from its pieces; a form not written is empty."""
    forms: dict[int, list[str]] = {}
    current: list[str] = []
    for line in block.split("\n")[:-1]:
        body = line[len(prefix):]
        if body.startswith('"'):
            current.append(unescape(body))
            continue
        keyword, _, piece = body.partition(" ")
        index = int(keyword[7:-1])
        if index in forms or index >= plurals:
            raise NotLean("a plural form written twice, or one the header does not allow")
        current = forms[index] = [unescape(piece)]
    return tuple("".join(forms.get(index, ())) for index in range(plurals))


def collapsed(comments: list[str]) -> list[str]:
    """Consecutive repeats once, as ``Message()`` keeps comments."""
    return comments if len(comments) < 2 else [comment for comment, _ in groupby(comments)]


def plain_message(message_id: MessageId, string: str | tuple[str, ...], *,
                  locations: list[tuple[str, int | None]], flags: list[str], auto_comments: list[str],
                  user_comments: list[str], lineno: int | None, context: str | None) -> Message:
    """``Message()`` without its guess of format flags from the texts, for callers that remove those flags (a
    third of building a catalog of course text)."""
    message = new_message(Message, context, message_id, string, set(flags), lineno, [])
    if locations:  # a location without a line has None, as Babel's parser gives it
        message.locations = cast("list[tuple[str, int]]", locations if len(locations) < 2
                                 else list(dict.fromkeys(locations)))
    if auto_comments:
        message.auto_comments = collapsed(auto_comments)
    if user_comments:
        message.user_comments = collapsed(user_comments)
    return message


def bare_message(message_id: MessageId, string: str | tuple[str, ...], comments: Comments, line: int,
                 context: str | None) -> Message:
    """The message of an entry, without guessing format flags (the caller removes those flags)."""
    return plain_message(message_id, string, locations=comments.locations, flags=comments.flags,
                         auto_comments=comments.auto, user_comments=comments.user, lineno=line, context=context)


class LeanReader:
    """One pass over the text, entry by entry, into a catalog made as ``read_po`` makes it."""

    def __init__(self, text: str, locale: str | None, guess_format_flags: bool, comments: bool) -> None:
        self.text = text if text.endswith("\n") else text + "\n"
        self.catalog = ReadCatalog(locale=locale)
        self.guess_format_flags = guess_format_flags
        self.comments = comments
        self.line, self.line_at = 0, 0
        """Lines (``\\n``) before offset ``line_at``: line numbers are counted on, never from the start."""

    def line_of(self, offset: int) -> int:
        self.line += self.text.count("\n", self.line_at, offset)
        self.line_at = offset
        return self.line + 1

    def read(self) -> Catalog:
        position, entries = 0, 0
        add = self.add if self.comments or self.guess_format_flags else self.add_for_build
        while (entry := ENTRY.match(self.text, position)) is not None:
            add(entry)
            position, entries = entry.end(), entries + 1
        tail = TAIL.match(self.text, position)
        if tail is None or not entries:
            raise NotLean("text outside an entry")
        Comments(tail.group())
        return self.catalog

    def add_for_build(self, entry: re.Match[str]) -> None:
        """:meth:`add` for the build (no comments read, no flags guessed), which reads most entries (a singular
        entry with a context, no comment the build reads, a key not seen before) without the general steps."""
        (comments, prefix, context, context_more, singular, id_more, plural, _, string, string_more,
         _) = entry.groups()
        if (prefix or plural is not None or string is None or context is None or context_more or id_more
                or singular == '""' or read_by_build(comments)):
            self.add(entry)
            return
        key = (singular[1:-1] if "\\" not in singular else unescape(singular),
               context[1:-1] if "\\" not in context else unescape(context))
        messages = self.catalog._messages
        if key in messages:  # a repeat: merged as Babel merges it
            self.add(entry)
            return
        text = string[1:-1] if not string_more and "\\" not in string else string_value(string, string_more, prefix)
        messages[key] = new_message(Message, key[1], key[0], text, set(), self.line_of(entry.start("id")), [])

    def add(self, entry: re.Match[str]) -> None:
        prefix = entry["obsolete"]
        comments = Comments(entry["comments"]) if self.comments else build_comments(entry["comments"])
        context = entry["context"]
        if context is not None:
            context = string_value(context, entry["context_more"], prefix)
        line = self.line_of(entry.start("id"))
        singular = string_value(entry["id"], entry["id_more"], prefix)
        message_id: MessageId = singular
        string: str | tuple[str, ...]
        if entry["plural"] is not None:
            plurals = self.catalog.num_plurals
            if entry["forms"] is None or plurals < 1:
                raise NotLean("a plural entry without msgstr[N] lines")
            message_id = (singular, string_value(entry["plural"], entry["plural_more"], prefix))
            string = plural_forms(entry["forms"], prefix, plurals)
        elif entry["string"] is not None:
            string = string_value(entry["string"], entry["string_more"], prefix)
        else:
            raise NotLean("msgstr[N] lines in a singular entry")
        self.keep(self.message(message_id, string, comments, line, context), prefix)

    def message(self, message_id: MessageId, string: str | tuple[str, ...], comments: Comments, line: int,
                context: str | None) -> Message:
        if self.guess_format_flags or message_id == "":
            locations = cast("list[tuple[str, int]]", comments.locations)  # None for no line, as Babel's parser
            message = Message(message_id, string, locations, comments.flags, comments.auto, comments.user,
                              lineno=line, context=context)
        else:
            message = bare_message(message_id, string, comments, line, context)
        if comments.previous:
            message.previous_id = previous_ids(comments.previous)
        return message

    def keep(self, message: Message, prefix: str) -> None:
        """Where Babel keeps an entry: obsolete ones by key (a repeat replaces), others through ``__setitem__``
        (a repeat merges; ``msgid ""`` is the header)."""
        catalog = self.catalog
        key = catalog._key_for(message.id, message.context)
        if prefix:
            catalog.obsolete[key] = message
            return
        if message.id and key not in catalog._messages:  # all __setitem__ does with a new entry
            catalog._messages[key] = message
            return
        catalog[message.id] = message
        if message.id == "" and catalog.charset != UTF8:
            raise NotLean("a header naming another charset")


def read_lean(text: str, locale: str | None = None, *, guess_format_flags: bool = True,
              comments: bool = True) -> Catalog | None:
    """The catalog of PO ``text`` (the file's bytes decoded as UTF-8, a BOM kept), as ``read_po`` and our ``#|``
    reading give it, or None when the text is not in the shape this reader knows. ``guess_format_flags``: False
    when the caller removes Babel's format flags, which need not be guessed then. ``comments``: False for the
    build, which reads no comments and no locations (its messages have none)."""
    try:
        return LeanReader(text, locale, guess_format_flags, comments).read()
    except Exception:  # NotLean, or a header Babel refuses: Babel reads the file and reports its own error
        return None
