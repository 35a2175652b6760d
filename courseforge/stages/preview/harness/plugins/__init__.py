"""One harness plug-in per standard, in a registry keyed by :class:`PackageFormat`.

A plug-in (``harness/interface.py: HarnessPlugin``) knows its standard's side of the preview: the units a
package launches, its LMS side on the harness server, how a launch follows from what was stored, how the
LMS's record reads into neutral terms, the interactions' syntax and the rules only it has.
``default_plugins()`` names each one explicitly (no import side effects): SCORM 2004, xAPI and cmi5 plug
in with one line each.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from courseforge.model.package import PackageFormat
from courseforge.stages.preview.assertions import ExpectedInteraction
from courseforge.stages.preview.harness.interface import (
    Attempt,
    HarnessHost,
    HarnessPlugin,
    HostLaunch,
    InteractionCodec,
    LaunchOptions,
    LaunchProgress,
    LaunchRequest,
    Learner,
    LmsSide,
    ServedPackage,
    Unit,
)


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
    """Every standard the preview plays, one line each."""
    from courseforge.stages.preview.harness.plugins.cmi5 import Cmi5Plugin
    from courseforge.stages.preview.harness.plugins.scorm12 import Scorm12Plugin
    from courseforge.stages.preview.harness.plugins.scorm2004 import Scorm2004Plugin
    from courseforge.stages.preview.harness.plugins.xapi import XapiPlugin

    registry = PluginRegistry()
    registry.register(Scorm12Plugin())
    registry.register(XapiPlugin())
    registry.register(Scorm2004Plugin())
    registry.register(Cmi5Plugin())
    return registry


__all__ = ["Attempt", "ExpectedInteraction", "HarnessHost", "HarnessPlugin", "HostLaunch", "InteractionCodec",
           "LaunchOptions", "LaunchProgress", "LaunchRequest", "Learner", "LmsSide", "PluginRegistry",
           "ServedPackage", "Unit", "default_plugins"]
