"""Who is asking the review LMS: an API token (``Authorization: Bearer``) or a browser login's session cookie.

Pages need a login (a session cookie, from ``/login``); the API answers by token alone. The LMS sides under
``/__lms/`` (the LMS page's scripts, commits and recorded calls, the LRS with its own credentials) and the
health check are open: a launch's ids are unguessable tokens, and the content's LRS calls carry the
credentials the launch gave it.

A page's unsafe request (a POST: launch, reset, logout, upload, delete) that carries the session cookie and an
``Origin`` other than this server's own is refused: SameSite=Lax keeps the cookie off a cross-site POST in
today's browsers, and this check holds where that does not (an older browser, a same-site sibling host).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, urlsplit

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from courseforge.lms.review.database import ReviewDatabase, User

SESSION_COOKIE = "courseforge_review"
SESSION_MAX_AGE_S = 12 * 3600
"""A browser login lasts a working day."""
OPEN_PATHS = ("/api/", "/login", "/lms/", "/__lms/", "/review-static/")
SAFE_METHODS = ("GET", "HEAD")
DEFAULT_PORTS = {"http": 80, "https": 443}


def bearer_token(request: HTTPConnection) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def api_user(request: Request, database: ReviewDatabase) -> User | None:
    token = bearer_token(request)
    return None if token is None else database.user_of_token(token)


def session_user(connection: HTTPConnection, database: ReviewDatabase) -> User | None:
    session = connection.cookies.get(SESSION_COOKIE)
    return None if not session else database.user_of_token(session, kind="session", max_age_s=SESSION_MAX_AGE_S)


def current_user(request: Request) -> User:
    """The logged-in user of a page request (set by :class:`RequireLogin`)."""
    user = request.scope.get("review_user")
    if not isinstance(user, User):
        raise RuntimeError("a page was served without RequireLogin in front of it")
    return user


def _origin_key(url: str) -> tuple[str, str, int] | None:
    """An origin as (scheme, host, port), the default port filled in; None for an opaque one ("null")."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if not scheme or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS.get(scheme, 0)


def cross_site(connection: HTTPConnection, public_urls: Sequence[str] = ()) -> bool:
    """True when the request names an ``Origin`` that is not this server's: the scheme, host and port the request
    was sent to, or an address browsers reach it at (``public_urls``: ``--public-url``, behind a proxy that does
    not pass the Host on); a request without one is not judged (SameSite=Lax already keeps the cookie off)."""
    origin = connection.headers.get("origin")
    if origin is None:
        return False
    found = _origin_key(origin)
    own = {_origin_key(f"{connection.url.scheme}://{connection.url.netloc}"), *map(_origin_key, public_urls)}
    return found is None or found not in own


class RequireLogin:
    """Pages and package files need a browser session; without one a GET goes to the login page. An unsafe
    request with the session cookie from another origin gets 403 (:func:`cross_site`)."""

    def __init__(self, app: ASGIApp, database: ReviewDatabase, open_paths: Sequence[str] = (),
                 public_urls: Sequence[str] = ()) -> None:
        self.app = app
        self.database = database
        self.open_paths = (*OPEN_PATHS, *open_paths)
        self.public_urls = tuple(public_urls)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or path.startswith(self.open_paths):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        if scope["method"] not in SAFE_METHODS and SESSION_COOKIE in connection.cookies and \
                cross_site(connection, self.public_urls):
            await PlainTextResponse("cross-site request refused", status_code=403)(scope, receive, send)
            return
        user = session_user(connection, self.database)
        if user is None:
            response = (RedirectResponse(f"/login?next={quote(path)}", status_code=303) if scope["method"] == "GET"
                        else JSONResponse({"error": "log in first"}, status_code=401))
            await response(scope, receive, send)
            return
        scope["review_user"] = user
        await self.app(scope, receive, send)
