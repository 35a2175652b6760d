"""Pages judged by their references (web, Tin Can): a page shipped in several packages of a build is parsed
once, and what each package is told is exactly what a fresh verify tells it."""

from __future__ import annotations

from courseforge.cache import MemoryStore, cache_scope
from courseforge.diagnostics import Diagnostic, DiagnosticSink
from courseforge.object_memo import active_memo
from courseforge.stages.package.zipwriter import write_zip
from courseforge.stages.verify import verify_package
from courseforge.stages.verify.pages import FEED_BYTES, PAGE_FACTS, check_references, page

TINCAN = (b'<?xml version="1.0" encoding="UTF-8"?>\n<tincan xmlns="http://projecttincan.com/tincan.xsd"><activities>'
          b'<activity id="https://example.org/course" type="http://adlnet.gov/expapi/activities/course">'
          b'<name lang="en">Course</name><launch lang="en">index.html</launch></activity></activities></tincan>')
BROKEN_PAGE = (b"<!doctype html><title>Shared</title><body>\n<img src='content/a.png'>\n<img src='content/Gone.png'>\n"
               b"<a href='/etc/passwd'>x</a>\n<a href='../up.html'>y</a><img srcset='content/a.png 1x, b.png 2x'>"
               b"<a href='#top'>top</a></body>")
CLEAN_PAGE = b"<!doctype html><title>Shared</title><img src='content/a.png'><a href='https://example.org/'>x</a>"
IMAGE = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def packages(index: bytes) -> dict[str, bytes]:
    """A web and a Tin Can package whose index.html is the same bytes (their other entries differ)."""
    files = {"index.html": index, "content/a.png": IMAGE, "content/gone.png": IMAGE}
    return {"web.zip": write_zip(files), "xapi.zip": write_zip({**files, "tincan.xml": TINCAN})}


def verdicts(zips: dict[str, bytes]) -> dict[str, tuple[tuple[Diagnostic, ...], str | None]]:
    return {name: (report.diagnostics, report.title)
            for name, data in zips.items() for report in [verify_package(name, data)]}


def test_a_shared_page_is_parsed_once_and_every_package_is_told_what_a_fresh_verify_tells_it() -> None:
    zips = packages(BROKEN_PAGE)
    fresh = verdicts(zips)  # no store: each package parses its page
    assert [d.code for d in fresh["web.zip"][0]] == ["html.file-missing", "path.absolute", "html.file-missing",
                                                     "path.parent"]
    with cache_scope(MemoryStore()):
        shared = verdicts(zips)
        memo = active_memo()
        assert memo is not None and memo.hits[PAGE_FACTS] == 1
    assert shared == fresh


def test_a_clean_shared_page_is_judged_from_its_facts() -> None:
    zips = packages(CLEAN_PAGE)
    with cache_scope(MemoryStore()):
        shared = verdicts(zips)
        memo = active_memo()
        assert memo is not None and memo.hits[PAGE_FACTS] == 1
    assert shared == verdicts(zips)
    assert shared["web.zip"] == ((), "Shared")


def test_a_page_in_another_folder_resolves_its_own_references() -> None:
    """The facts of a page are its URLs as written; each place it sits in resolves them anew."""
    data = b"<a href='a.html'>a</a>"
    at_root, in_folder = DiagnosticSink(), DiagnosticSink()
    entries = {"a.html": "a.html", "sub/p.html": "sub/p.html"}
    with cache_scope(MemoryStore()):
        check_references(page("p.zip!index.html", data), "index.html", entries, at_root)
        check_references(page("p.zip!sub/p.html", data), "sub/p.html", entries, in_folder)
    assert not at_root.items
    assert [d.message for d in in_folder] == ["<a href=\"a.html\"> in sub/p.html names a file that is not in the "
                                              "package (looked up as 'sub/a.html')"]


def test_references_are_reported_at_their_lines() -> None:
    sink = DiagnosticSink()
    check_references(page("p.zip!index.html", BROKEN_PAGE), "index.html", {"content/a.png": "content/a.png"}, sink)
    assert [(d.location.line, d.code) for d in sink.items] == [(3, "html.file-missing"), (4, "path.absolute"),
                                                               (5, "path.parent"), (5, "html.file-missing")]


def test_a_page_larger_than_what_the_parser_is_fed_at_once_is_judged_whole() -> None:
    """References on both sides of every piece boundary, each at its own line, in document order."""
    lines = [b"<!doctype html><title>Long</title><body>"]
    while sum(map(len, lines)) < 3 * FEED_BYTES:
        number = len(lines)
        lines.append(b"<p>%d <a href='content/a.png'>ok</a> <img src='gone-%d.png' alt=''></p>" % (number, number))
    data = b"\n".join(lines) + b"</body>"
    sink = DiagnosticSink()
    check_references(page("p.zip!index.html", data), "index.html", {"content/a.png": "content/a.png"}, sink)
    assert [d.location.line for d in sink.items] == list(range(2, len(lines) + 1))
    assert all(f'src="gone-{d.location.line - 1}.png"' in d.message for d in sink.items)


def test_a_damaged_page_is_reported_once_and_not_judged() -> None:
    data = bytearray(write_zip({"index.html": BROKEN_PAGE * 50, "content/a.png": IMAGE}))
    start = data.index(b"index.html") + len("index.html")  # the first local header's name, then its data
    data[start + 40] ^= 0xFF
    report = verify_package("damaged.zip", bytes(data))
    assert [d.code for d in report.diagnostics] == ["zip.corrupt"]
