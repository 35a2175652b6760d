"""HTML pages inside a package and the files they load: every local ``src``/``href`` must be an entry.

Neutral: any format's pages can be judged this way; the web format, which has no manifest listing its
files, relies on it. Pages are read with lxml's HTML parser (no network, no DTD), which never refuses a
page: a browser does not either. References resolve as a browser resolves them (``hrefs.resolve``),
relative to the page's folder.

A page is never held as a tree: a 1,000-page course's player page is 13 MiB, and its element tree would take
some 95 MiB. What the checks need of it (its title and the distinct URLs it names) is handed over by the parser
element by element as the page inflates, and kept by the page's identity, so the same page in several packages
of a build is parsed once. Only a page that names something wrong is read again, as a tree cut back as it
grows, for each reference's element and line.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import IO, cast

from lxml import etree, html

from courseforge.cache import JSON, Codec, KeyPart
from courseforge.diagnostics import DiagnosticSink
from courseforge.object_memo import remembered, sha256_of
from courseforge.stages.verify import parse, zipguard
from courseforge.stages.verify.contents import PackageContents
from courseforge.stages.verify.hrefs import Kind, Target, resolve

PAGE_SUFFIXES = (".html", ".htm", ".xhtml")
URL_ATTRIBUTES = ("src", "href", "poster", "data")
"""Attributes whose value is one URL (``data`` on <object>); ``srcset`` holds several."""
TITLE = "title"
URL_NAMES = (*URL_ATTRIBUTES, "srcset")
WITH_URLS = etree.XPath("//*[" + " or ".join(f"@{name}" for name in URL_NAMES) + "]")
"""The elements carrying a URL, in document order, found by libxml2 (a page has thousands that carry none)."""
PAGE_FACTS = "verify-page"
PAGE_FACTS_VERSION = 1
"""Bump when the same page would give other facts (memoized: its title, then its distinct URLs)."""
FEED_BYTES = 256 * 1024
"""How much of a page the parser is given at a time (what it holds beside the open elements)."""
PARSE_ERRORS = (etree.ParserError, etree.LxmlError, ValueError)
"""What the HTML parser raises on a page it cannot read at all (an empty one): it then has no references."""


def is_page(entry: str) -> bool:
    return entry.lower().endswith(PAGE_SUFFIXES)


@dataclass(frozen=True)
class PageReference:
    tag: str
    attribute: str
    url: str
    line: int


@dataclass(frozen=True)
class PageFacts:
    """What the checks need of a page: the text of its first <title> (None without one) and every URL it names,
    each once, in the order first named."""

    title: str | None
    urls: tuple[str, ...]


def _encode_facts(facts: PageFacts) -> bytes:
    return JSON.encode([facts.title, list(facts.urls)])


def _decode_facts(data: bytes) -> PageFacts:
    title, urls = JSON.decode(data)
    if not (title is None or isinstance(title, str)) or not all(isinstance(url, str) for url in urls):
        raise ValueError("not a page's facts")
    return PageFacts(title, tuple(urls))


FACTS: Codec[PageFacts] = Codec(_encode_facts, _decode_facts)


Pieces = Callable[[], Iterator[bytes]]
"""A page's bytes in pieces, read anew at each call; raises :class:`Unreadable` when they cannot be read."""


class Unreadable(Exception):
    """The page's entry cannot be inflated (integrity reported why): the page is not checked."""


@dataclass(frozen=True)
class Page(parse.Manifest):
    """A page located at ``path`` (``pkg.zip!index.html``), what the checks need of it, and how to read it again.
    ``root`` stands in for the page where a verifier asks for a document root: an ``<html>`` holding only its
    title (``.//title`` finds what it would in the whole page)."""

    pieces: Pieces
    facts: PageFacts


def in_pieces(data: bytes) -> Pieces:
    """A page held in memory (a test's, or one a caller read whole), in the pieces a parser is fed."""
    return lambda: (data[start:start + FEED_BYTES] for start in range(0, len(data), FEED_BYTES))


def entry_pieces(contents: PackageContents, info: zipfile.ZipInfo) -> Pieces:
    """A page entry inflated piece by piece, within the page limit."""
    def pieces() -> Iterator[bytes]:
        try:
            yield from zipguard.read_pieces(contents.archive, info, contents.limits.max_page_bytes, FEED_BYTES)
        except zipguard.READ_ERRORS as error:
            raise Unreadable(info.filename) from error
    return pieces


def page(path: str, data: bytes) -> Page:
    """The page ``data``, located at ``path``; an empty or unreadable page has no references (the browser shows
    it blank)."""
    return page_of(path, in_pieces(data), ("sha256", sha256_of(data)) if data else None)


