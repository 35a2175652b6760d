"""Course Markdown to HTML for the player: the shared parser, with targets rewritten into the package.

Images point at ``content/<path>``; links to other pages become in-course navigation (``#<screen-id>``
marked ``data-cf-goto`` for the runtime); links that leave the player open a new tab, because
navigating the SCO's own frame away would end the learner's session.

Rendering a block is memoized by content (the text, the file it is written in, the link targets' digest), so each text
is rendered once per locale however many formats are built, and once per edit across rebuilds (in a long-lived
process the HTML is kept as an object too: ``object_memo``). A page body's block structure is parsed and rendered
once per course (``markdown_blocks.shared_parse``): each locale parses and renders only its blocks' text, into the
same HTML a whole parse of its body gives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from urllib.parse import quote, urlsplit

from markdown_it.token import Token
from markupsafe import Markup

from courseforge.cache import TEXT, digest, memoized
from courseforge.markdown import (
    DIALECT,
    MEMOIZED_FROM_CHARS,
    BlockSkeleton,
    html_renderer,
    is_external,
    parser,
    resolve_local,
)
from courseforge.markdown_blocks import Translation, shared_parse, translation_of
from courseforge.object_memo import kept

CONTENT_DIR = "content"
NEW_TAB_HINT_ID = "cf-new-tab-hint"
"""Id of the template's hidden "opens in a new tab" text that external links are described by."""
MD_BLOCK = "md-block"
RENDER_VERSION = 1
"""Bump when the same Markdown, base and targets would render to other HTML (memoized results)."""


@dataclass(frozen=True)
class LinkTargets:
    """What local targets may become: pages (relative path -> screen id) and packaged asset files."""

    pages: Mapping[str, str]
    assets: frozenset[str]

    @cached_property
    def digest(self) -> str:
        """Stands for both sets in a cache key (computed once per render). Both hold plain strings, sorted as
        they are: ``structured`` would sort a mapping by the digest of each key, 1 ms for a 100-page course."""
        return digest("link-targets", tuple(sorted(self.pages.items())), tuple(sorted(self.assets)))


def content_href(path: str) -> str:
    return f"{CONTENT_DIR}/{quote(path, safe='/')}"


def open_in_new_tab(token: Token) -> None:
    token.attrSet("target", "_blank")
    token.attrSet("rel", "noopener")
    token.attrSet("aria-describedby", NEW_TAB_HINT_ID)


def rewrite_link(token: Token, base: str, targets: LinkTargets) -> None:
    href = str(token.attrGet("href") or "")
    if is_external(href):
        if urlsplit(href).scheme in ("http", "https", ""):
            open_in_new_tab(token)
        return
    path, _fragment = resolve_local(base, href)
    if path in targets.pages:
        screen_id = targets.pages[path]
        token.attrSet("href", f"#{screen_id}")
        token.attrSet("data-cf-goto", screen_id)
    elif path in targets.assets:
        token.attrSet("href", content_href(path))
        open_in_new_tab(token)


def rewrite_image(token: Token, base: str, targets: LinkTargets) -> None:
    src = str(token.attrGet("src") or "")
    if is_external(src):
        return
    path, _fragment = resolve_local(base, src)
    if path in targets.assets:
        token.attrSet("src", content_href(path))


def fit_headings(tokens: Sequence[Token]) -> None:
    """Each screen's title is its only h1, so the body's top heading level becomes h2 (order kept)."""
    levels = [int(t.tag[1:]) for t in tokens if t.type == "heading_open"]
    if not levels:
        return
    offset = 2 - min(levels)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1:]) + offset, 6)}"


def rewrite(tokens: Sequence[Token], base: str, targets: LinkTargets) -> None:
    for token in tokens:
        for child in token.children or ():
            if child.type == "image":
                rewrite_image(child, base, targets)
            elif child.type == "link_open":
                rewrite_link(child, base, targets)


