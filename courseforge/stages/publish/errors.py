"""What a publish that failed says, and how secrets are kept out of everything it says."""

from __future__ import annotations

from dataclasses import dataclass, field

REDACTED = "[secret]"


class PublishError(Exception):
    """The target refused or could not be reached: the message says why (the server's own words for a 4xx),
    never a secret. The command prints it and exits 1."""


class TransientError(Exception):
    """Worth trying again (a dropped connection, a 5xx, a 429): retried with backoff, then a PublishError."""


@dataclass
class Redactor:
    """The secrets one publish has read; :meth:`scrub` takes them out of any text before it is shown. Every
    message passes through it at the command's edge, so a server that echoes a credential back cannot leak it."""

    secrets: set[str] = field(default_factory=set)

    def add(self, secret: str) -> str:
        if secret:
            self.secrets.add(secret)
        return secret

    def scrub(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text
