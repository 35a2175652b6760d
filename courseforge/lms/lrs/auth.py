"""HTTP Basic credentials per client; each client's statements carry its own authority agent.

``Credentials`` is a protocol so another server can add short-lived clients (cmi5 hands a one-time
token to each launch): anything with ``authenticate(key, secret) -> Client | None`` will do.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

CLIENTS_HOME_PAGE = "https://lrs.courseforge.invalid/clients"


@dataclass(frozen=True)
class Client:
    key: str
    authority: Mapping[str, Any] = field(default_factory=dict)


def authority_for(key: str, name: str | None = None) -> dict[str, Any]:
    """The default authority of a client: an account agent named after its key."""
    return {"objectType": "Agent", "name": name or key, "account": {"homePage": CLIENTS_HOME_PAGE, "name": key}}


class Credentials(Protocol):
    def authenticate(self, key: str, secret: str) -> Client | None: ...


class StaticCredentials:
    """Key/secret pairs held in memory; ``add`` and ``remove`` are safe while the server runs."""

    def __init__(self, secrets: Mapping[str, str] | None = None) -> None:
        self._clients: dict[str, tuple[str, Client]] = {}
        self._lock = threading.Lock()
        for key, secret in (secrets or {}).items():
            self.add(key, secret)

    def add(self, key: str, secret: str, authority: Mapping[str, Any] | None = None) -> Client:
        client = Client(key, authority or authority_for(key))
        with self._lock:
            self._clients[key] = (secret, client)
        return client

    def remove(self, key: str) -> None:
        with self._lock:
            self._clients.pop(key, None)

    def authenticate(self, key: str, secret: str) -> Client | None:
        with self._lock:
            entry = self._clients.get(key)
        if entry is None or not hmac.compare_digest(entry[0].encode(), secret.encode()):
            return None
        return entry[1]


class CredentialsFileError(ValueError):
    """A credentials file that cannot be used (the message says why)."""


def load_credentials(path: Path) -> StaticCredentials:
    """A JSON file ``{"clients": [{"key": ..., "secret": ..., "name": optional}]}``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CredentialsFileError(f"{path}: cannot be read ({error.strerror or error})") from None
    except ValueError as error:
        raise CredentialsFileError(f"{path}: not JSON ({error})") from None
    clients = data.get("clients") if isinstance(data, dict) else None
    if not isinstance(clients, list) or not clients:
        raise CredentialsFileError(f'{path}: expected {{"clients": [{{"key": ..., "secret": ...}}]}}')
    credentials = StaticCredentials()
    for number, entry in enumerate(clients):
        if not (isinstance(entry, dict) and isinstance(entry.get("key"), str) and isinstance(entry.get("secret"), str)
                and entry["key"] and ":" not in entry["key"]):
            raise CredentialsFileError(f"{path}: clients[{number}] needs a string key (without ':') and secret")
        name = entry.get("name") if isinstance(entry.get("name"), str) else None
        credentials.add(entry["key"], entry["secret"], authority_for(entry["key"], name))
    return credentials


def parse_basic(header: str) -> tuple[str, str] | None:
    """``Basic base64(key:secret)`` -> (key, secret), or None when it is not that."""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic" or not token:
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    key, colon, secret = decoded.partition(":")
    return (key, secret) if colon else None
