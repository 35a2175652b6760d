"""The HTTP rules every xAPI resource shares, as plain ASGI middleware (outermost first):

1. ``XapiHeaders``: the X-Experience-API-Version header on every response, CORS headers on every
   response and the answer to CORS preflights (content served from another origin calls the LRS).
2. ``AlternateSyntax``: a POST with ``?method=PUT|GET|DELETE|POST`` and a form body carrying the headers,
   the parameters and ``content`` becomes the request it stands for (xAPI Communication 1.3).
3. ``VersionAndAuth``: requests need a supported X-Experience-API-Version (except About) and HTTP Basic
   credentials; the authenticated ``Client`` goes into ``scope["state"]["lrs_client"]``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from courseforge.lms.lrs.auth import Credentials, parse_basic

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]

XAPI_VERSION = "1.0.3"
SUPPORTED_VERSION = re.compile(r"^1\.0(\.[0-3])?$")
ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
ALLOWED_HEADERS = ("Authorization, Content-Type, Content-Length, If-Match, If-None-Match, Accept-Language, "
                   "X-Experience-API-Version, X-Experience-API-Consistent-Through")
EXPOSED_HEADERS = ("ETag, Last-Modified, Content-Type, Content-Length, Cache-Control, WWW-Authenticate, "
                   "X-Experience-API-Version, X-Experience-API-Consistent-Through")
FORM_HEADERS = ("authorization", "x-experience-api-version", "content-type", "content-length", "if-match",
                "if-none-match", "accept-language")
ALTERNATE_METHODS = ("GET", "PUT", "POST", "DELETE")


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def route_path(scope: Scope) -> str:
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


async def plain(send: Send, status: int, text: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
               *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class XapiHeaders:
    def __init__(self, app: Asgi) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = header(scope, b"origin")
        cors = [(b"access-control-allow-origin", (origin or "*").encode("latin-1")),
                (b"access-control-expose-headers", EXPOSED_HEADERS.encode()), (b"vary", b"Origin")]
        if origin:
            cors.append((b"access-control-allow-credentials", b"true"))
        common = [(b"x-experience-api-version", XAPI_VERSION.encode()), *cors]
        if scope["method"] == "OPTIONS":
            preflight = [(b"access-control-allow-methods", ALLOWED_METHODS.encode()),
                         (b"access-control-allow-headers", ALLOWED_HEADERS.encode()),
                         (b"access-control-max-age", b"86400"), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 204, "headers": [*common, *preflight]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {bytes(key).lower() for key, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(item for item in common if item[0] not in names)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


class AlternateSyntax:
    def __init__(self, app: Asgi) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        if scope["type"] != "http" or scope["method"] != "POST" or not any(name == "method" for name, _ in query):
            await self.app(scope, receive, send)
            return
        problem = self._problem(scope, query)
        if problem:
            await plain(send, 400, problem)
            return
        form = parse_qsl((await read_body(receive)).decode("utf-8"), keep_blank_values=True)
        headers = [(key, value) for key, value in scope["headers"]
                   if bytes(key).lower() not in (b"content-type", b"content-length")]
        params: list[tuple[str, str]] = []
        content = b""
        for name, value in form:
            if name.lower() in FORM_HEADERS:
                headers = [(key, old) for key, old in headers if bytes(key).lower() != name.lower().encode()]
                headers.append((name.lower().encode("latin-1"), value.encode("latin-1", "replace")))
            elif name == "content":
                content = value.encode("utf-8")
            else:
                params.append((name, value))
        headers = [(key, value) for key, value in headers if key != b"content-length"]
        headers.append((b"content-length", str(len(content)).encode()))
        inner = {**scope, "method": dict(query)["method"].upper(), "headers": headers,
                 "query_string": urlencode(params).encode()}
        delivered = False

        async def receive_content() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": content, "more_body": False}

        await self.app(inner, receive_content, send)

    @staticmethod
    def _problem(scope: Scope, query: list[tuple[str, str]]) -> str | None:
        if len(query) != 1:
            return "the alternate request syntax allows no query parameter but method"
        if query[0][1].upper() not in ALTERNATE_METHODS:
            return f"method must be one of {', '.join(ALTERNATE_METHODS)}"
        content_type = (header(scope, b"content-type") or "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return "the alternate request syntax needs a Content-Type of application/x-www-form-urlencoded"
        return None


class VersionAndAuth:
    def __init__(self, app: Asgi, credentials: Credentials, about_path: str) -> None:
        self.app = app
        self.credentials = credentials
        self.about_path = about_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or route_path(scope).rstrip("/") == self.about_path:
            await self.app(scope, receive, send)
            return
        pair = parse_basic(header(scope, b"authorization") or "")
        client = self.credentials.authenticate(*pair) if pair else None
        if client is None:
            await plain(send, 401, "authentication required: HTTP Basic with a key and secret of this LRS",
                        [(b"www-authenticate", b'Basic realm="xAPI"')])
            return
        version = header(scope, b"x-experience-api-version")
        if version is None or not SUPPORTED_VERSION.match(version.strip()):
            await plain(send, 400, "the X-Experience-API-Version header is missing"
                        if version is None else f"X-Experience-API-Version {version} is not supported (1.0.x)")
            return
        scope.setdefault("state", {})["lrs_client"] = client
        await self.app(scope, receive, send)
