"""One Markdown dialect for the whole tool: parsing, and finding the links and images a page uses.

Validation (are targets there? alt text present?) and rendering (rewrite targets into the package) both
walk the same token stream, so they can never disagree about what a page references. A long text's references
are memoized by its content, so lint and rebuilds parse only the pages that changed.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import astuple, dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from courseforge.cache import JSON, Codec, memoized

MEMOIZED_FROM_CHARS = 512
"""Shorter texts (prompts, choices, feedback) are parsed faster than their cache entry is written to disk."""
REFERENCES_VERSION = 1
"""Bump when :func:`find_references` would find other references in the same text (memoized results)."""


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """CommonMark plus tables and strikethrough; raw HTML stays off so pages remain accessible markup."""
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(["table", "strikethrough"])


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
    if len(markdown_text) < MEMOIZED_FROM_CHARS:
        return find_references(markdown_text)
    return memoized("md-references", (REFERENCES_VERSION, markdown_text), lambda: find_references(markdown_text),
                    REFERENCES_CODEC)


def find_references(markdown_text: str) -> tuple[Reference, ...]:
    found: list[Reference] = []
    for token in parser().parse(markdown_text):
        if token.type == "inline":
            line = token.map[0] if token.map else 0
            found.extend(_inline_references(token, line))
    return tuple(found)


def _encode_references(found: tuple[Reference, ...]) -> bytes:
    return JSON.encode([astuple(reference) for reference in found])


def _decode_references(data: bytes) -> tuple[Reference, ...]:
    rows: list[list[Any]] = JSON.decode(data)
    return tuple(Reference(RefKind(kind), target, alt, line) for kind, target, alt, line in rows)


REFERENCES_CODEC: Codec[tuple[Reference, ...]] = Codec(_encode_references, _decode_references)
