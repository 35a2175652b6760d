"""The lean PO reader gives exactly Babel's catalog, or steps aside.

Babel's ``read_po`` (with our ``#|`` reading) is the reference: on catalogs of every kind written by Babel's
writer and ours, the lean reader must accept the text and build the same catalog, to the last comment, flag and
line number; on arbitrary line soups (misplaced keywords, stray continuations, conflict marks, padding, CRLF, a
BOM, plural indexes past the header's) it may only answer None, and then ``parse_catalog`` reports what Babel
reports.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, write_po
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from courseforge.i18n.catalog import catalog_bytes, clean_all_flags, parse_catalog, read_with_babel
from courseforge.i18n.po_reader import read_lean

CREATED = datetime(2000, 1, 2, 3, 4, tzinfo=UTC)
READ_JUST_NOW = timedelta(hours=1)
TRICKY = ["", " ", '"', "\\", "\\n", "\n", "\t", "\r", "%s", "%(name)s", "{count}", "{", "#", "#~ ", "msgid",
          'msgstr "x"', "\u2068", "é", "日本", "\x0b", "\x1c", "\xa0", "\u2028", "a  b", "trailing ", " leading"]
TEXT = st.one_of(st.sampled_from(TRICKY), st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
                 st.lists(st.sampled_from(TRICKY), max_size=5).map("".join))
WORD = st.text("abcdefghij-_./", min_size=1, max_size=12)
FLAGS = st.sets(st.sampled_from(["fuzzy", "python-format", "python-brace-format", "c-format", "no-wrap"]))
COMMENT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=30)
LOCALES = [None, "de", "fr", "ja", "pl", "ar", "ga"]


def comparable(catalog: Catalog) -> dict[str, Any]:
    """Everything a catalog holds (header fields, each message's every attribute, in order); the creation date
    only when the file gave one (else it is the time of reading)."""
    state = {name: value for name, value in vars(catalog).items() if name not in ("_messages", "obsolete")}
    if abs(datetime.now(UTC) - catalog.creation_date) < READ_JUST_NOW:
        state.pop("creation_date")
    state["messages"] = [(key, vars(message)) for key, message in catalog._messages.items()]
    state["obsolete"] = [(key, vars(message)) for key, message in catalog.obsolete.items()]
    return state


def without_comments(state: dict[str, Any]) -> dict[str, Any]:
    """What a catalog read for the build holds: no comments, no locations (so no header comment)."""
    def entries(found: list[tuple[Any, dict[str, Any]]]) -> list[tuple[Any, dict[str, Any]]]:
        dropped = ("locations", "auto_comments", "user_comments")
        return [(key, {name: value for name, value in fields.items() if name not in dropped}) for key, fields in found]

    header = {name: value for name, value in state.items() if name != "_header_comment"}
    return {**header, "messages": entries(state["messages"]), "obsolete": entries(state["obsolete"])}


def babel_or_error(data: bytes) -> Catalog | Exception:
    """Babel's catalog, or what it raised (its syntax errors, and what its header parsing lets escape)."""
    try:
        return read_with_babel(data, None)
    except Exception as error:
        return error


def assert_lean_agrees(data: bytes, *, must_accept: bool) -> None:
    """For both flag modes: the lean catalog equals Babel's (read for the build: in all but comments), or (when
    not ``must_accept``) the lean reader declines, and declines whenever Babel fails."""
    text = data.decode("utf-8")
    for keep in (True, False):
        reference = babel_or_error(data)
        lean = read_lean(text, guess_format_flags=keep)
        for_build = read_lean(text, guess_format_flags=keep, comments=False)
        assert (for_build is None) == (lean is None)
        event(f"babel {'fails' if isinstance(reference, Exception) else 'reads'}, lean "
              f"{'declines' if lean is None else 'reads'}")
        if isinstance(reference, Exception):
            assert lean is None, reference
            continue
        if lean is None:
            assert not must_accept, text
            continue
        assert for_build is not None
        if not keep:
            clean_all_flags(reference)
            clean_all_flags(lean)
            clean_all_flags(for_build)
        assert comparable(lean) == comparable(reference)
        assert without_comments(comparable(for_build)) == without_comments(comparable(reference))


@st.composite
def messages(draw: st.DrawFn, plurals: int) -> Message:
    singular = draw(TEXT.filter(bool))
    if draw(st.booleans()):
        message_id: str | tuple[str, str] = singular
        string: str | tuple[str, ...] = draw(TEXT)
    else:
        message_id = (singular, draw(TEXT))
        string = tuple(draw(st.lists(TEXT, min_size=plurals, max_size=plurals)))
    flags = draw(FLAGS)
    previous = draw(st.lists(TEXT, max_size=2)) if "fuzzy" in flags else []
    locations = draw(st.lists(st.tuples(WORD, st.none() | st.integers(0, 999)), max_size=3))
    return Message(message_id, string, locations=locations, flags=flags,
                   auto_comments=draw(st.lists(COMMENT, max_size=2)), user_comments=draw(st.lists(COMMENT, max_size=2)),
                   previous_id=previous, context=draw(st.none() | TEXT))


@st.composite
def catalogs(draw: st.DrawFn) -> Catalog:
    catalog = Catalog(locale=draw(st.sampled_from(LOCALES)), project="course", version="1", creation_date=CREATED,
                      fuzzy=draw(st.booleans()))
    for message in draw(st.lists(messages(catalog.num_plurals), max_size=6)):
        if draw(st.integers(0, 4)) == 0:
            catalog.obsolete[catalog._key_for(message.id, message.context)] = message
        else:
            catalog[message.id] = message
    return catalog


@st.composite
def written(draw: st.DrawFn) -> bytes:
    """A catalog as our writer writes it (unwrapped, ``#|`` lines on fuzzy entries) or as Babel's does (wrapped at
    some width or not, sorted or not, its own ``#|`` lines, with or without the header)."""
    catalog = draw(catalogs())
    if draw(st.booleans()):
        return catalog_bytes(catalog, omit_header=draw(st.booleans()), keep_format_flags=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=draw(st.sampled_from([0, 12, 76])), omit_header=draw(st.booleans()),
             sort_output=draw(st.booleans()), ignore_obsolete=False, include_previous=True)
    return buffer.getvalue()


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=written())
def test_written_catalogs_are_read_as_babel_reads_them(data: bytes) -> None:
    assert_lean_agrees(data, must_accept=b"msgid" in data)


