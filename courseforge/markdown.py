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
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from functools import lru_cache
from sys import getsizeof
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


LINKS_MEMOIZED = 4096
"""Link targets whose normalized form and verdict are kept: a course's pages name the same targets in every
locale (translators rarely touch a URL), and normalizing one (``mdurl``: parse, punycode, percent-encode)
is some 7% of parsing a page with links."""


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """CommonMark plus tables and strikethrough; raw HTML stays off so pages remain accessible markup. Its link
    normalizers are memoized: they are pure functions of the target's text."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(["table", "strikethrough"])
    md.normalizeLink = lru_cache(maxsize=LINKS_MEMOIZED)(md.normalizeLink)  # type: ignore[method-assign]
    md.validateLink = lru_cache(maxsize=LINKS_MEMOIZED)(md.validateLink)  # type: ignore[method-assign]
    md.normalizeLinkText = lru_cache(maxsize=LINKS_MEMOIZED)(md.normalizeLinkText)  # type: ignore[method-assign]
    return md


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


def parse_inlines(contents: Sequence[str], env: dict[str, Any] | None) -> list[Token]:
    """One new ``inline`` token per text, parsed as the inline tokens of a page whose block parse gave
    ``env`` (its references resolve; None: none): each equals the token a whole parse gives a block of that
    text."""
    state = StateCore("", parser(), {} if env is None else env)
    state.tokens = [Token("inline", "", 0, content=content, children=[]) for content in contents]
    for rule in _core_phases()[1]:
        rule(state)
    return state.tokens


def compact(values: Sequence[int]) -> array[int]:
    """Non-negative numbers in the smallest array that holds them (a page's offsets mostly fit 2 bytes each)."""
    largest = max(values, default=0)
    code = next(code for code in "BHIQ" if largest < 1 << 8 * array(code).itemsize)
    return array(code, values)


@dataclass(frozen=True, slots=True)
class Texts:
    """Strings a parse found in a source text, held as where they are in it (a start and an end offset each) or,
    for the few not in it as they are (a paragraph's lines joined without their indentation, normalized line
    ends), as themselves: a kept page structure holds no second copy of its source's text."""

    bounds: array[int]
    """Each string's start and end in the source; a start after its end, ``(i + 1, i)``: it is ``others[i]``."""
    others: tuple[str, ...]

    @classmethod
    def found_in(cls, source: str, strings: Iterable[str]) -> Texts:
        """``strings`` in document order: each is looked for after the previous one found (its first occurrence
        from there is the same text, wherever it is)."""
        bounds: list[int] = []
        others: list[str] = []
        cursor = 0
        for string in strings:
            start = source.find(string, cursor)
            if start < 0:
                bounds += (len(others) + 1, len(others))
                others.append(string)
            else:
                cursor = start + len(string)
                bounds += (start, cursor)
        return cls(compact(bounds), tuple(others))

    def __len__(self) -> int:
        return len(self.bounds) // 2

    def get(self, index: int, source: str) -> str:
        start, end = self.bounds[2 * index], self.bounds[2 * index + 1]
        return self.others[end] if start > end else source[start:end]

    def strings(self, source: str) -> list[str]:
        if self.others:
            return [self.get(index, source) for index in range(len(self))]
        bounds = self.bounds
        return [source[start:end] for start, end in zip(bounds[0::2], bounds[1::2], strict=True)]

    @property
    def weight(self) -> int:
        return getsizeof(self) + getsizeof(self.bounds) + (deep_size(self.others) if self.others else 0)


def deep_size(value: object) -> int:
    """Bytes ``value`` takes with the strings, numbers and containers in it (``sys.getsizeof`` of each)."""
    size = getsizeof(value)
    if isinstance(value, dict):
        return size + sum(deep_size(key) + deep_size(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return size + sum(map(deep_size, value))
    return size


class Slot(IntEnum):
    """Where a render of a skeleton finds an inline slot's HTML when the slot's text is the source's."""

    PARSED = 0
    """Nowhere: a render parses the slot (it has a target a render rewrites, or is a title a render may drop, or
    the skeleton is of a block parse only)."""
    HTML = 1
    """In the skeleton's HTML, at the slot's place: what a whole parse rendered (no render changes it)."""
    PLAIN = 2
    """It is the slot's text itself (plain text: a whole parse rendered it as it is, nothing escaped)."""


@dataclass(frozen=True, slots=True)
class BlockSkeleton:
    """A text's block structure, rendered: the HTML of its block tokens as one string, with the places of its
    inline slots in it. Rendering each slot's inline tokens into its place gives exactly what rendering the whole
    token stream does (a block token's HTML depends only on itself and its neighbours' kinds, never on inline
    text). A few objects a page, not one a piece: a course's kept skeletons weigh less than its text."""

    html: str
    """The block tokens' HTML, and each ``Slot.HTML`` slot's HTML in its place."""
    slots: array[int]
    """Slot i's place in ``html`` is ``html[slots[2i]:slots[2i + 1]]`` (empty but for a ``Slot.HTML`` slot)."""
    kinds: bytes
    """Each slot's ``Slot``."""
    headings: array[int]
    """Where each heading tag's level digit is in ``html`` (a page's render may move every heading's level), in
    order."""
    title_end: int
    """Where the HTML after a leading h1 starts (its tags around slot 0 start at 0); -1: no leading h1."""
    contents: Texts
    """Each slot's inline text, as the block parse gave it."""
    env: dict[str, Any] | None
    """The text's parse env (reference definitions), None when empty; read, never written."""

    @property
    def title_heading(self) -> bool:
        return self.title_end >= 0

    def kind(self, index: int) -> Slot:
        return Slot(self.kinds[index])

    @property
    def weight(self) -> int:
        """The bytes it holds (its source text aside: the shelf it is kept on holds that as its key)."""
        parts = (self, self.html, self.slots, self.kinds, self.headings)
        return sum(map(getsizeof, parts)) + self.contents.weight + (deep_size(self.env) if self.env else 0)


TARGET_TOKENS = frozenset({"image", "link_open"})
"""The inline tokens that carry a target (:func:`references_in` reads them, a render rewrites them)."""


def _slot_html(token: Token, title: bool, parsed: bool) -> tuple[Slot, str]:
    """What a skeleton keeps of an inline token: its kind of slot and the HTML to put in its place."""
    if not parsed or title or any(child.type in TARGET_TOKENS for child in token.children or ()):
        return Slot.PARSED, ""
    html = html_renderer().renderInline(token.children or [], parser().options, {})
    return (Slot.PLAIN, "") if html == token.content else (Slot.HTML, html)


def skeleton(tokens: Sequence[Token], env: dict[str, Any], source: str, parsed: bool = False) -> BlockSkeleton:
    """The skeleton of a token stream of ``source``; ``parsed``: of a whole parse (its inline tokens' children
    are rendered where no render changes them), else of :func:`parse_blocks`."""
    renderer = html_renderer()
    options = parser().options
    title = len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1"
    html: list[str] = []
    length = 0
    slots: list[int] = []
    kinds = bytearray()
    headings: list[int] = []
    contents: list[str] = []
    title_end = -1
    for index, token in enumerate(tokens):
        if token.type == "inline":
            kind, out = _slot_html(token, title and index == 1, parsed)
            slots += (length, length + len(out))
            kinds.append(kind)
            contents.append(token.content)
        else:
            rule = renderer.rules.get(token.type)
            out = rule(tokens, index, options, {}) if rule else renderer.renderToken(tokens, index, options, {})
            if token.type in ("heading_open", "heading_close"):
                headings.append(length + out.index(token.tag) + 1)
            if title and index == 2:
                title_end = length + len(out)
        html.append(out)
        length += len(out)
    return BlockSkeleton("".join(html), compact(slots), bytes(kinds), compact(headings), title_end,
                         Texts.found_in(source, contents), env or None)


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
    """A target with a scheme or a network location. Without a colon there is no scheme to split off (most
    targets: relative paths), so ``urlsplit`` is not asked."""
    if ":" not in target:
        return target.startswith("//")
    return bool(urlsplit(target).scheme) or target.startswith("//")


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
