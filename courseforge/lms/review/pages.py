"""The review LMS's HTML pages: login, catalog, a version's page (launch, learner switcher, attempts), the player;
for an admin, the catalog's upload form and a version's delete button.

Jinja2 with autoescape on for every template: titles, descriptions and recorded values come from packages
and learners and are shown as text, never as markup. Extra head markup (``page_head``: another module's
script tag, such as live reload's) is the only trusted HTML a page takes, and it comes from code. A refused
upload's diagnostics (a vendor package's file names among them) are shown the same way: as text.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from courseforge.diagnostics import Diagnostic
from courseforge.lms.review.auth import SESSION_COOKIE, SESSION_MAX_AGE_S, current_user, session_user
from courseforge.lms.review.credentials import password_matches
from courseforge.lms.review.database import AttemptRow, StoredPackage, User
from courseforge.lms.review.launching import AttemptView
from courseforge.lms.review.publishing import Published
from courseforge.lms.review.service import MIB, ReviewLms
from courseforge.lms.review.uploads import Refusal, take_upload
from courseforge.model.package import PackageFormat
from courseforge.model.preview import LaunchRecord, TimelineEntry
from courseforge.stages.preview.report_views import SuspendView, describe_suspend_data
from courseforge.standards import profile_for

TEMPLATES = Path(__file__).parent / "templates"
LEARNER_LIMIT = 64
NOTICE_COOKIE = "courseforge_notice"
"""What the catalog says once after a redirect to it (a deletion), kept off the URL so a link cannot forge it."""
NOTICE_LIMIT = 300
PageHead = Callable[[StoredPackage], str]
"""Trusted head markup for a version's pages (its page and its player), e.g. a live-reload script tag."""
CatalogHead = Callable[[], str]
"""Trusted head markup for the catalog (live reload's tags of the courses a watch session builds)."""
Settled = Callable[[str, str | None], Awaitable[None]]
"""Waits until the newest versions of a course (a package's course id) in a locale (None: every locale) are stored
(a watch session's)."""


def _isotime(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(seconds))


def _filesize(size: int) -> str:
    """Bytes below 1 KiB, then KiB below 1 MiB, then MiB, one decimal."""
    if size < 1024:
        return f"{size} bytes"
    return f"{size / 1024:.1f} KiB" if size < 1024 * 1024 else f"{size / (1024 * 1024):.1f} MiB"


def _timeline_line(entry: TimelineEntry) -> str:
    call = " ".join(part for part in (entry.call, entry.element, entry.value) if part)
    error = f" (error {entry.error}{': ' + entry.error_name if entry.error_name else ''})" if entry.failed else ""
    return f"{entry.at_ms / 1000:.2f} s {call} -> {entry.result}{error}"


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True,
                                                                                       default_for_string=True))
    env.filters.update(isotime=_isotime, filesize=_filesize, timeline_line=_timeline_line)
    return env


@dataclass(frozen=True)
class CourseGroup:
    """One course as the catalog shows it: every package with its title, whatever the format names it by (a
    SCORM manifest identifier, an xAPI or cmi5 IRI: ``courses``)."""

    title: str
    description: str
    courses: tuple[str, ...]
    packages: tuple[StoredPackage, ...]


def group_by_course(packages: Sequence[StoredPackage]) -> list[CourseGroup]:
    """Packages by title, in the database's order (title, course, locale, format, newest version first)."""
    groups: dict[str, list[StoredPackage]] = {}
    for package in packages:
        groups.setdefault(package.facts.title, []).append(package)
    return [CourseGroup(title, found[0].facts.description, tuple(dict.fromkeys(p.facts.course for p in found)),
                        tuple(found)) for title, found in groups.items()]


@dataclass(frozen=True)
class AttemptPage:
    """An attempt with its saved state decoded (courseforge's compact suspend data, or why it is not)."""

    row: AttemptRow
    launches: int
    record: LaunchRecord | None
    timeline: tuple[TimelineEntry, ...]
    suspend: SuspendView


def _with_suspend(view: AttemptView, package_format: PackageFormat) -> AttemptPage:
    state = view.record.state if view.record is not None else ""
    return AttemptPage(view.row, view.launches, view.record, view.timeline,
                       describe_suspend_data(state, profile_for(package_format).suspend_limit))


def learner_name(value: str | None, fallback: str) -> str:
    """A learner is a name the reviewer types: printable, at most 64 characters, else the fallback."""
    name = " ".join((value or "").split())
    return name if name and len(name) <= LEARNER_LIMIT and name.isprintable() else fallback


def upload_notice(package: StoredPackage, uploaded: str | None) -> str:
    """What a version's page says after the upload form led to it (``?uploaded=new`` or ``already``)."""
    if uploaded == "new":
        return f"Uploaded: version {package.version} of {package.facts.title}"
    if uploaded == "already":
        return f"Already here: version {package.version} of {package.facts.title} (nothing was stored again)"
    return ""