QUOTED = TEXT.map(lambda text: '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"')
LINE = st.one_of(
    st.sampled_from(["", "#", "# note", "#, fuzzy", "#, python-format, fuzzy", "#. max-length: 10", "#: a.md:3 b.md",
                     "#: a.md:x", "#-#-#-#-#", "#~", "#~ ", "#| msgid \"old\"", "#~| msgid \"old\"", "#|", '"', "x",
                     '""', " ", "\t", "\ufeff# bom", 'msgstr[9] "x"', 'msgstr[a] "x"', 'msgid "" ""', "msgid",
                     '"Language: ga\\n"', '"Plural-Forms: nplurals=1; plural=0;\\n"',
                     '"Content-Type: text/plain; charset=latin-1\\n"', '"POT-Creation-Date: nonsense\\n"']),
    st.tuples(st.sampled_from(["", "#~ ", "  ", "#~  "]),
              st.sampled_from(["msgctxt", "msgid", "msgid_plural", "msgstr", "msgstr[0]", "msgstr[1]", "msgstr[2]"]),
              st.sampled_from([" ", "  ", "\t"]), QUOTED, st.sampled_from(["", " ", "\r"]))
    .map("".join),
    st.tuples(st.sampled_from(["", "#~ "]), QUOTED).map("".join),
    st.tuples(st.sampled_from(["#", "#.", "#:", "#,", "#|", "#~|"]), COMMENT).map("".join))
HEADER = 'msgid ""\nmsgstr ""\n"Language: de\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A written catalog with a few lines inserted, dropped, repeated or replaced, or a soup of lines."""
    lines = draw(written()).decode("utf-8").split("\n")
    if draw(st.integers(0, 3)) == 0:
        return (HEADER if draw(st.booleans()) else "") + "\n".join(draw(st.lists(LINE, max_size=14)))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines)))
        change = draw(st.sampled_from(["insert", "drop", "repeat", "replace"]))
        if change == "insert" or at == len(lines):
            lines.insert(at, draw(LINE))
        elif change == "drop":
            del lines[at]
        elif change == "repeat":
            lines.insert(at, lines[at])
        else:
            lines[at] = draw(LINE)
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated())
def test_any_other_text_is_read_as_babel_reads_it_or_left_to_babel(text: str) -> None:
    assert_lean_agrees(text.encode("utf-8"), must_accept=False)


@pytest.mark.parametrize(("text", "line"), [
    ('msgid "a"\nmsgstr "b"\nmsgstr "c"\nbogus\n', 3),
    ('#-#-#-#-# merged\nmsgid "a"\nmsgstr "b"\n', 0),
    ('msgid "a"\nmsgstr "b"\n# c\n"stray"\n', 3),
    ('msgid "a"\nmsgid_plural "as"\nmsgstr[5] "x"\n', 0),
])
def test_a_broken_catalog_raises_babels_error_with_its_line(text: str, line: int) -> None:
    """Babel's message and line (the index of the line it stopped at, counted from 0)."""
    data = text.encode()
    assert read_lean(text) is None
    with pytest.raises(PoFileError) as raised:
        parse_catalog(data)
    with pytest.raises(PoFileError) as reference:
        read_with_babel(data, None)
    assert (str(raised.value), raised.value.lineno) == (str(reference.value), reference.value.lineno)
    assert raised.value.lineno == line


def test_crlf_and_a_bom_are_read_by_babel() -> None:
    crlf = b'msgid ""\r\nmsgstr ""\r\n"Language: de\\n"\r\n\r\nmsgctxt "c"\r\nmsgid "a"\r\nmsgstr "b"\r\n'
    assert read_lean(crlf.decode()) is None
    assert parse_catalog(crlf).get("a", "c").string == "b"
    with pytest.raises(PoFileError):
        parse_catalog(b"\xef\xbb\xbf" + crlf)
