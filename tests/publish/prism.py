"""Prism (@stoplight/prism-cli from npm) as a validating proxy: every request, and every answer of the upstream,
is checked against an OpenAPI file; with --errors a violation is answered with an error instead of forwarded."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.publish.harness import REPO, free_port, process_listening, serve_app

PRISM = REPO / "node_modules" / ".bin" / "prism"


@contextmanager
def prism_proxy(document: Path, upstream: str, log: Path) -> Iterator[str]:
    """``prism proxy DOCUMENT UPSTREAM --errors`` on a free loopback port; yields its base URL."""
    port = free_port()
    command = [str(PRISM), "proxy", str(document), upstream, "--errors", "--port", str(port), "--host", "127.0.0.1",
               "--verboseLevel", "warn"]
    with process_listening(command, port, log, "prism", seconds=60):
        yield f"http://127.0.0.1:{port}"


class BinarySafeRelay:
    """Prism's proxy keeps a request body as UTF-8 text before forwarding it (stoplightio/prism issues 1321, 2349:
    a byte that is not UTF-8 becomes U+FFFD), which breaks every zip upload. The relay keeps each request's
    bytes, sends the request through Prism (which validates it and forwards its copy to the relay's back door),
    and the back door forwards the kept original bytes to the stand-in; answers come back through Prism, which
    validates them too. Nothing reaches the stand-in without passing Prism."""

    RELAY_ID = "x-courseforge-relay"
    HOP_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection", RELAY_ID})

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.prism = ""
        self.bodies: dict[str, bytes] = {}

    def headers(self, request: Request) -> dict[str, str]:
        return {k: v for k, v in request.headers.items() if k.lower() not in self.HOP_HEADERS}

    async def forward(self, url: str, request: Request, body: bytes, extra: dict[str, str]) -> Response:
        async with httpx.AsyncClient(timeout=30) as client:
            answer = await client.request(request.method, f"{url}{request.url.path}", params=request.url.query,
                                          headers={**self.headers(request), **extra}, content=body)
        kept = {k: v for k, v in answer.headers.items() if k.lower() in ("content-type",)}
        return Response(answer.content, status_code=answer.status_code, headers=kept)

    async def front(self, request: Request) -> Response:
        key = uuid.uuid4().hex
        self.bodies[key] = body = await request.body()
        try:
            return await self.forward(self.prism, request, body, {self.RELAY_ID: key})
        finally:
            self.bodies.pop(key, None)

    async def back(self, request: Request) -> Response:
        original = self.bodies.get(request.headers.get(self.RELAY_ID, ""))
        if original is None:
            return Response("the relay's back door only takes requests that came through Prism", status_code=502)
        return await self.forward(self.upstream, request, original, {})

    def app(self, handler: Callable[[Request], Awaitable[Response]]) -> Starlette:
        methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
        return Starlette(routes=[Route("/{path:path}", handler, methods=methods)])


@contextmanager
def validated(document: Path, upstream: str, log: Path) -> Iterator[str]:
    """``upstream`` behind Prism holding it to ``document`` (binary request bodies intact); yields the URL to
    call."""
    relay = BinarySafeRelay(upstream)
    with serve_app(relay.app(relay.back)) as back, prism_proxy(document, back, log) as prism:
        relay.prism = prism
        with serve_app(relay.app(relay.front)) as front:
            yield front
