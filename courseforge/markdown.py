"""One Markdown dialect for the whole tool: parsing, and finding the links and images a page uses.

Validation (are targets there? alt text present?) and rendering (rewrite targets into the package) both
walk the same token stream, so they can never disagree about what a page references. (A long text's
references are memoized with its translatable blocks: ``markdown_blocks.text_references``.)

A parse is two phases, the block structure (:func:`parse_blocks`) and the inline text of each block
(:func:`parse_inlines`): a page's structure is the same in every locale, so it is parsed and rendered once
(:class:`BlockSkeleton`) and each locale parses and renders only its blocks' text.
"""

from __future__ import annotations

import posixpath
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it import __version__ as markdown_it_version
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import inline as parse_inline_rule
from markdown_it.rules_core.state_core import StateCore
from markdown_it.token import Token

DIALECT = f"markdown-it-py {markdown_it_version}"
"""In the key of everything memoized from a parse: another markdown-it-py may parse the same text otherwise,
and a cache shared between machines must not mix their results."""
MEMOIZED_FROM_CHARS = 512
"""What is parsed from a shorter text (a prompt, a choice, feedback) is not memoized: parsing it again is
faster than writing its cache entry to disk."""


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """CommonMark plus tables and strikethrough; raw HTML stays off so pages remain accessible markup."""
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(["table", "strikethrough"])


def html_renderer() -> RendererHTML:
    """The parser's renderer (``MarkdownIt`` types it by protocol; it is the HTML one)."""
    return cast(RendererHTML, parser().renderer)


@lru_cache(maxsize=1)
def _core_phases() -> tuple[list[Callable[[StateCore], None]], list[Callable[[StateCore], None]]]:
    """The parser's enabled core rules, in order, split where inline parsing begins: ``MarkdownIt.parse`` is
    exactly the first list then the second run on one state."""
    rules = parser().core.ruler.getRules("")  # what ``ParserCore.process`` runs
    split = rules.index(parse_inline_rule)  # the rules before it build the block structure (and collect the
    return rules[:split], rules[split:]  # reference definitions); the rest only read or fill inline tokens


def parse_blocks(text: str) -> tuple[list[Token], dict[str, Any]]:
    """The block tokens of ``text`` (inline tokens hold their text, not yet parsed) and the env its
    reference definitions fill: what :func:`parse_inlines` needs to finish what ``parser().parse`` does."""
    env: dict[str, Any] = {}
    state = StateCore(text, parser(), env)
    for rule in _core_phases()[0]:
        rule(state)
    return state.tokens, env


def parse_inlines(contents: Sequence[str], env: dict[str, Any]) -> list[Token]:
    """One new ``inline`` token per text, parsed as the inline tokens of a page whose block parse gave
    ``env`` (its references resolve): each equals the token a whole parse gives a block of that text."""
    state = StateCore("", parser(), env)
    state.tokens = [Token("inline", "", 0, content=content, children=[]) for content in contents]
    for rule in _core_phases()[1]:
        rule(state)
    return state.tokens


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading tag in a :class:`BlockSkeleton`: its HTML is ``before + "h<level>" + after`` (a page's render
    may move every heading's level)."""

    level: int
    opening: bool
    before: str
    after: str


Piece = str | int | Heading
"""Of a skeleton: HTML, the index of an inline slot, or a heading tag."""


@dataclass(frozen=True)
class BlockSkeleton:
    """A text's block structure, rendered: the HTML of its block tokens around its inline slots. Rendering
    each slot's inline tokens into it gives exactly what rendering the whole token stream does (a block
    token's HTML depends only on itself and its neighbours' kinds, never on inline text)."""

    pieces: tuple[Piece, ...]
    contents: tuple[str, ...]
    """Each slot's inline text, as the block parse gave it."""
    env: dict[str, Any] = field(compare=False)
    """The text's parse env (reference definitions); read, never written."""
    title_heading: bool
    """The text starts with an h1 heading: pieces 0 to 2 are its tags around slot 0."""
    rendered: tuple[str | None, ...]
    """Each slot's HTML when a whole parse gave it and no render changes it (no target in it, not a title a
    render may drop), else None: a slot of the same text needs no parse."""

    @property
    def weight(self) -> int:
        """About the bytes it holds."""
        text = sum(len(piece) for piece in self.pieces if isinstance(piece, str))
        html = sum(len(slot) for slot in self.rendered if slot is not None)
        return text + html + sum(map(len, self.contents)) + PIECE_WEIGHT * (len(self.pieces) + 2 * len(self.contents))


PIECE_WEIGHT = 72
"""Bytes a skeleton's piece or slot costs beside its text (a reference, an int or a small object)."""
SHORT_PIECE = 64
"""A skeleton's HTML this short is interned: the same closing and opening tags recur on every page."""


def _heading(out: str, token: Token) -> Heading:
    at = out.index(token.tag)
    return Heading(int(token.tag[1:]), token.nesting == 1, out[:at], out[at + len(token.tag):])


TARGET_TOKENS = frozenset({"image", "link_open"})
"""The inline tokens that carry a target (:func:`references_in` reads them, a render rewrites them)."""


def skeleton(tokens: Sequence[Token], env: dict[str, Any], parsed: bool = False) -> BlockSkeleton:
    """The skeleton of a token stream; ``parsed``: of a whole parse (its inline tokens' children are rendered
    where no render changes them), else of :func:`parse_blocks`."""
    renderer = html_renderer()
    options = parser().options
    title = len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1"
    pieces: list[Piece] = []
    run: list[str] = []
    contents: list[str] = []
    rendered: list[str | None] = []

    def close_run() -> None:
        if run:
            html = "".join(run)
            pieces.append(sys.intern(html) if len(html) < SHORT_PIECE else html)
            run.clear()

    for index, token in enumerate(tokens):
        if token.type == "inline":
            close_run()
            pieces.append(len(contents))
            fixed = parsed and not (title and index == 1) and not any(
                child.type in TARGET_TOKENS for child in token.children or ())
            rendered.append(renderer.renderInline(token.children or [], options, {}) if fixed else None)
            contents.append(token.content)
            continue
        rule = renderer.rules.get(token.type)
        out = rule(tokens, index, options, {}) if rule else renderer.renderToken(tokens, index, options, {})
        if token.type in ("heading_open", "heading_close"):
            close_run()
            pieces.append(_heading(out, token))
        else:
            run.append(out)
    close_run()
    return BlockSkeleton(tuple(pieces), tuple(contents), env, title, tuple(rendered))


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
