"""Live reload in Debian's Chromium (Playwright): a minimal LMS page with the live script and a frame showing the
last good build's web package (served from the WatchBuilder's memory by a small Starlette route beside LiveReload's,
on a real uvicorn server), over a copy of the sample project watched with real watchdog events."""

from __future__ import annotations

import asyncio
import mimetypes
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Frame, Page, expect
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from courseforge.lms.review.live import LiveReload, ReloadMode
from courseforge.lms.review.watch import WatchBuilder, WatchSettings
from courseforge.model.package import PackageFormat
from tests.review.test_watch import PPE_PAGE, SAFETY, WAIT_S, append_sentence
from tests.review.test_watch_live import LiveServer, live_server

pytestmark = pytest.mark.browser

WEB_ONLY = WatchSettings(locales=(), formats=(PackageFormat.WEB,))
HOSTILE_ID = '<img src=x onerror="window.parent.pwned=1">'
"""A page id that is invalid, and would run script if the overlay put the diagnostic's text in as HTML."""
MARK_FRAME = "document.querySelector('#course').contentWindow.liveMark = 1"
FRAME_MARK = "document.querySelector('#course').contentWindow.liveMark"
"""Set in the frame's window: gone once the frame reloads."""
FRAME_HAS_TEXT = """sentence => {
  const shown = document.querySelector('#course').contentDocument;
  return Boolean(shown && shown.body && shown.body.textContent.includes(sentence));
}"""
"""Polled every 10 ms (Playwright's expect polls at growing intervals, up to a second): the frame's document is
replaced while it reloads."""


def review_routes(builder: WatchBuilder) -> list[Route]:
    """The LMS side of the test: a page with the course's frame and the live script, and the last good build's files
    (what a review LMS serves; the real one is courseforge serve's)."""

    async def page(request: Request) -> Response:
        state = builder.state(SAFETY)
        generation = int(request.query_params.get("made", state.generation if state is not None else 0))
        asked = request.query_params.get("reload")
        slow = request.query_params.get("slow")
        frame_query = f"?slow={int(slow)}" if slow else ""
        mode: ReloadMode = "page" if asked == "page" else "frame"
        tag = LiveReload.script_tag(SAFETY, frame="#course", generation=generation, reload=mode,
                                    reload_to="/?arrived=1" if asked == "to" else None)
        return HTMLResponse(f"<!DOCTYPE html><html lang=\"en\"><head><title>Review</title>{tag}</head>"
                            f"<body><h1>Review</h1><iframe id=\"course\" title=\"Course\" "
                            f"src=\"/content/{SAFETY}/en/index.html{frame_query}\" "
                            f"style=\"width:100%;height:80vh\"></iframe>"
                            f"</body></html>")

    async def content(request: Request) -> Response:
        state = builder.state(request.path_params["course"])
        name = request.path_params["name"]
        await asyncio.sleep(int(request.query_params.get("slow", 0)) / 1000)
        found = state.good.member(request.path_params["locale"], PackageFormat.WEB, name) if (
            state is not None and state.good is not None) else None
        if found is None:
            return Response("not in the last good build", status_code=404)
        return Response(found, media_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
                        headers={"Cache-Control": "no-store"})

    return [Route("/", page), Route("/content/{course}/{locale}/{name:path}", content)]


@pytest.fixture(params=["/"])
def opened(request: pytest.FixtureRequest, tmp_path: Path, chromium: Browser) -> Iterator[tuple[LiveServer, Page]]:
    """The review page (the path ``request.param``) open on the course's PPE screen, the live stream connected."""
    with live_server(tmp_path, WEB_ONLY, review_routes) as server:
        context = chromium.new_context()
        try:
            page = context.new_page()
            page.goto(server.url + request.param)
            frame = page.frame_locator("#course")
            frame.locator('a[data-cf-goto="ppe"]').first.click()
            expect(frame.locator("#cf\\.screen\\.ppe")).to_be_visible()
            deadline = time.monotonic() + WAIT_S
            while server.live.open_streams() == 0 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert server.live.open_streams() == 1, "the page's live stream did not connect"
            yield server, page
        finally:
            context.close()


