"""What a publisher is given besides the packages: its target, where the project is, how to retry, and the
environment its secrets are read from (through the redactor, so none of them is ever shown)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from courseforge.model.publish import PublishTarget
from courseforge.stages.publish.errors import PublishError, Redactor
from courseforge.stages.publish.retry import RetryPolicy


@dataclass(frozen=True)
class PublishContext:
    name: str
    """The target's name in courseforge.yaml, or its URL when --target gave one."""
    target: PublishTarget
    project_root: Path
    review_token_file: Path
    """Where a local review LMS wrote its admin token at first start (courseforge serve)."""
    environment: Mapping[str, str]
    redactor: Redactor
    retry: RetryPolicy
    dry_run: bool = False
    log: Callable[[str], None] = field(default=lambda line: None, repr=False)
    """Progress lines (--verbose): already free of secrets, which never reach it."""
    downloads: Path | None = None
    """Where a publisher keeps what it brings back (a SCORM Cloud dispatch zip); none: <project>/build/publish."""

    @property
    def download_folder(self) -> Path:
        """This target's own folder under :attr:`downloads` (a URL given as --target becomes a safe name)."""
        slug = re.sub(r"[^a-z0-9_-]+", "-", self.name.lower()).strip("-")[:64] or "target"
        return (self.downloads or self.project_root / "build" / "publish") / slug

    def secret(self, variable: str | None, what: str, key: str) -> str:
        """The value of the environment variable the target names for ``what``, registered with the
        redactor; a missing one is an error naming the variable and the key to set (never a value)."""
        if variable is None:
            raise PublishError(f"target '{self.name}' needs {what}: name its environment variable in '{key}'")
        value = self.environment.get(variable, "")
        if not value:
            raise PublishError(f"target '{self.name}' needs {what} in the environment variable {variable}, "
                               "which is not set")
        return self.redactor.add(value)

    def file_secret(self, path: Path, what: str) -> str:
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise PublishError(f"cannot read {what} from {path}: {error.strerror}") from None
        return self.redactor.add(value)

    def project_path(self, value: str) -> Path:
        """A path from courseforge.yaml: ``~`` expanded, relative to the project root."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.project_root / path
