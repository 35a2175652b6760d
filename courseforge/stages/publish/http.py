"""HTTP calls shared by the API publishers: transport errors and 5xx/429 are transient (retried), any other
4xx stops with the server's own message."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from courseforge.stages.publish.errors import PublishError, TransientError

if TYPE_CHECKING:
    from courseforge.stages.publish.context import PublishContext

MESSAGE_KEYS = ("error", "message", "detail")


def request(client: httpx.Client, method: str, path: str, **options: Any) -> httpx.Response:
    try:
        return client.request(method, path, **options)
    except httpx.TransportError as error:
        raise TransientError(f"{type(error).__name__}: {error}") from None


def server_message(response: httpx.Response) -> str:
    """What the server said: its JSON error field, else the start of its body."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    if isinstance(body, dict):
        for key in MESSAGE_KEYS:
            if isinstance(body.get(key), str):
                return str(body[key])
    return str(body)[:300]


def check_status(response: httpx.Response, what: str) -> None:
    """A TransientError for 5xx/429; a PublishError with the server's message for any other 4xx."""
    status = response.status_code
    if status >= 500 or status == 429:
        raise TransientError(f"HTTP {status}: {server_message(response)}")
    if status >= 400:
        raise PublishError(f"{what} was refused: HTTP {status}: {server_message(response)}")


def checked_json(response: httpx.Response, what: str) -> Any:
    """The JSON body of a 2xx answer (None when empty); errors as :func:`check_status` says."""
    check_status(response, what)
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise PublishError(f"{what}: the server's answer is not JSON (HTTP {response.status_code})") from None


def checked_bytes(response: httpx.Response, what: str) -> bytes:
    check_status(response, what)
    return response.content


class JsonApi:
    """A JSON API over one connection pool, each call retried as the target's policy says."""

    def __init__(self, client: httpx.Client, context: PublishContext) -> None:
        self.client = client
        self.context = context

    def call(self, what: str, method: str, path: str, **options: Any) -> Any:
        return self.context.retry.run(what, lambda: checked_json(request(self.client, method, path, **options),
                                                                 what))

    def found(self, what: str, path: str) -> Any:
        """The JSON answer to ``GET path``; None for a 404 (no such thing yet)."""
        def ask() -> Any:
            response = request(self.client, "GET", path)
            return None if response.status_code == 404 else checked_json(response, what)
        return self.context.retry.run(what, ask)
