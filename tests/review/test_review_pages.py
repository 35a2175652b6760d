"""The review LMS's pages over real HTTP (uvicorn on 127.0.0.1, httpx with a browser login): the catalog's
facts read from each package's manifest, versions, and package text shown as text, never as markup."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
from lxml import etree, html
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from courseforge.lms.review.database import Role, StoredPackage
from courseforge.lms.review.server import ReviewServer
from courseforge.lms.review.service import ReviewPaths
from courseforge.stages.preview.harness.runtime import find_runtime
from tests.review.review_lms import REVIEWER_PASSWORD, RunningLms, with_page_text, with_title

MARKUP_TITLE = '<b>Bold</b> & <script>alert("owned")</script>'
MARKUP_TITLE_XML = "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;script&gt;alert(\"owned\")&lt;/script&gt;"
SAMPLE_TITLE = "Workplace Safety Induction"


def text(element: etree._Element | None) -> str:
    assert element is not None
    return "".join(str(part) for part in element.itertext()).strip()


def by_class(tree: etree._Element, name: str) -> list[etree._Element]:
    found = tree.xpath(f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]")
    assert isinstance(found, list)
    return [element for element in found if isinstance(element, etree._Element)]


def rows(page: str) -> dict[str, dict[str, str]]:
    """The catalog's package rows by sha256: column header -> cell text."""
    tree = html.fromstring(page)
    found = {}
    for table in tree.iter("table"):
        headers = [text(th) for th in table.iter("th")]
        for row in table.iter("tr"):
            if row.get("data-sha256"):
                cells = (text(td) for td in row.iter("td"))
                found[row.get("data-sha256", "")] = dict(zip(headers, cells, strict=True))
    return found


def test_the_catalog_lists_every_version_locale_and_format_with_the_manifests_facts(
        lms: RunningLms, sample_packages: dict[str, bytes]) -> None:
    scorm = lms.published(sample_packages["scorm12"])
    changed = with_page_text(sample_packages["scorm12"], "A second version.")
    second = lms.published(changed)
    cmi5 = lms.published(sample_packages["cmi5"])
    with lms.browser_login() as client:
        page = client.get("/")
    assert page.status_code == 200
    listed = rows(page.text)
    assert set(listed) == {scorm["sha256"], second["sha256"], cmi5["sha256"]}
    first_row = listed[str(scorm["sha256"])]
    assert first_row["Version"] == "version 1" and listed[str(second["sha256"])]["Version"] == "version 2"
    assert (first_row["Locale"], first_row["Format"], first_row["Title"]) == ("en", "scorm12", SAMPLE_TITLE)
    assert first_row["Size"] == f"{len(sample_packages['scorm12']) / 1024:.1f} KiB"
    assert first_row["sha256"] == hashlib.sha256(sample_packages["scorm12"]).hexdigest()[:12]
    assert first_row["Published"].startswith("20") and first_row["Published"].endswith("Z")
    assert listed[str(cmi5["sha256"])]["Format"] == "cmi5"
    tree = html.fromstring(page.text)
    sections = by_class(tree, "course")
    assert len(sections) == 1  # one course, whatever each format names it by
    assert text(by_class(sections[0], "course-id")[0]) == (
        "https://learning.example.com/courses/workplace-safety, workplace-safety")
    descriptions = [text(p) for p in by_class(tree, "description")]
    assert any(text.startswith("A safety induction for new starters") for text in descriptions)
    with lms.browser_login() as client:
        version_page = html.fromstring(client.get(f"/versions/{second['sha256']}").text)
    listing = by_class(version_page, "facts")[0]
    facts = dict(zip((text(dt) for dt in listing.iter("dt")), (text(dd) for dd in listing.iter("dd")), strict=True))
    assert facts["Course"] == "workplace-safety" and facts["sha256"] == second["sha256"]
    assert facts["Description"].startswith("A safety induction")


def test_the_duration_comes_from_the_lom_record(lms: RunningLms, sample_packages: dict[str, bytes]) -> None:
    package = lms.published(sample_packages["scorm2004"])
    with lms.browser_login() as client:
        assert rows(client.get("/").text)[str(package["sha256"])]["Duration"] == "PT45M"


def test_course_titles_with_markup_are_escaped(lms: RunningLms, sample_packages: dict[str, bytes]) -> None:
    package = lms.published(with_title(sample_packages["scorm12"], SAMPLE_TITLE, MARKUP_TITLE_XML))
    with lms.browser_login() as client:
        catalog = client.get("/").text
        version = client.get(f"/versions/{package['sha256']}").text
    for page in (catalog, version):
        assert "<script>alert" not in page and "<b>Bold" not in page
        assert "&lt;script&gt;alert(" in page
        tree = html.fromstring(page)
        assert tree.xpath("//main//script") == [] and tree.xpath("//main//b") == []
    assert rows(catalog)[str(package["sha256"])]["Title"] == MARKUP_TITLE
    assert text(html.fromstring(version).find(".//h1")).startswith(MARKUP_TITLE)


def test_another_modules_routes_and_head_markup_are_mounted(tmp_path: Path, sample_packages: dict[str, bytes]) -> None:
    """What live reload mounts: routes (open ones, and ones behind the login) and a script tag per version."""
    async def ping(request: Request) -> Response:
        return PlainTextResponse("pong")

    def head(package: StoredPackage) -> str:
        return f'<script src="/__extra/live.js" data-course="{package.facts.course}"></script>'

    routes = [Route("/__extra/ping", ping), Route("/__private/ping", ping)]
    with ReviewServer(ReviewPaths.under(tmp_path / "review"), find_runtime(), extra_routes=routes, page_head=head,
                      open_paths=("/__extra/",)) as server:
        server.lms.database.add_user("reviewer", Role.REVIEWER, REVIEWER_PASSWORD)
        sha = server.lms.library.publish_bytes(sample_packages["scorm12"], "test").package.sha256
        with httpx.Client(base_url=server.url) as client:
            assert client.get("/__extra/ping").text == "pong"
            assert client.get("/__private/ping").status_code == 303
            client.post("/login", data={"name": "reviewer", "password": REVIEWER_PASSWORD, "next": "/"})
            assert client.get("/__private/ping").text == "pong"
            version = client.get(f"/versions/{sha}").text
            player = client.get(client.post(f"/versions/{sha}/launch", data={"learner": "Ann"}).headers["location"])
            catalog = client.get("/").text
    tag = '<script src="/__extra/live.js" data-course="workplace-safety"></script>'
    assert tag in version and tag in player.text and "/__extra/live.js" not in catalog
