"""One harness plug-in per standard, in a registry keyed by :class:`PackageFormat`.

A plug-in knows its standard's side of the LMS: how to read a package's launchable units from its
manifest, what the LMS seeds before a launch, how the next launch follows from what was stored, and
which API the host page builds (constructor, global name, methods to record). SCORM 2004, xAPI and
cmi5 plug in by registering a new module here: ``default_plugins()`` names each one explicitly.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from courseforge.model.package import PackageFormat
from courseforge.stages.preview.harness.profiles import LmsProfile


@dataclass(frozen=True)
class Learner:
    id: str = "learner-1"
    name: str = "Learner, Test"


@dataclass(frozen=True)
class LaunchOptions:
    """What the LMS decides about a launch besides the learner: credit and mode (SCORM 1.2 names)."""

    credit: str = "credit"
    lesson_mode: str = "normal"
    new_attempt_after_exit: bool = True
    """After an exit other than "suspend", True starts the next launch as a new attempt with a fresh
    record; False continues the stored record with entry "" (LMSs let the administrator choose, e.g.
    Moodle's per-activity 'Force new attempt')."""


@dataclass(frozen=True)
class Sco:
    """One launchable item of a package's manifest (a SCO, or an asset the LMS launches untracked)."""

    identifier: str
    """The item's identifier in its organization."""
    title: str
    organization: str
    resource: str
    href: str
    """Launch path relative to the package root: xml:base resolved, the item's parameters appended."""
    scorm_type: str = "sco"
    mastery_score: str = ""
    launch_data: str = ""
    max_time_allowed: str = ""
    time_limit_action: str = ""
    prerequisites: str = ""

    @property
    def tracked(self) -> bool:
        return self.scorm_type == "sco"


@dataclass(frozen=True)
class ApiShape:
    """The LMS API the host page builds for this standard (see static/host.js)."""

    standard: str
    constructor: str
    """The scorm-again class, e.g. ``Scorm12API``."""
    global_name: str
    """Where content looks for it, e.g. ``API``."""
    methods: tuple[str, ...]
    """Every method the recorder wraps."""
    initialize: str
    finish: str
    commit: str
    get_value: str
    last_error: str


@dataclass(frozen=True)
class Attempt:
    """What the LMS hands one launch: the attempt it belongs to and the data model to load."""

    number: int
    cmi: Mapping[str, Any]
    """Nested data model for scorm-again's loadFromJSON (``{"core": {...}, "suspend_data": ...}``)."""
    resumed: bool


class HarnessPlugin(Protocol):
    format: PackageFormat
    api: ApiShape

    def read_units(self, package_dir: Path) -> tuple[Sco, ...]:
        """Every launchable item of every organization, in manifest order."""
        ...

    def first_attempt(self, sco: Sco, learner: Learner, profile: LmsProfile, options: LaunchOptions) -> Attempt:
        ...

    def next_attempt(self, previous: Attempt, stored: Mapping[str, Any], sco: Sco, learner: Learner,
                     profile: LmsProfile, options: LaunchOptions) -> Attempt:
        """The launch after one that left ``stored`` (the last commit's data model)."""
        ...


class PluginRegistry(Mapping[PackageFormat, HarnessPlugin]):
    def __init__(self) -> None:
        self._plugins: dict[PackageFormat, HarnessPlugin] = {}

    def register(self, plugin: HarnessPlugin) -> None:
        if plugin.format in self._plugins:
            raise ValueError(f"a harness plug-in for {plugin.format.value} is already registered")
        self._plugins[plugin.format] = plugin

    def __getitem__(self, package_format: PackageFormat) -> HarnessPlugin:
        try:
            return self._plugins[package_format]
        except KeyError:
            raise KeyError(f"no preview harness plug-in for {package_format.value}") from None

    def __iter__(self) -> Iterator[PackageFormat]:
        return iter(self._plugins)

    def __len__(self) -> int:
        return len(self._plugins)


def default_plugins() -> PluginRegistry:
    from courseforge.stages.preview.harness.plugins.scorm12 import Scorm12Plugin

    registry = PluginRegistry()
    registry.register(Scorm12Plugin())
    return registry
