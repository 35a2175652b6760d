"""The header entry of a PO file (the ``msgstr`` of ``msgid ""``), checked field by field before a reader sees it.

Babel reads the header as an e-mail header block and hands each field to its own parser, which raise whatever
they raise (a folded ``POT-Creation-Date`` ends in an ``AttributeError``, a ``Language`` with a space in a
``ValueError``), and it drops every field after a blank line or a line that is not a field without a word. GNU
gettext reads one ``Name: value`` field a line. Each departure from that is a problem of the file: reported here
with the line that holds it (the header's own ``"..."`` line) and how to fix it, never raised.
"""

from __future__ import annotations

import codecs
import gettext
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog


FIELD = re.compile(r"([!-9;-~]+):")
"""A field's name: printable ASCII but the colon, then the colon (RFC 5322, as the e-mail parser reads it)."""
FOLD_HINT = "write each header field on one line, 'Name: value\\n' (gettext does not read folded lines)"
FIELD_HINT = "write each header line as 'Name: value\\n'; msgfmt -c and courseforge i18n init show the usual fields"
PLURAL_HINT = ("write it as courseforge i18n init writes it, e.g. 'nplurals=2; plural=(n != 1);' (the plural rule "
               "of the language from CLDR)")
CHARSET_HINT = "save the file as UTF-8 and declare 'Content-Type: text/plain; charset=UTF-8'"
MAX_PLURAL_FORMS = 6
"""CLDR's plural categories (zero, one, two, few, many, other): no language has more forms."""
HEADER_START = re.compile(r'[ \t]*msgid[ \t]+""[ \t]*$')
MSGSTR = re.compile(r'[ \t]*msgstr[ \t]+(".*")[ \t]*$')
CONTINUATION = re.compile(r'[ \t]*(".*")[ \t]*$')


@dataclass(frozen=True)
class HeaderProblem:
    """One problem of a header; ``offset``: where its line starts in the header's text."""

    offset: int
    message: str
    hint: str


class HeaderError(ValueError):
    """A header entry with problems, met while reading (a header that is not the file's first entry: the readers
    check every header before Babel parses it); ``line``: its ``msgid`` line."""

    def __init__(self, problems: list[HeaderProblem], line: int) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems
        self.line = line


def header_problems(header: str) -> list[HeaderProblem]:
    """Every problem of a header's text: folded or non-field lines, fields after a blank line, and values Babel's
    parsers refuse or read into something the build cannot use (plural forms, a charset)."""
    problems: list[HeaderProblem] = []
    offset, ended = 0, False
    for line in header.split("\n"):
        problem = line_problem(line, offset, ended)
        if problem is not None:
            problems.append(problem)
        ended = ended or not line
        offset += len(line) + 1
    return problems


def line_problem(line: str, offset: int, ended: bool) -> HeaderProblem | None:
    if not line:
        return None
    if ended:
        return HeaderProblem(offset, "a blank line in the header ends it: this field and the ones after it are not "
                             "read", "remove the empty line ('\\n' alone) from the header")
    if line[0] in " \t":
        return HeaderProblem(offset, f"header line {shown(line)} continues the field above (a folded header "
                             "field)", FOLD_HINT)
    field = FIELD.match(line)
    if field is None:
        return HeaderProblem(offset, f"header line {shown(line)} is not a field 'Name: value'", FIELD_HINT)
    name, value = field.group(1), line[field.end():].strip()
    message = value_problem(name, value)
    if message is None:
        return None
    hint = PLURAL_HINT if name.lower() == "plural-forms" else (
        CHARSET_HINT if name.lower() == "content-type" else f"correct the value of '{name}' or remove the field")
    return HeaderProblem(offset, f"header field '{name}': {message}", hint)


def value_problem(name: str, value: str) -> str | None:
    """What is wrong with one field's value as Babel reads it, or None: the field is given to Babel's own header
    reading (so its rules are the ones checked), then what the build does with plural forms and a charset."""
    from babel.messages.catalog import Catalog

    probe = Catalog()
    try:
        probe.mime_headers = [(name, value)]
    except Exception as error:  # Babel's parsers raise whatever their helpers raise on a bad value
        return f"{shown(value)} cannot be read ({error})"
    lowered = name.lower()
    if lowered == "plural-forms":
        return plural_problem(probe)
    if lowered == "content-type":
        try:
            codecs.lookup(probe.charset)
        except LookupError:
            return f"unknown charset '{probe.charset}'"
    return None


def plural_problem(catalog: Catalog) -> str | None:
    """Plural forms the build can use: one to six forms (a catalog holds that many strings an entry), and a rule
    gettext can evaluate."""
    if not 1 <= catalog.num_plurals <= MAX_PLURAL_FORMS:
        return (f"nplurals={catalog.num_plurals}: a language has one to {MAX_PLURAL_FORMS} plural forms (CLDR's "
                "categories zero, one, two, few, many, other)")
    try:
        gettext.c2py(catalog.plural_expr)
    except (ValueError, SyntaxError, RecursionError) as error:
        return f"the plural rule '{catalog.plural_expr}' is not a C expression of n ({error})"
    return None


def shown(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


@dataclass(frozen=True)
class HeaderText:
    """The header entry at the top of a PO text: its joined value, and the line each of its pieces starts on."""

    value: str
    pieces: tuple[tuple[int, int], ...]
    """(offset in ``value``, line number counted from 1) of each ``"..."`` piece, in order."""

    def line_at(self, offset: int) -> int:
        found = self.pieces[0][1]
        for start, line in self.pieces:
            if start > offset:
                break
            found = line
        return found


def numbered_lines(text: str) -> Iterator[tuple[int, str]]:
    """The lines of ``text`` with their numbers (from 1), without their line ends, read as far as asked only."""
    position, number = 0, 1
    while position < len(text):
        end = text.find("\n", position)
        end = len(text) if end < 0 else end
        yield number, text[position:end].rstrip("\r")
        position, number = end + 1, number + 1


def is_entry_line(line: str) -> bool:
    """Not blank and not a comment (an obsolete entry's ``#~`` lines are entry lines)."""
    stripped = line.lstrip()
    return bool(stripped) and (not stripped.startswith("#") or stripped.startswith("#~"))


def leading_header(text: str) -> HeaderText | None:
    """The first entry of ``text`` when it is the header (``msgid ""``, after comments and blank lines only), or
    None; an entry that does not have the usual shape is left to the reader, which reports it."""
    from babel.messages.pofile import unescape

    lines = (numbered for numbered in numbered_lines(text) if is_entry_line(numbered[1]))
    first = next(lines, None)
    if first is None or not HEADER_START.match(first[1]):
        return None
    number, line = next(lines, (0, ""))
    start = MSGSTR.match(line)
    if start is None:
        return None
    value, pieces = unescape(start.group(1)), [(0, number)]
    for number, line in lines:
        more = CONTINUATION.match(line)
        if more is None:
            break
        pieces.append((len(value), number))
        value += unescape(more.group(1))
    return HeaderText(value, tuple(pieces))
