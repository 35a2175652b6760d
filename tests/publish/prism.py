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
        self.answers: dict[str, tuple[int, bytes]] = {}

    def headers(self, request: Request) -> dict[str, str]:
        return {k: v for k, v in request.headers.items() if k.lower() not in self.HOP_HEADERS}

    async def forward(self, url: str, request: Request, body: bytes, extra: dict[str, str]) -> httpx.Response:
        async with httpx.AsyncClient(timeout=30) as client:
            return await client.request(request.method, f"{url}{request.url.path}", params=request.url.query,
                                        headers={**self.headers(request), **extra}, content=body)

    @staticmethod
    def answer(status: int, content: bytes, source: httpx.Response) -> Response:
        kept = {k: v for k, v in source.headers.items() if k.lower() in ("content-type",)}
        return Response(content, status_code=status, headers=kept)

    async def front(self, request: Request) -> Response:
        """Prism's answer; its body is the upstream's own bytes when Prism passed the upstream's answer on."""
        key = uuid.uuid4().hex
        self.bodies[key] = body = await request.body()
        try:
            answer = await self.forward(self.prism, request, body, {self.RELAY_ID: key})
            status, content = self.answers.get(key, (None, b""))
            return self.answer(answer.status_code, content if status == answer.status_code else answer.content,
                               answer)
        finally:
            self.bodies.pop(key, None)
            self.answers.pop(key, None)

    async def back(self, request: Request) -> Response:
        key = request.headers.get(self.RELAY_ID, "")
        original = self.bodies.get(key)
        if original is None:
            return Response("the relay's back door only takes requests that came through Prism", status_code=502)
        answer = await self.forward(self.upstream, request, original, {})
        self.answers[key] = (answer.status_code, answer.content)
        return self.answer(answer.status_code, answer.content, answer)

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