def page_of(path: str, pieces: Pieces, identity: KeyPart) -> Page:
    """The page read from ``pieces``, its facts kept by ``identity`` (what makes two pages the same bytes: the
    same page ships in several formats of a build), or not kept when that is None."""
    def fresh() -> PageFacts:
        return facts_of(pieces)

    if identity is None:
        facts = fresh()
    else:
        key = (PAGE_FACTS_VERSION, identity)
        facts = remembered(PAGE_FACTS, key, fresh, FACTS,
                           lambda found: sum(map(len, found.urls)) + len(found.title or ""))
    root = html.Element("html")
    if facts.title is not None:
        etree.SubElement(root, TITLE).text = facts.title
    return Page(root, path, pieces, facts)


def facts_of(pieces: Pieces) -> PageFacts:
    """The page's title and distinct URLs, handed over by the parser element by element (:class:`FactsTarget`): no
    tree is built, and the parser, pulling the page as it inflates, keeps only what it has not parsed yet."""
    target = FactsTarget()
    parser = etree.HTMLParser(target=cast("etree.ParserTarget", target), huge_tree=True, no_network=True,
                              remove_comments=True)
    with suppress(*PARSE_ERRORS):
        etree.parse(cast(IO[bytes], PiecesReader(pieces())), parser)
    return PageFacts(target.title, tuple(target.urls))


