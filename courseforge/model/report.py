"""What the verify stage says about one package: its diagnostics plus the facts a summary line needs."""

from __future__ import annotations

from dataclasses import dataclass

from courseforge.diagnostics import Diagnostic, Severity, count, failed
from courseforge.model.package import PackageFormat


@dataclass(frozen=True)
class VerificationReport:
    package: str
    """The package name as the user gave it (a path, or any label for in-memory data)."""
    format: PackageFormat | None
    """``scorm12`` once the manifest is recognised; None when the zip or manifest could not be read."""
    diagnostics: tuple[Diagnostic, ...]
    entries: int
    """File entries in the zip (folders not counted)."""
    uncompressed_bytes: int
    launch: str | None
    """The href of the first launchable SCO, as written in the manifest (with its xml:base)."""
    title: str | None

    @property
    def error_count(self) -> int:
        return count(self.diagnostics, Severity.ERROR)

    @property
    def warning_count(self) -> int:
        return count(self.diagnostics, Severity.WARNING)

    @property
    def ok(self) -> bool:
        """True when nothing stops an LMS from importing the package (warnings allowed)."""
        return self.error_count == 0

    def failed(self, strict: bool = False) -> bool:
        return failed(self.diagnostics, strict)

    def codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.diagnostics)

    def to_json(self) -> dict[str, object]:
        return {
            "package": self.package,
            "format": None if self.format is None else self.format.value,
            "ok": self.ok,
            "errors": self.error_count,
            "warnings": self.warning_count,
            "entries": self.entries,
            "uncompressed_bytes": self.uncompressed_bytes,
            "launch": self.launch,
            "title": self.title,
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }
