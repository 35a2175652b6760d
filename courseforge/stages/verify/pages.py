"""HTML pages inside a package and the files they load: every local ``src``/``href`` must be an entry.

Neutral: any format's pages can be judged this way; the web format, which has no manifest listing its
files, relies on it. Pages are read with lxml's HTML parser (no network, no DTD), which never refuses a
page: a browser does not either. References resolve as a browser resolves them (``hrefs.resolve``),
relative to the page's folder.

A page is read as a stream (``iterparse``), each element let go once it is closed: a 1,000-page course's
player page is 13 MiB, and its element tree would take some 95 MiB. What the checks need of a page (its
title and the distinct URLs it names) is kept by the page's digest, so the same page in several packages of
a build is parsed once; only a page that names something wrong is read again, for each reference's line.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass

from lxml import etree, html

from courseforge.cache import JSON, Codec, KeyPart, memoized
from courseforge.diagnostics import DiagnosticSink
from courseforge.object_memo import kept, sha256_of
from courseforge.stages.verify import parse, zipguard
from courseforge.stages.verify.contents import PackageContents
from courseforge.stages.verify.hrefs import Kind, Target, resolve

PAGE_SUFFIXES = (".html", ".htm", ".xhtml")
URL_ATTRIBUTES = ("src", "href", "poster", "data")
"""Attributes whose value is one URL (``data`` on <object>); ``srcset`` holds several."""
TITLE = "title"
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
    return lambda: (data[start:start + FEED_BYTES] for start in range(0, len(data), FEED_BYTES))


def entry_pieces(contents: PackageContents, info: zipfile.ZipInfo) -> Pieces:
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
        facts = kept(PAGE_FACTS, key, lambda: memoized(PAGE_FACTS, key, fresh, FACTS),
                     lambda found: sum(map(len, found.urls)) + len(found.title or ""))
    root = html.Element("html")
    if facts.title is not None:
        etree.SubElement(root, TITLE).text = facts.title
    return Page(root, path, pieces, facts)


def facts_of(pieces: Pieces) -> PageFacts:
    titles: list[str] = []
    urls = dict.fromkeys(ref.url for ref in scan(pieces, titles))
    return PageFacts(titles[0] if titles else None, tuple(urls))


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


def urls_of(tag: str, element: etree._Element) -> Iterator[PageReference]:
    line = parse.line_of(element)
    for attribute in URL_ATTRIBUTES:
        value = element.get(attribute)
        if value is not None:
            yield PageReference(tag, attribute, value, line)
    for candidate in (element.get("srcset") or "").split(","):
        if candidate.strip():
            yield PageReference(tag, "srcset", candidate.split()[0], line)


def scan(pieces: Pieces, titles: list[str] | None = None) -> Iterator[PageReference]:
    """The page's references in document order, read as a stream: an element's URLs when it opens, the element
    and the siblings before it dropped when it closes, so the tree never holds more than the open elements.
    ``titles`` collects the text of each <title>. ``huge_tree``: libxml2's own caps (a text node or attribute of
    10 MB, an inline data: URL) would silently cut the page short, and the page is already within
    ``Limits.max_page_bytes``; HTML has no entities to expand."""
    parser = etree.HTMLPullParser(events=("start", "end"), huge_tree=True, no_network=True, remove_comments=True)
    try:
        for piece in pieces():
            parser.feed(piece)
            yield from page_events(parser, titles)
        parser.close()
    except PARSE_ERRORS:
        return
    yield from page_events(parser, titles)


def page_events(parser: etree.HTMLPullParser, titles: list[str] | None) -> Iterator[PageReference]:
    """The references of the elements the parser has opened since it was last asked; closed ones are dropped."""
    for event, element in parser.read_events():
        if not isinstance(element, etree._Element) or not isinstance(element.tag, str):
            continue
        tag = element.tag
        if event == "start":
            if element.attrib:
                yield from urls_of(tag, element)
            continue
        if titles is not None and tag == TITLE:
            titles.append(element.text or "")
        element.clear()
        parent = element.getparent()
        if parent is not None:
            while element.getprevious() is not None:
                del parent[0]


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
        what = f'<{ref.tag} {ref.attribute}="{ref.url}"> in {entry}'
        where = page_doc.at(line=ref.line)
        if target.kind is Kind.INSIDE and target.path and target.path not in entries:
            near = folded.get(target.path.lower())
            sink.error("html.file-missing", f"{what} names a file that is not in the package"
                       + (f" (looked up as '{target.path}')" if target.path != ref.url.strip() else ""), where,
                       hint=f"the package has '{near}'; web servers treat file names as case-sensitive" if near
                       else "add the file to the zip or correct the path; it is relative to the page's folder")
        elif target.kind is Kind.ABSOLUTE:
            sink.error("path.absolute", f"{what} is an absolute path, which exists only on the author's machine "
                       "(or only when the site is served from a server's root)", where,
                       hint="write the path relative to the page's folder")
        elif target.kind is Kind.PARENT:
            sink.error("path.parent", f"{what} climbs above the package root with '..'", where,
                       hint="copy the file into the package and link it relative to the page")