def plain_text(tokens: Sequence[Token]) -> str:
    """Text without markup, for places HTML cannot go (``<option>``, ``<title>``)."""
    parts: list[str] = []
    for token in tokens:
        if token.children is not None:
            parts.append(plain_text(token.children))
        elif token.type in ("text", "code_inline", "image"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def heading_edits(html: str, digits: Sequence[int]) -> list[tuple[int, int, str]]:
    """The level digits of a render's headings (their places in ``html``) moved as :func:`fit_headings` moves
    them: (start, end, new text) of each that changes."""
    if not digits:
        return []
    offset = 2 - min(int(html[at]) for at in digits)
    return [(at, at + 1, str(min(int(html[at]) + offset, 6))) for at in digits] if offset else []


def without_title(tokens: list[Token], title: str) -> list[Token]:
    """Drops a leading ``# <title>``: the screen already shows its title as the one h1."""
    if (len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1"
            and plain_text(tokens[1:2]).strip() == title.strip()):
        return tokens[3:]
    return tokens


@dataclass(frozen=True)
class MarkdownRenderer:
    """Renders course text; ``base`` is the source file the text was written in (targets resolve from it)."""

    targets: LinkTargets

    def block(self, text: str, base: str, drop_title: str | None = None) -> Markup:
        origin = translation_of(text)  # asked every time, so that none is left behind by a memoized render
        if len(text) < MEMOIZED_FROM_CHARS:
            return Markup(self.render_block(text, base, drop_title, origin))
        key = (RENDER_VERSION, DIALECT, text, base, self.targets.digest, drop_title)
        return kept(MD_BLOCK, key, lambda: Markup(memoized(MD_BLOCK, key, lambda: self.render_block(
            text, base, drop_title, origin), TEXT)), lambda html: len(text) + len(html))

    def render_block(self, text: str, base: str, drop_title: str | None = None,
                     origin: Translation | None = None) -> str:
        """``origin``: how ``text`` was localized, if it was (its source's structure is then shared)."""
        shared = shared_parse(text, origin)
        if shared is not None:
            return self.render_shared(*shared, base, drop_title)
        return self.render_parsed(parser().parse(text), base, drop_title)

    def render_parsed(self, tokens: list[Token], base: str, drop_title: str | None = None) -> str:
        """A whole parse's tokens, rewritten in place and rendered."""
        md = parser()
        if drop_title is not None:
            tokens = without_title(tokens, drop_title)
        fit_headings(tokens)
        rewrite(tokens, base, self.targets)
        return str(md.renderer.render(tokens, md.options, {}))

    def render_shared(self, skeleton: BlockSkeleton, inlines: Sequence[Token | str | None], base: str,
                      drop_title: str | None) -> str:
        """What :meth:`render_block` renders from a whole parse, from the text's skeleton and what renders each
        slot (an inline token, the slot's HTML, or None: the skeleton's HTML of it): the same title dropped, the
        same heading levels, the same rewritten targets. The skeleton's HTML is copied in runs between the places
        a render changes."""
        html, slots = skeleton.html, skeleton.slots
        title = inlines[0] if skeleton.title_heading else None  # a title's slot is always parsed
        dropped = (drop_title is not None and isinstance(title, Token)
                   and plain_text([title]).strip() == drop_title.strip())
        start = skeleton.title_end if dropped else 0
        edits = heading_edits(html, [at for at in skeleton.headings if at >= start])
        rewrite([token for token in inlines if isinstance(token, Token)], base, self.targets)
        renderer, options = html_renderer(), parser().options
        for index, slot in enumerate(inlines):
            if slot is not None and slots[2 * index] >= start:
                rendered = slot if isinstance(slot, str) else renderer.renderInline(slot.children or [], options, {})
                edits.append((slots[2 * index], slots[2 * index + 1], rendered))
        edits.sort(key=itemgetter(0))
        out: list[str] = []
        cursor = start
        for begin, end, replacement in edits:
            out += (html[cursor:begin], replacement)
            cursor = end
        out.append(html[cursor:])
        return "".join(out)

    def inline(self, text: str, base: str) -> Markup:
        """Not memoized: prompts and choices are short (see ``MEMOIZED_FROM_CHARS``)."""
        md = parser()
        tokens = md.parseInline(text)
        rewrite(tokens, base, self.targets)
        return Markup(md.renderer.render(tokens, md.options, {}))

    def optional_block(self, text: str | None, base: str) -> Markup | None:
        return self.block(text, base) if text else None

    @staticmethod
    def plain(text: str) -> str:
        return plain_text(parser().parseInline(text)).strip()
