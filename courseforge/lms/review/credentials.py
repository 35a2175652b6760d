"""Passwords and API tokens of the review LMS's users, as they are stored: never in the clear.

Passwords are hashed with scrypt and a salt of their own per user (a stolen database does not give them
away, and two users with the same password do not share a hash). Tokens are 32 random bytes: too long to
guess, so a plain SHA-256 of a token is enough to look it up and to keep it secret at rest. Sessions of a
browser login are tokens too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
TOKEN_PREFIX = "cfr_"
"""Marks a review LMS token in a log or a secret scanner's findings."""


@dataclass(frozen=True)
class PasswordHash:
    salt: bytes
    key: bytes


def hash_password(password: str, salt: bytes | None = None) -> PasswordHash:
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=KEY_BYTES)
    return PasswordHash(salt, key)


def password_matches(password: str, stored: PasswordHash) -> bool:
    return hmac.compare_digest(hash_password(password, stored.salt).key, stored.key)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database keeps of a token (or a session id): its SHA-256 in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
