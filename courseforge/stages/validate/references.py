"""Page links and images: targets must exist inside the course, images need alt text.

Also collects the asset files the rendered site needs, so only referenced files are packaged.
"""

from __future__ import annotations

from collections.abc import Mapping

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.markdown import Reference, RefKind, is_external, references, resolve_local
from courseforge.model.course import Page


def reference_location(page: Page, reference: Reference) -> Location:
    return Location(page.origin.path, page.body_line + reference.line, 1)


def check_image(page: Page, reference: Reference, target: str, files: Mapping[str, bytes],
                assets: dict[str, bytes], sink: DiagnosticSink) -> None:
    location = reference_location(page, reference)
    if not reference.alt:
        sink.error("page.image-alt", f"image '{reference.target}' has no alt text", location,
                   hint="describe what it shows, e.g. ![Fire exit sign above a door](…); screen readers "
                        "read this text")
    if target in files:
        assets[target] = files[target]
    else:
        sink.error("page.missing-asset", f"image '{reference.target}' not found (looked for {target})", location,
                   hint="check the path; it is relative to this page's file")


def check_link(page: Page, reference: Reference, target: str, pages_in_order: Mapping[str, str],
               files: Mapping[str, bytes], assets: dict[str, bytes], sink: DiagnosticSink) -> None:
    location = reference_location(page, reference)
    if target.endswith(".md"):
        if target not in files:
            sink.error("page.broken-link", f"link to '{reference.target}': no such page", location,
                       hint="check the file name; links are relative to this page's file")
        elif target not in pages_in_order:
            sink.error("page.broken-link", f"link to '{reference.target}': that page is not in the course order",
                       location, hint="add the page to a lesson in course.yaml, or remove the link")
    elif target in files:
        assets[target] = files[target]
    else:
        sink.error("page.broken-link", f"link to '{reference.target}': file not found", location,
                   hint="check the path; it is relative to this page's file")


def check_page_references(page: Page, pages_in_order: Mapping[str, str], files: Mapping[str, bytes],
                          sink: DiagnosticSink) -> dict[str, bytes]:
    """Report broken links/images of one page; return the asset files it uses."""
    assets: dict[str, bytes] = {}
    for reference in references(page.body):
        if is_external(reference.target) or not reference.target:
            continue
        target, _fragment = resolve_local(page.path, reference.target)
        if not target:
            continue
        if target.startswith("../") or target == "..":
            sink.error("page.outside-course", f"'{reference.target}' points outside the course folder",
                       reference_location(page, reference), hint="copy the file into the course (e.g. assets/)")
        elif reference.kind is RefKind.IMAGE:
            check_image(page, reference, target, files, assets, sink)
        else:
            check_link(page, reference, target, pages_in_order, files, assets, sink)
    return assets