def test_an_edit_reloads_the_open_frame_on_the_learners_screen(
        opened: tuple[LiveServer, Page]) -> None:
    server, page = opened
    sentence = "Report a damaged harness before your shift starts."
    append_sentence(server.builder.project.root, PPE_PAGE, sentence)
    page.wait_for_function(FRAME_HAS_TEXT, arg=sentence, polling=10, timeout=WAIT_S * 1000)
    frame = page.frame_locator("#course")
    resume = frame.locator("#cf-resume")  # the web runtime's bookmark: it offers the learner's screen back
    expect(resume).to_contain_text("Personal protective equipment (PPE)")
    resume.locator('[data-role="resume"]').click()
    expect(frame.locator("#cf\\.screen\\.ppe")).to_contain_text(sentence)
    expect(page.locator(f"#courseforge-live-diagnostics-{SAFETY}")).to_have_count(0)


def test_a_broken_build_shows_its_diagnostics_as_text_over_the_last_good_build(
        opened: tuple[LiveServer, Page]) -> None:
    server, page = opened
    page.evaluate(MARK_FRAME)
    root = server.builder.project.root
    page_file = root / PPE_PAGE
    good = page_file.read_text(encoding="utf-8")
    page_file.write_text(good.replace("id: ppe", f"id: {HOSTILE_ID}", 1), encoding="utf-8")
    overlay = page.locator(f"#courseforge-live-diagnostics-{SAFETY}")
    expect(overlay).to_be_visible(timeout=WAIT_S * 1000)
    expect(overlay).to_contain_text(f"{PPE_PAGE.as_posix()}:2:1: error: invalid id '{HOSTILE_ID}' [schema.bad-id]")
    expect(overlay).to_contain_text("hint: ids use letters, digits")
    assert overlay.locator("img").count() == 0 and page.evaluate("window.pwned") is None
    assert page.evaluate(FRAME_MARK) == 1, "the frame was reloaded although no good build came"

    page_file.write_text(good + "\nFixed and rebuilt.\n", encoding="utf-8")
    expect(overlay).to_be_hidden(timeout=WAIT_S * 1000)
    expect(page.frame_locator("#course").locator("text=Fixed and rebuilt.")).to_have_count(1)
    assert page.evaluate(FRAME_MARK) is None


@pytest.mark.parametrize("opened", ["/?reload=page", "/?reload=to"], indirect=True)
def test_a_page_that_asks_for_it_is_reloaded_whole_or_sent_to_its_url(opened: tuple[LiveServer, Page]) -> None:
    server, page = opened
    sent = page.url.endswith("reload=to")
    page.evaluate("window.liveMark = 1")
    append_sentence(server.builder.project.root, PPE_PAGE, "Wear the visor down when grinding.")
    page.wait_for_function("() => window.liveMark === undefined", timeout=WAIT_S * 1000)
    assert page.url.endswith("/?arrived=1" if sent else "/?reload=page")
    expect(page.frame_locator("#course").locator("text=Wear the visor down when grinding.")).to_have_count(1)


def frame_loads(page: Page) -> list[str]:
    """The URL of each load of the course frame from now on."""
    loads: list[str] = []

    def loaded(frame: Frame) -> None:
        if "/content/" in frame.url:
            loads.append(frame.url)
    page.on("framenavigated", loaded)
    return loads


def test_a_page_made_before_the_last_rebuild_reloads_its_frame_when_it_connects(tmp_path: Path,
                                                                                chromium: Browser) -> None:
    """A page made at generation 0 connects when the course is at 1 (as one made just before a rebuild would), also
    while its frame is still loading (the content answered 0.6 s late: the reload waits for it); a page made at the
    current generation loads its frame once."""
    with live_server(tmp_path, WEB_ONLY, review_routes) as server:
        context = chromium.new_context()
        try:
            for path, loads_expected in (("/", 1), ("/?made=0", 2), ("/?made=0&slow=600", 2)):
                page = context.new_page()
                loads = frame_loads(page)
                page.goto(server.url + path)
                deadline = time.monotonic() + WAIT_S
                while len(loads) < loads_expected and time.monotonic() < deadline:
                    page.wait_for_timeout(20)
                page.wait_for_timeout(500)
                assert len(loads) == loads_expected, (path, loads)
                page.close()
        finally:
            context.close()
