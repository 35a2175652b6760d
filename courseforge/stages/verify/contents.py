"""A zip that passed the zip guard, as the per-format verifiers see it: names, and bounded reads."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.stages.verify import zipguard
from courseforge.stages.verify.zipguard import Limits


@dataclass(frozen=True)
class Launch:
    """What a verifier found to launch: its title and href (None when nothing is launchable)."""

    title: str | None
    href: str | None


NO_LAUNCH = Launch(None, None)


@dataclass(frozen=True)
class PackageContents:
    name: str
    """How locations name the package (usually its path); an entry is ``<name>!<entry>``."""
    archive: zipfile.ZipFile
    infos: Sequence[zipfile.ZipInfo]
    limits: Limits
    data: bytes | None = None
    """The zip's bytes (entries read whole are judged once per content: ``zipguard.entry_damage``)."""
    _read: dict[str, bytes | None] = field(default_factory=dict, compare=False, repr=False)

    @property
    def entries(self) -> Mapping[str, str]:
        """Names as an LMS on Windows would see them (a backslash is already an error) -> names as stored."""
        return {info.filename.replace("\\", "/"): info.filename for info in self.infos}

    def has(self, entry: str) -> bool:
        return entry in self.archive.NameToInfo

    def at(self, entry: str, line: int = 0, column: int = 0) -> Location:
        return Location(f"{self.name}!{entry}", line, column)

    def read_manifest(self, entry: str, sink: DiagnosticSink) -> bytes | None:
        """A manifest-like entry within ``limits.max_manifest_bytes`` (too large: an error, and None); read
        once however many verifiers ask."""
        if entry in self._read:
            return self._read[entry]
        info = self.archive.getinfo(entry)
        data: bytes | None = None
        if info.file_size > self.limits.max_manifest_bytes:
            sink.error("manifest.too-large", f"{entry} is {zipguard.human_size(info.file_size)}, more than the "
                       f"{zipguard.human_size(self.limits.max_manifest_bytes)} a manifest may be", self.at(entry),
                       hint="move inline metadata into files linked from the manifest")
        else:
            data = zipguard.read_bounded(self.archive, info, self.limits.max_manifest_bytes)
        self._read[entry] = data
        return data
