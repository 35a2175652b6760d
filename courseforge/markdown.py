"""One Markdown dialect for the whole tool: parsing, and finding the links and images a page uses.

Validation (are targets there? alt text present?) and rendering (rewrite targets into the package) both
walk the same token stream, so they can never disagree about what a page references. (A long text's
references are memoized with its translatable blocks: ``markdown_blocks.text_references``.)
"""

from __future__ import annotations

import posixpath
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from threading import Lock
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it import __version__ as markdown_it_version
from markdown_it.token import Token

from courseforge.object_memo import kept

DIALECT = f"markdown-it-py {markdown_it_version}"
"""In the key of everything memoized from a parse: another markdown-it-py may parse the same text otherwise,
and a cache shared between machines must not mix their results."""
MEMOIZED_FROM_CHARS = 512
"""What is parsed from a shorter text (a prompt, a choice, feedback) is not memoized: parsing it again is
faster than writing its cache entry to disk."""


PARSES_KEPT = 4
"""Token streams a validation parse hands on to the render of the same text (see :func:`parse_once`)."""


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """CommonMark plus tables and strikethrough; raw HTML stays off so pages remain accessible markup."""
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(["table", "strikethrough"])


class RecentParses:
    """The last few texts parsed for their outline, each token stream handed once to whoever parses the same
    text next (the render, which rewrites the tokens in place: a stream is never handed twice)."""

    def __init__(self) -> None:
        self._parses: OrderedDict[str, list[Token]] = OrderedDict()
        self._lock = Lock()

    def offer(self, text: str, tokens: list[Token]) -> None:
        with self._lock:
            self._parses[text] = tokens
            while len(self._parses) > PARSES_KEPT:
                self._parses.popitem(last=False)

    def take(self, text: str) -> list[Token] | None:
        with self._lock:
            return self._parses.pop(text, None)


def recent_parses() -> RecentParses:
    """The active store's (bounded by count: a few pages' tokens), or a new, empty one when none is active."""
    return kept("md-parses", DIALECT, RecentParses, lambda _: 0)


def parse_to_share(text: str) -> list[Token]:
    """Parse ``text`` for reading (an outline), and offer its tokens to the next :func:`parse_once` of it: a
    rebuild after one page's edit parses that page once for validation and rendering, not twice. (With no
    cache store active nothing is kept.)"""
    tokens = parser().parse(text)
    recent_parses().offer(text, tokens)
    return tokens


def parse_once(text: str) -> list[Token]:
    """The tokens of ``text`` to rewrite and render: those :func:`parse_to_share` left, else a parse."""
    return recent_parses().take(text) or parser().parse(text)


class RefKind(StrEnum):
    LINK = "link"
    IMAGE = "image"


@dataclass(frozen=True)
class Reference:
    kind: RefKind
    target: str
    """As written in the source."""
    alt: str
    """Alt text for images (empty when missing); link text for links."""
    line: int
    """0-based line within the Markdown text (add the body offset for a file line)."""


def is_external(target: str) -> bool:
    parts = urlsplit(target)
    return bool(parts.scheme) or target.startswith("//")


def resolve_local(base_file: str, target: str) -> tuple[str, str]:
    """Resolve a relative link/image target against the file it is written in.

    Returns (path relative to the course folder, fragment). The path is '' for a same-page fragment and
    may start with '../' when the target escapes the course.
    """
    parts = urlsplit(target)
    path = unquote(parts.path)
    if not path:
        return "", parts.fragment
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base_file), path))
    return joined, parts.fragment


def link_text(children: list[Token], start: int) -> str:
    """The text between a ``link_open`` and its ``link_close``."""
    parts: list[str] = []
    for child in children[start + 1:]:
        if child.type == "link_close":
            break
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
    return "".join(parts)


def _inline_references(token: Token, line: int) -> Iterator[Reference]:
    children = token.children or []
    for index, child in enumerate(children):
        if child.type == "image":
            yield Reference(RefKind.IMAGE, str(child.attrGet("src") or ""), child.content.strip(), line)
        elif child.type == "link_open":
            yield Reference(RefKind.LINK, str(child.attrGet("href") or ""), link_text(children, index), line)


def references(markdown_text: str) -> tuple[Reference, ...]:
    """Every link and image in the text, with the (0-based) line of the block it sits in."""
    if "[" not in markdown_text:
        return ()  # every local link or image needs a bracket; skip parsing most prompts and choices
    return references_in(parser().parse(markdown_text))


def references_in(tokens: Sequence[Token]) -> tuple[Reference, ...]:
    """:func:`references` of text already parsed."""
    found: list[Reference] = []
    for token in tokens:
        if token.type == "inline":
            line = token.map[0] if token.map else 0
            found.extend(_inline_references(token, line))
    return tuple(found)
