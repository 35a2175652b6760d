"""HTML pages inside a package and the files they load: every local ``src``/``href`` must be an entry.

Neutral: any format's pages can be judged this way; the web format, which has no manifest listing its
files, relies on it. Pages are parsed with lxml's HTML parser (no network, no DTD), which never refuses
a page: a browser does not either. References resolve as a browser resolves them (``hrefs.resolve``),
relative to the page's folder.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import cast

from lxml import etree, html

from courseforge.diagnostics import DiagnosticSink
from courseforge.stages.verify import parse, zipguard
from courseforge.stages.verify.contents import PackageContents
from courseforge.stages.verify.hrefs import Kind, resolve

PAGE_SUFFIXES = (".html", ".htm", ".xhtml")
URL_ATTRIBUTES = ("src", "href", "poster", "data")
"""Attributes whose value is one URL (``data`` on <object>); ``srcset`` holds several."""


def is_page(entry: str) -> bool:
    return entry.lower().endswith(PAGE_SUFFIXES)


def page(path: str, data: bytes) -> parse.Manifest:
    """A page's element tree, located at ``path`` (``pkg.zip!index.html``); an empty or unreadable page is an
    empty ``<html>``, which has no references (the browser shows it blank). ``huge_tree``: libxml2's own caps
    (a text node or attribute of 10 MB, an inline data: URL) would silently cut the tree short, and the page
    is already within ``Limits.max_page_bytes``; HTML has no entities to expand."""
    parser = html.HTMLParser(no_network=True, remove_comments=True, huge_tree=True)
    try:
        root = html.document_fromstring(data, parser=parser)
    except (etree.ParserError, etree.LxmlError, ValueError):
        root = html.Element("html")
    return parse.Manifest(root, path)


def read_page(contents: PackageContents, entry: str, sink: DiagnosticSink) -> parse.Manifest | None:
    """The page ``entry`` (stored name); None when it cannot be read (integrity reported it). A page over
    ``limits.max_page_bytes`` is an empty page, its references unchecked (a warning says so): the site still
    works, so the web format still claims its entry page."""
    info = contents.archive.getinfo(entry)
    cap = contents.limits.max_page_bytes
    path = parse.manifest_path(contents.name, entry)
    if info.file_size > cap:
        sink.warning("html.too-large", f"{entry} is {zipguard.human_size(info.file_size)}; references are checked in "
                     f"pages up to {zipguard.human_size(cap)}, so this page's are not",
                     contents.at(entry), hint="split the page, or move inline data into files it loads")
        return page(path, b"")
    data = zipguard.read_bounded(contents.archive, info, cap)
    return None if data is None else page(path, data)


@dataclass(frozen=True)
class PageReference:
    element: etree._Element
    attribute: str
    url: str


def urls_of(element: etree._Element) -> Iterator[PageReference]:
    for attribute in URL_ATTRIBUTES:
        value = element.get(attribute)
        if value is not None:
            yield PageReference(element, attribute, value)
    for candidate in (element.get("srcset") or "").split(","):
        if candidate.strip():
            yield PageReference(element, "srcset", candidate.split()[0])


WITH_URLS = etree.XPath("//*[" + " or ".join(f"@{name}" for name in (*URL_ATTRIBUTES, "srcset")) + "]")
"""The elements carrying a URL, in document order, found by libxml2 (a page has thousands that carry none)."""


def references(root: etree._Element) -> Iterator[PageReference]:
    for element in cast(list[etree._Element], WITH_URLS(root)):
        yield from urls_of(element)


def folder_of(entry: str) -> tuple[str, ...]:
    folder = entry.rpartition("/")[0]
    return (folder,) if folder else ()


def check_references(page_doc: parse.Manifest, entry: str, entries: Mapping[str, str], sink: DiagnosticSink) -> None:
    """Every reference of a page that names a file of the package must name one that is there; a file: URL
    or an absolute path works only on the author's machine, and '..' above the root finds nothing."""
    folded = {name.lower(): name for name in entries}
    bases = folder_of(entry)
    for ref in references(page_doc.root):
        target = resolve(ref.url, bases)
        what = f'<{ref.element.tag} {ref.attribute}="{ref.url}"> in {entry}'
        where = page_doc.at(ref.element)
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
