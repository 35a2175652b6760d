"""Publishers by target URL scheme: each sends built packages to one kind of place (an LMS's API, a drop folder).

A publisher receives every package of a run at once, because some targets describe a run as a whole (an SFTP
drop's import load file, a folder's manifests). Every publisher is idempotent by sha256: a package the target
already has is reported ``present`` and not sent again. Publishers are registered explicitly in
:func:`default_publishers`; adding an LMS is one new module plus one line there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Protocol
from urllib.parse import urlsplit

from courseforge.model.publish import PackageFile, PublishResult
from courseforge.stages.publish.context import PublishContext
from courseforge.stages.publish.errors import PublishError


class Publisher(Protocol):
    schemes: tuple[str, ...]
    """The URL schemes this publisher handles (``sftp``, ``folder``...)."""

    def publish(self, packages: Sequence[PackageFile], context: PublishContext) -> list[PublishResult]:
        """Every package sent or found present (or, dry, what would be sent); raises :class:`PublishError`
        when the target refuses or cannot be reached, after which the target is as it was before the run."""
        ...


class PublisherRegistry(Mapping[str, Publisher]):
    def __init__(self) -> None:
        self._publishers: dict[str, Publisher] = {}

    def register(self, publisher: Publisher) -> None:
        for scheme in publisher.schemes:
            if scheme in self._publishers:
                raise ValueError(f"a publisher for '{scheme}:' is already registered")
            self._publishers[scheme] = publisher

    def __getitem__(self, scheme: str) -> Publisher:
        return self._publishers[scheme]

    def __iter__(self) -> Iterator[str]:
        return iter(self._publishers)

    def __len__(self) -> int:
        return len(self._publishers)

    def for_url(self, url: str) -> Publisher:
        scheme = urlsplit(url).scheme.lower()
        if scheme not in self._publishers:
            raise PublishError(f"no publisher for targets of scheme '{scheme}:'; known: {', '.join(sorted(self))}")
        return self._publishers[scheme]


@cache
def default_publishers() -> PublisherRegistry:
    """Every kind of target courseforge publishes to, named explicitly (one line per kind)."""
    from courseforge.stages.publish.folder import FolderPublisher
    from courseforge.stages.publish.review import ReviewPublisher
    from courseforge.stages.publish.scormcloud import ScormCloudPublisher
    from courseforge.stages.publish.sftp import SftpPublisher

    registry = PublisherRegistry()
    registry.register(ReviewPublisher())
    registry.register(ScormCloudPublisher())
    registry.register(SftpPublisher())
    registry.register(FolderPublisher())
    return registry