class PiecesReader:
    """A file-like view of a page's pieces, read by the parser as it goes."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self.pieces = pieces
        self.left = b""

    def read(self, size: int) -> bytes:
        while not self.left:
            piece = next(self.pieces, None)
            if piece is None:
                return b""
            self.left = piece
        chunk, self.left = self.left[:size], self.left[size:]
        return chunk


class FactsTarget:
    """Parser target collecting the URLs of every element (:func:`urls_of`'s attributes) and the first <title>'s
    text up to its first child (the tree's ``.text``)."""

    def __init__(self) -> None:
        self.urls: dict[str, None] = {}
        self.title: str | None = None
        self.title_text: list[str] | None = None
        """The first title's text so far, while it is being read."""

    def start(self, tag: str, attrib: Mapping[str, str]) -> None:
        if self.title_text is not None:  # the title's first child: its text ends here
            self.end_title()
        if attrib:
            for name in URL_ATTRIBUTES:
                value = attrib.get(name)
                if value is not None:
                    self.urls[value] = None
            self.urls.update(dict.fromkeys(candidates(attrib.get("srcset") or "")))
        if tag == TITLE and self.title is None:
            self.title_text = []

    def end(self, tag: str) -> None:
        if self.title_text is not None:
            self.end_title()

    def data(self, text: str) -> None:
        if self.title_text is not None:
            self.title_text.append(text)

    def end_title(self) -> None:
        self.title = "".join(self.title_text or ())
        self.title_text = None

    def close(self) -> None:
        if self.title_text is not None:
            self.end_title()


def read_page(contents: PackageContents, entry: str, sink: DiagnosticSink) -> Page | None:
    """The page ``entry`` (stored name), parsed as it inflates; None when it cannot be read (integrity reported
    it). A page over ``limits.max_page_bytes`` is an empty page, its references unchecked (a warning says so):
    the site still works, so the web format still claims its entry page. A page is known by its entry's identity
    (``zipguard.entry_identity``): the same page in another package of the build is not parsed again."""
    info = contents.archive.getinfo(entry)
    cap = contents.limits.max_page_bytes
    path = parse.manifest_path(contents.name, entry)
    if info.file_size > cap:
        sink.warning("html.too-large", f"{entry} is {zipguard.human_size(info.file_size)}; references are checked in "
                     f"pages up to {zipguard.human_size(cap)}, so this page's are not",
                     contents.at(entry), hint="split the page, or move inline data into files it loads")
        return page(path, b"")
    identity = zipguard.entry_identity(contents.data, info) if contents.data is not None else None
    try:
        return page_of(path, entry_pieces(contents, info), None if identity is None else ("entry", *identity))
    except Unreadable:
        return None


def candidates(srcset: str) -> Iterator[str]:
    """The URLs of a ``srcset`` (each candidate's first word)."""
    for candidate in srcset.split(","):
        if candidate.strip():
            yield candidate.split()[0]


def urls_of(element: etree._Element) -> Iterator[PageReference]:
    tag, line = element.tag, parse.line_of(element)
    for attribute in URL_ATTRIBUTES:
        value = element.get(attribute)
        if value is not None:
            yield PageReference(tag, attribute, value, line)
    for url in candidates(element.get("srcset") or ""):
        yield PageReference(tag, "srcset", url, line)


def scan(pieces: Pieces) -> Iterator[PageReference]:
    """The page's references in document order, with their elements' lines."""
    for root in trees(pieces):
        for element in cast(list[etree._Element], WITH_URLS(root)):
            yield from urls_of(element)


def trees(pieces: Pieces) -> Iterator[etree._Element]:
    """The page's tree as it is parsed, after each piece and once more at the end. Between two, each element
    seen is cut: the tree keeps only the chain of elements still open (and each one's last child, where the
    parser may add text), their URLs taken off, so each element is found once and the tree never holds much
    more than one piece. The parser never moves an element it made, and appends each new one after all the
    others, so the elements come out in document order. ``huge_tree``: libxml2's own caps (a text node or
    attribute of 10 MB, an inline data: URL) would silently cut the page short, and the page is already within
    ``Limits.max_page_bytes``; HTML has no entities to expand. A page the parser cannot read at all (an empty
    one) has no tree."""
    parser = etree.HTMLPullParser(events=("start",), huge_tree=True, no_network=True, remove_comments=True)
    root: etree._Element | None = None
    try:
        for piece in pieces():
            parser.feed(piece)
            root = root_of(parser, root)
            if root is not None:
                yield root
                cut(root)
        parser.close()
    except PARSE_ERRORS:
        return
    root = root_of(parser, root)
    if root is not None:
        yield root


def root_of(parser: etree.HTMLPullParser, root: etree._Element | None) -> etree._Element | None:
    """The document's root element once the parser has opened one (its events are read only to find it)."""
    for _, element in parser.read_events():
        if root is None and isinstance(element, etree._Element):
            root = element.getroottree().getroot()
    return root


def cut(root: etree._Element) -> None:
    """Drop every element but the last child at each level of the tree's rightmost path (which holds the elements
    still open), and take the URLs off those kept: they were reported."""
    node = root
    while True:
        for name in URL_NAMES:
            node.attrib.pop(name, "")
        if not len(node):
            return
        del node[:-1]
        node = node[-1]


def folder_of(entry: str) -> tuple[str, ...]:
    folder = entry.rpartition("/")[0]
    return (folder,) if folder else ()


def is_flawed(target: Target, entries: Mapping[str, str]) -> bool:
    """Whether :func:`check_references` reports a reference resolving to ``target``."""
    if target.kind is Kind.INSIDE:
        return bool(target.path) and target.path not in entries
    return target.kind in (Kind.ABSOLUTE, Kind.PARENT)


def check_references(page_doc: Page, entry: str, entries: Mapping[str, str], sink: DiagnosticSink) -> None:
    """Every reference of a page that names a file of the package must name one that is there; a file: URL
    or an absolute path works only on the author's machine, and '..' above the root finds nothing. The
    page's distinct URLs are judged first; only when one is wrong is the page read again for every place it
    is named (each diagnostic at its element's line, in document order)."""
    bases = folder_of(entry)
    if not any(is_flawed(resolve(url, bases), entries) for url in page_doc.facts.urls):
        return
    with suppress(Unreadable):  # read whole once already: only a changed file could fail now
        report_references(page_doc, entry, entries, bases, sink)


def report_references(page_doc: Page, entry: str, entries: Mapping[str, str], bases: tuple[str, ...],
                      sink: DiagnosticSink) -> None:
    folded = {name.lower(): name for name in entries}
    for ref in scan(page_doc.pieces):
        target = resolve(ref.url, bases)
        if not is_flawed(target, entries):
            continue
        what = f'<{ref.tag} {ref.attribute}="{ref.url}"> in {entry}'
        where = page_doc.at(line=ref.line)
        if target.kind is Kind.INSIDE:
            near = folded.get(target.path.lower())
            sink.error("html.file-missing", f"{what} names a file that is not in the package"
                       + (f" (looked up as '{target.path}')" if target.path != ref.url.strip() else ""), where,
                       hint=f"the package has '{near}'; web servers treat file names as case-sensitive" if near
                       else "add the file to the zip or correct the path; it is relative to the page's folder")
        elif target.kind is Kind.ABSOLUTE:
            sink.error("path.absolute", f"{what} is an absolute path, which exists only on the author's machine "
                       "(or only when the site is served from a server's root)", where,
                       hint="write the path relative to the page's folder")
        else:
            sink.error("path.parent", f"{what} climbs above the package root with '..'", where,
                       hint="copy the file into the package and link it relative to the page")
