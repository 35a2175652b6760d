"""Publishing: the ``publish:`` section of courseforge.yaml (named targets) and what a publish did (results).

A target names where its secrets come from (an environment variable, or a file), never the secret itself:
courseforge.yaml is committed, so a password written there would be in the repository's history for good.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, field_validator, model_validator

from courseforge.model.node import Node
from courseforge.model.source import MARK_KEYS

ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TARGET_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
DEFAULT_REVIEW_TOKEN_ENV = "COURSEFORGE_REVIEW_TOKEN"
DEFAULT_REVIEW_URL = "http://127.0.0.1:8000"


def env_name(value: str) -> str:
    """The name of an environment variable (letters, digits, underscores), not its value."""
    if not ENV_NAME.fullmatch(value):
        raise ValueError("must be the name of an environment variable (letters, digits and '_'), not a secret")
    return value


EnvName = Annotated[str, AfterValidator(env_name)]


def target_url(value: str) -> str:
    """A target's address: ``scheme:...``; a password in it is refused (without repeating it)."""
    parts = urlsplit(value)
    if not parts.scheme or any(c.isspace() for c in value):
        raise ValueError("must be a URL with a scheme (http://..., scormcloud://..., sftp://..., folder:...)")
    if parts.password is not None:
        raise ValueError("must not hold a password: name an environment variable in password_env/token_env instead")
    return value


TargetUrl = Annotated[str, AfterValidator(target_url)]


class LmsKind(StrEnum):
    """Which LMS a folder target's checklist of manual upload steps is written for."""

    GENERIC = "generic"
    MOODLE = "moodle"
    CANVAS = "canvas"
    CORNERSTONE = "cornerstone"
    TALENTLMS = "talentlms"
    DOCEBO = "docebo"


class PublishTarget(Node):
    """One place packages are published to; its URL's scheme chooses the publisher."""

    url: TargetUrl
    """``http(s)://host:port`` (a courseforge review LMS), ``scormcloud://host/api/v2``,
    ``sftp://user@host:port/folder`` or ``folder:relative/path``."""
    token_env: EnvName | None = None
    """Review LMS: the variable holding an admin API token (default COURSEFORGE_REVIEW_TOKEN)."""
    token_file: str | None = None
    """Review LMS: a file holding the token (default for a local review LMS: the one it wrote at first start)."""
    app_id_env: EnvName | None = None
    """SCORM Cloud: the variable holding the application id."""
    secret_env: EnvName | None = None
    """SCORM Cloud: the variable holding the application's secret key."""
    dispatch: bool = False
    """SCORM Cloud: also download a dispatch zip of each published course (for LMSs reached by dispatch)."""
    password_env: EnvName | None = None
    """SFTP: the variable holding the password (or the key file's passphrase when key_file is set)."""
    key_file: str | None = None
    """SFTP: a private key file to log in with."""
    known_hosts: str | None = None
    """SFTP: a known_hosts file the server's host key must be in (default: ~/.ssh/known_hosts)."""
    lms: LmsKind = LmsKind.GENERIC
    """Folder: the LMS whose manual upload steps the checklist describes."""
    retries: int = Field(default=4, ge=0, le=20)
    """How many times a network error is retried (with exponential backoff) before the publish fails."""
    timeout_s: float = Field(default=60.0, gt=0, le=3600)
    """Seconds one network operation may take."""


def target_name(value: str) -> str:
    if not TARGET_NAME.fullmatch(value):
        raise ValueError("a target name is lower-case letters, digits, '-' and '_' (up to 64)")
    return value


TargetName = Annotated[str, AfterValidator(target_name)]


class PublishSettings(Node):
    """Where ``courseforge publish`` sends packages: named targets and the one used without --target."""

    default: TargetName | None = None
    """The target used without --target; none: ``review`` if named, else the local review LMS."""
    targets: dict[TargetName, PublishTarget] = Field(default_factory=dict)
    """Targets by name (``--target NAME``)."""

    @field_validator("targets", mode="before")
    @classmethod
    def names_only(cls, value: object) -> object:
        """The loader's line marks of the mapping are not target names (each target keeps its own marks)."""
        if isinstance(value, dict):
            return {name: target for name, target in value.items() if name not in MARK_KEYS}
        return value

    @model_validator(mode="after")
    def default_is_named(self) -> PublishSettings:
        if self.default is not None and self.default not in self.targets:
            named = ", ".join(sorted(self.targets)) or "none"
            raise ValueError(f"default '{self.default}' is not one of the targets (named: {named})")
        return self


class PublishAction(StrEnum):
    UPLOADED = "uploaded"
    """Sent and accepted: a new course, or a new version of one."""
    PRESENT = "present"
    """The target already has a package with this sha256: nothing sent."""
    WOULD_UPLOAD = "would-upload"
    """--dry-run: this package would be sent."""
    FAILED = "failed"


@dataclass(frozen=True)
class PackageFile:
    """A built package ready to publish (one line of build.json, its zip on disk)."""

    course: str
    version: str
    """The course.yaml version."""
    locale: str
    format: str
    path: str
    """The zip's absolute path."""
    sha256: str
    size: int
    title: str = ""

    @property
    def key(self) -> str:
        """What identifies the course in a target that knows nothing of locales and formats."""
        return f"{self.course}-{self.locale}-{self.format}"


@dataclass(frozen=True)
class PublishResult:
    """What a target did with one package."""

    target: str
    package: PackageFile
    action: PublishAction
    remote_id: str = ""
    """The target's id of the course (SCORM Cloud courseId, the file name in an SFTP drop...)."""
    version: str = ""
    """The target's version of it, when the target numbers versions."""
    url: str = ""
    message: str = ""

    def to_json(self) -> dict[str, object]:
        return {"target": self.target, "course": self.package.course, "locale": self.package.locale,
                "format": self.package.format, "sha256": self.package.sha256, "size": self.package.size,
                "action": self.action.value, "remote_id": self.remote_id, "version": self.version,
                "url": self.url, "message": self.message}
