"""What the verify stage says about one package: its diagnostics plus the facts a summary line needs.

A hostile package can hold 150,000 broken references; nobody reads that many lines, and keeping them
costs memory. So diagnostics are capped per code where they are collected (:class:`CappedSink`): the
first ``CAP_PER_CODE`` of each code are kept, the rest become one "… and N more" diagnostic, and the
report still counts every error and warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from courseforge.diagnostics import Diagnostic, DiagnosticSink, Location, Severity, count
from courseforge.model.package import PackageFormat

CAP_PER_CODE = 20


@dataclass
class Omitted:
    """Diagnostics of one code past the cap: how many, and the worst severity among them."""

    severity: Severity
    errors: int = 0
    warnings: int = 0

    def add(self, severity: Severity) -> None:
        if severity is Severity.ERROR:
            self.errors += 1
            self.severity = Severity.ERROR
        else:
            self.warnings += 1

    @property
    def total(self) -> int:
        return self.errors + self.warnings


@dataclass
class CappedSink(DiagnosticSink):
    """A sink that keeps the first ``cap`` diagnostics of each code and only counts the rest."""

    package: str = ""
    cap: int = CAP_PER_CODE
    _kept: dict[str, int] = field(default_factory=dict, repr=False)
    _omitted: dict[str, Omitted] = field(default_factory=dict, repr=False)
    _hashes: set[int] = field(default_factory=set, repr=False)

    def add(self, diagnostic: Diagnostic) -> None:
        kept = self._kept.get(diagnostic.code, 0)
        if kept < self.cap:
            before = len(self.items)
            super().add(diagnostic)
            self._kept[diagnostic.code] = kept + (len(self.items) - before)
            return
        key = hash(diagnostic)  # past the cap only a fingerprint is kept, to count a repeat once
        if key not in self._hashes:
            self._hashes.add(key)
            self._omitted.setdefault(diagnostic.code, Omitted(diagnostic.severity)).add(diagnostic.severity)

    @property
    def error_count(self) -> int:
        return super().error_count + sum(o.errors for o in self._omitted.values())

    @property
    def warning_count(self) -> int:
        return super().warning_count + sum(o.warnings for o in self._omitted.values())

    def failed(self, strict: bool = False) -> bool:
        return self.error_count > 0 or (strict and self.warning_count > 0)

    def capped(self) -> tuple[Diagnostic, ...]:
        """The kept diagnostics in sorted order; after the last one of a capped code, its "… and N more"."""
        ordered = list(self)
        last = {d.code: i for i, d in enumerate(ordered)}
        out: list[Diagnostic] = []
        for i, diagnostic in enumerate(ordered):
            out.append(diagnostic)
            omitted = self._omitted.get(diagnostic.code)
            if omitted is not None and last[diagnostic.code] == i:
                out.append(self.more(diagnostic.code, omitted))
        return tuple(out)

    def more(self, code: str, omitted: Omitted) -> Diagnostic:
        return Diagnostic(
            omitted.severity,
            code,
            f"… and {omitted.total} more",
            Location(self.package),
            hint=f"only the first {self.cap} of each kind are shown; fixing their cause usually fixes the rest",
        )


@dataclass(frozen=True)
class VerificationReport:
    package: str
    """The package name as the user gave it (a path, or any label for in-memory data)."""
    format: PackageFormat | None
    """``scorm12`` once the manifest is recognised; None when the zip or manifest could not be read."""
    diagnostics: tuple[Diagnostic, ...]
    """Capped per code: see :class:`CappedSink`."""
    entries: int
    """File entries in the zip (folders not counted)."""
    uncompressed_bytes: int
    launch: str | None
    """The href the LMS starts: the first item launching a SCO, or the first item at all when there is no SCO."""
    title: str | None
    errors: int = -1
    """Every error found, those past the cap included (-1: count ``diagnostics``)."""
    warnings: int = -1

    @classmethod
    def from_sink(
        cls,
        sink: CappedSink,
        format: PackageFormat | None = None,
        entries: int = 0,
        uncompressed_bytes: int = 0,
        launch: str | None = None,
        title: str | None = None,
    ) -> VerificationReport:
        return cls(sink.package, format, sink.capped(), entries, uncompressed_bytes, launch, title,
                   sink.error_count, sink.warning_count)

    @property
    def error_count(self) -> int:
        return self.errors if self.errors >= 0 else count(self.diagnostics, Severity.ERROR)

    @property
    def warning_count(self) -> int:
        return self.warnings if self.warnings >= 0 else count(self.diagnostics, Severity.WARNING)

    @property
    def ok(self) -> bool:
        """True when nothing stops an LMS from importing the package (warnings allowed)."""
        return self.error_count == 0

    def failed(self, strict: bool = False) -> bool:
        return self.error_count > 0 or (strict and self.warning_count > 0)

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
