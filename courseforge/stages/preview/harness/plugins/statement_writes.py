"""Seeing every write a content makes to an LRS in the preview, with the LMS behaviour profiles applied.

:class:`StatementWrites` is an ASGI wrapper in front of an LRS app for LMS sides that know a launch by
something other than a key of their own (cmi5: the session its fetched token was issued for). Every
statement POST/PUT and every State or agent-profile write is noted to the harness (``HarnessHost.note``):
method ``POST statements``, arguments ``(verb id, object id, the statement as JSON)``, one event per
statement; ``PUT state``, ``(stateId, activityId, the document)``; the HTTP status as result and, for a
refusal, the status as error and the LRS's answer as a fourth argument (its reason: strict mode names
the rule). These are the shapes the xAPI plug-in's pure readers take (``plugins/xapi.py``: ``signals``,
``recorded_interactions``, the timeline; ``xapi_rules.posted``). The profile traits apply to the writes:
``write_delay_s`` holds each one (reported as pending) and ``unreachable_writes`` answers the first
writes of each launch (or of a wider ``outage_scope``) 503 without passing them on.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from courseforge.stages.preview.harness.interface import HarnessHost
from courseforge.stages.preview.harness.profiles import LmsProfile

JsonObject = Mapping[str, Any]
ANSWER_LIMIT = 2000
"""Characters of an LRS's refusal kept in the event (its reason; the rest is noise)."""


LaunchOf = Callable[[Scope, bytes], str | None]
"""Which launch a request belongs to (its credentials, its registration), or None for none we made."""


def basic_user(scope: Scope) -> str | None:
    """The user of a request's Basic credentials (how an LMS side knows the launch that writes), or None."""
    for name, value in scope.get("headers", ()):
        if name.lower() != b"authorization":
            continue
        scheme, _, token = value.decode("latin-1").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            return base64.b64decode(token).decode("utf-8").partition(":")[0]
        except ValueError:  # not base64, not UTF-8
            return None
    return None


@dataclass
class _Counts:
    writes: int = 0
    held: int = 0
    noted: int = 0


@dataclass
class StatementWrites:
    """The LRS app as the content sees it: every write noted, the profile's traits applied."""

    app: ASGIApp
    host: HarnessHost
    launch_of: LaunchOf
    profile_of: Callable[[str], LmsProfile]
    outage_scope: Callable[[str], str] = str
    """What ``unreachable_writes`` counts per: the launch (the default), or a wider scope of it (cmi5: the
    registration, as a session's token ends with it and a session shorter than the outage could never
    deliver its statements)."""
    _counts: dict[str, _Counts] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def pending(self, launch_id: str) -> bool:
        with self._lock:
            return self._count(launch_id).held > 0

    def noted(self, launch_id: str) -> int:
        with self._lock:
            return self._count(launch_id).noted

    def note(self, launch_id: str, method: str, arguments: Sequence[str], result: str, error: str = "0") -> None:
        self.host.note(launch_id, method, arguments, result, error)
        with self._lock:
            self._count(launch_id).noted += 1

    def _count(self, launch_id: str) -> _Counts:
        return self._counts.setdefault(launch_id, _Counts())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = _write_kind(scope)
        if kind is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        launch = self.launch_of(scope, body)
        if launch is None:
            await self.app(scope, _replay(body), send)
            return
        profile = self.profile_of(launch)
        with self._lock:
            counts = self._count(launch)
            outage = self._count(f"outage {self.outage_scope(launch)}")
            outage.writes += 1
            refused = outage.writes <= profile.unreachable_writes
            counts.held += 1
        try:
            if refused:
                await _answer(send, 503, b'{"error": "the LRS is unreachable (profile lrs-outage)"}')
                self._note_write(launch, kind, scope, body, 503, b"")
                return
            if profile.write_delay_s:
                await asyncio.sleep(profile.write_delay_s)
            status, answer = await _through(self.app, scope, body, send)
            self._note_write(launch, kind, scope, body, status, answer)
        finally:
            with self._lock:
                counts.held -= 1

    def _note_write(self, launch: str, kind: str, scope: Scope, body: bytes, status: int, answer: bytes) -> None:
        result = str(status)
        error = "0" if 200 <= status < 300 else result
        refusal = () if error == "0" else (answer.decode("utf-8", "replace")[:ANSWER_LIMIT],)
        method = f"{scope['method']} {kind}"
        if kind == "statements":
            for statement in _statements(body):
                target = statement.get("object")
                object_id = str(target.get("id", "")) if isinstance(target, Mapping) else ""
                verb = statement.get("verb")
                verb_id = str(verb.get("id", "")) if isinstance(verb, Mapping) else ""
                self.note(launch, method, (verb_id, object_id, json.dumps(statement), *refusal), result, error)
            return
        query = _query(scope)
        self.note(launch, method, (query.get("stateId") or query.get("profileId", ""),
                                   query.get("activityId", ""), body.decode("utf-8", "replace"), *refusal),
                  result, error)


def _write_kind(scope: Scope) -> str | None:
    if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "DELETE"):
        return None
    path = str(scope["path"]).rstrip("/")
    for suffix, kind in (("/statements", "statements"), ("/activities/state", "state"),
                         ("/agents/profile", "agent profile"), ("/activities/profile", "activity profile")):
        if path.endswith(suffix):
            return None if kind == "statements" and scope["method"] == "DELETE" else kind
    return None


def _query(scope: Scope) -> dict[str, str]:
    return dict(parse_qsl(bytes(scope.get("query_string", b"")).decode("latin-1"), keep_blank_values=True))


def _statements(body: bytes) -> list[JsonObject]:
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return []
    items = data if isinstance(data, list) else [data]
    return [item for item in items if isinstance(item, Mapping)]


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        more = bool(message.get("more_body", False))
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}  # the one body was all: nothing more comes
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _through(app: ASGIApp, scope: Scope, body: bytes, send: Send) -> tuple[int, bytes]:
    """Call the app with ``body``; its answer goes to the client and comes back as (status, body)."""
    status = 0
    answer: list[bytes] = []

    async def capture(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
        elif message["type"] == "http.response.body" and not 200 <= status < 300:
            answer.append(message.get("body", b""))
        await send(message)

    await app(scope, _replay(body), capture)
    return status, b"".join(answer)


async def _answer(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