def uploaded_redirect(published: Published) -> Response:
    """303 to the new (or already stored) version's page, which then says so."""
    state = "new" if published.created else "already"
    return RedirectResponse(f"/versions/{published.package.sha256}?uploaded={state}", status_code=303)


def newest_version(lms: ReviewLms, course: str | None, locale: str | None, package_format: str | None,
                   ) -> StoredPackage | None:
    """The newest version of a course (in a locale and format when given)."""
    found = [p for p in lms.database.packages() if p.facts.course == course
             and p.facts.locale == (p.facts.locale if locale is None else locale)
             and p.facts.format.value == (p.facts.format.value if package_format is None else package_format)]
    return max(found, key=lambda p: (p.published, p.version)) if found else None


def page_routes(lms: ReviewLms, page_head: PageHead | None = None, catalog_head: CatalogHead | None = None,
                settled: Settled | None = None) -> list[BaseRoute]:
    """``page_head`` also makes a player page launch the newest version again when live reload asks it to reload
    (``relaunch.js``, posting to ``/latest/launch``); ``/latest`` and ``/latest/launch`` await ``settled`` first."""
    env = environment()

    def render(request: Request, template: str, status: int = 200, **context: object) -> HTMLResponse:
        user = request.scope.get("review_user")
        body = env.get_template(template).render(user=user, **context)
        return HTMLResponse(body, status_code=status)

    def head_of(package: StoredPackage) -> Markup:
        return Markup(page_head(package)) if page_head is not None else Markup("")

    def problem(request: Request, status: int, heading: str, message: str, diagnostics: Sequence[str] = (),
                ) -> HTMLResponse:
        """An error page: the message and any diagnostics as text."""
        return render(request, "base.html", status=status, heading=heading, message=message,
                      diagnostics=diagnostics)

    def admin_or_403(request: Request) -> User | Response:
        user = current_user(request)
        if user.is_admin:
            return user
        return problem(request, 403, "Not allowed",
                       f"user {user.name!r} is a reviewer; only admins upload and delete packages")

    def package_or_404(request: Request) -> StoredPackage | Response:
        found = lms.database.package(str(request.path_params["sha256"]).lower())
        return found if found is not None else PlainTextResponse("no such package version", 404)

    async def login_form(request: Request) -> Response:
        if session_user(request, lms.database) is not None:
            return RedirectResponse(request.query_params.get("next") or "/", status_code=303)
        return render(request, "login.html", next=request.query_params.get("next", "/"), name="", failed=False)

    async def login(request: Request) -> Response:
        form = await request.form()
        name, password = str(form.get("name", "")), str(form.get("password", ""))
        target = str(form.get("next", "/"))
        target = target if target.startswith("/") and not target.startswith("//") else "/"
        stored = lms.database.password_of(name)
        if stored is None or not password_matches(password, stored[1]):
            return render(request, "login.html", status=401, next=target, name=name, failed=True)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(SESSION_COOKIE, lms.database.add_token(name, kind="session"), max_age=SESSION_MAX_AGE_S,
                            httponly=True, samesite="lax", path="/")
        return response

    async def logout(request: Request) -> Response:
        session = request.cookies.get(SESSION_COOKIE)
        if session:
            lms.database.drop_token(session)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    async def catalog(request: Request) -> Response:
        head = Markup(catalog_head()) if catalog_head is not None else Markup("")
        notice = unquote(request.cookies.get(NOTICE_COOKIE, ""))[:NOTICE_LIMIT]
        response = render(request, "catalog.html", courses=group_by_course(lms.database.packages()), page_head=head,
                          notice=notice, max_upload_mib=lms.paths.max_upload_bytes / MIB)
        if notice:
            response.delete_cookie(NOTICE_COOKIE, path="/")
        return response

    async def upload(request: Request) -> Response:
        """The admin's upload form: published as the API publishes (:func:`take_upload`), refused as a page."""
        user = admin_or_403(request)
        if not isinstance(user, User):
            return user
        published = await take_upload(request, lms, user.name)
        if isinstance(published, Refusal):
            lines = [Diagnostic.from_json(d).format() for d in published.diagnostics or ()]
            return problem(request, published.status, "Upload refused", published.message, lines)
        return uploaded_redirect(published)

    async def delete(request: Request) -> Response:
        """Delete a version (its attempts too) once the admin ticked the confirmation; back to the catalog."""
        user = admin_or_403(request)
        if not isinstance(user, User):
            return user
        package = package_or_404(request)
        if not isinstance(package, StoredPackage):
            return package
        form = await request.form()
        if not form.get("confirm"):
            return problem(request, 400, "Not deleted",
                           "tick 'I understand its attempts are deleted too' to delete this version")
        lms.library.delete(package.sha256)
        response = RedirectResponse("/", status_code=303)
        notice = f"Deleted version {package.version} of {package.facts.title}"
        response.set_cookie(NOTICE_COOKIE, quote(notice, safe=""), max_age=60, httponly=True, samesite="lax", path="/")
        return response

    async def version(request: Request) -> Response:
        package = package_or_404(request)
        if not isinstance(package, StoredPackage):
            return package
        learner = learner_name(request.query_params.get("learner"), current_user(request).name)
        launchable = lms.launches.launchable(package)
        attempts = ([_with_suspend(view, package.facts.format) for view in lms.launches.views(package, learner)]
                    if launchable else [])
        return render(request, "version.html", package=package, learner=learner, launchable=launchable,
                      notice=upload_notice(package, request.query_params.get("uploaded")),
                      units=lms.launches.units(package) if launchable else (), attempts=attempts,
                      learners=lms.database.learners(package.sha256), page_head=head_of(package),
                      files_url=f"{lms.store.url_path(package.sha256)}{package.facts.launch}")

    async def launch(request: Request) -> Response:
        package = package_or_404(request)
        if not isinstance(package, StoredPackage):
            return package
        if not lms.launches.launchable(package):
            return PlainTextResponse(f"{package.facts.format.value} packages are not launched by this LMS", 400)
        form = await request.form()
        learner = learner_name(str(form.get("learner", "")), current_user(request).name)
        try:
            return launched(package, learner, str(form.get("unit", "")) or None)
        except LookupError as missing:
            return PlainTextResponse(str(missing), 404)

    def launched(package: StoredPackage, learner: str, unit: str | None) -> Response:
        host_page = lms.launches.launch(package, learner, unit)
        query = urlencode({"learner": learner, "host": host_page, "unit": unit or ""})
        return RedirectResponse(f"/versions/{package.sha256}/play?{query}", status_code=303)

    async def launch_latest(request: Request) -> Response:
        """Launch the newest version of the course a player showed (live reload after a rebuild): the same unit
        when the new version still has it, else its first."""
        form = await request.form()
        course = str(form.get("course", ""))
        if settled is not None:
            await settled(course, str(form.get("locale", "")))
        package = newest_version(lms, course, str(form.get("locale", "")), str(form.get("format", "")))
        if package is None or not lms.launches.launchable(package):
            return PlainTextResponse("no launchable version of that course", 404)
        learner = learner_name(str(form.get("learner", "")), current_user(request).name)
        try:
            return launched(package, learner, str(form.get("unit", "")) or None)
        except LookupError:
            return launched(package, learner, None)

    async def play(request: Request) -> Response:
        package = package_or_404(request)
        if not isinstance(package, StoredPackage):
            return package
        host_page = request.query_params.get("host", "")
        if not host_page.startswith("/lms/"):
            return RedirectResponse(f"/versions/{package.sha256}", status_code=303)
        learner = learner_name(request.query_params.get("learner"), current_user(request).name)
        return render(request, "play.html", package=package, learner=learner, host_page=host_page,
                      unit=request.query_params.get("unit", ""), page_head=head_of(package))

    async def reset(request: Request) -> Response:
        package = package_or_404(request)
        if not isinstance(package, StoredPackage):
            return package
        form = await request.form()
        learner = learner_name(str(form.get("learner", "")), current_user(request).name)
        unit = str(form.get("unit", "")) or lms.launches.served(package).sco().identifier
        lms.database.reset_attempt(package.sha256, unit, learner)
        return RedirectResponse(f"/versions/{package.sha256}?{urlencode({'learner': learner})}", status_code=303)

    async def latest(request: Request) -> Response:
        """The newest version of a course in a locale and format (a stable address for a course), for the learner
        named, if any."""
        params = request.query_params
        if settled is not None:
            await settled(params.get("course", ""), params.get("locale"))
        newest = newest_version(lms, params.get("course"), params.get("locale"), params.get("format"))
        if newest is None:
            return PlainTextResponse("no version of that course", 404)
        learner = params.get("learner")
        query = f"?{urlencode({'learner': learner})}" if learner else ""
        return RedirectResponse(f"/versions/{newest.sha256}{query}", status_code=303)

    return [
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", catalog, methods=["GET"]),
        Route("/packages", upload, methods=["POST"]),
        Route("/latest", latest, methods=["GET"]),
        Route("/latest/launch", launch_latest, methods=["POST"]),
        Route("/versions/{sha256}", version, methods=["GET"]),
        Route("/versions/{sha256}/launch", launch, methods=["POST"]),
        Route("/versions/{sha256}/play", play, methods=["GET"]),
        Route("/versions/{sha256}/reset", reset, methods=["POST"]),
        Route("/versions/{sha256}/delete", delete, methods=["POST"]),
    ]
