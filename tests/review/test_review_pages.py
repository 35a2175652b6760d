"""The review LMS's pages over real HTTP (uvicorn on 127.0.0.1, httpx with a browser login): the catalog's
facts read from each package's manifest, versions, and package text shown as text, never as markup."""

from __future__ import annotations

import hashlib

from lxml import etree, html

from tests.review.review_lms import RunningLms, with_page_text, with_title

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
