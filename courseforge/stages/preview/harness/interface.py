"""The preview's plug-in interface: what one standard tells the format-neutral harness, runner and rules.

One :class:`HarnessPlugin` per standard (SCORM 1.2, SCORM 2004, xAPI, cmi5) registers in
``plugins/__init__.py: default_plugins()``. Everything else (the server, the LMS session, the robot
learner, the scenarios, the profiles, the accessibility audits, the common rules and the reports) is
shared. A plug-in says:

- which units a package launches (:meth:`HarnessPlugin.read_units`);
- what its LMS side is: :meth:`HarnessPlugin.start` builds an :class:`LmsSide` once per server, whose
  routes the harness mounts under ``HarnessHost.prefix`` on its one Starlette/uvicorn app on 127.0.0.1;
- how a unit is launched and relaunched (:meth:`LmsSide.attempt`, :meth:`LmsSide.open`), and when a
  launch has ended and settled (:meth:`LmsSide.progress`);
- what the LMS holds, read into a neutral :class:`~courseforge.model.preview.LaunchRecord`
  (:meth:`LmsSide.read`), the report's timeline rows (:meth:`HarnessPlugin.timeline`);
- the interactions a learner's answers must leave, in its syntax (:meth:`HarnessPlugin.codec`), and the
  rules only it has (:attr:`HarnessPlugin.rules`);
- what each LMS behaviour profile means for it, or that one does not apply
  (:meth:`HarnessPlugin.profile_meaning`).

Events: a launch's :class:`~courseforge.model.preview.ApiEvent` rows come from the LMS page (the host
page records API calls and posts them to ``/__lms/events/<launch>``) or from the server (a plug-in calls
:meth:`HarnessHost.note` for every statement or state write its LRS stores); the store keeps both in time
order. Nothing here imports Playwright: the session (``session.py``) drives the browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from courseforge.model.course import Question, Survey, SurveyItem
from courseforge.model.package import PackageFormat
from courseforge.model.preview import ApiEvent, LaunchRecord, TimelineEntry
from courseforge.model.scenario import AnswerValue
from courseforge.stages.preview.assertions import ExpectedInteraction, LaunchRule
from courseforge.stages.preview.harness.profiles import LmsProfile

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from courseforge.lms.lrs.store import LrsStore
    from courseforge.stages.preview.harness.runtime import LmsRuntime
    from courseforge.stages.preview.harness.store import HarnessStore


def _frozen(values: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(values or {}))


# ------------------------------------------------------------------------------------ who and what


@dataclass(frozen=True)
class Learner:
    id: str = "learner-1"
    name: str = "Learner, Test"

    HOME_PAGE: ClassVar[str] = "https://preview.courseforge.invalid/learners"
    """The account homePage of every learner the LMS sides name in xAPI (an address that names the LMS and
    resolves nowhere): the same whatever port or public URL the LMS has, so a learner stays one agent across
    restarts."""


@dataclass(frozen=True)
class LaunchOptions:
    """What the LMS decides about a launch besides the learner."""

    credit: str = "credit"
    lesson_mode: str = "normal"
    """normal | browse | review (SCORM's lesson_mode / mode; cmi5's launchMode Normal | Browse | Review)."""
    new_attempt_after_exit: bool = True
    """After a launch that did not leave suspended, True starts the next launch as a new attempt with a
    fresh record (xAPI/cmi5: a new registration); False continues the stored record (LMSs let the
    administrator choose, e.g. Moodle's per-activity 'Force new attempt')."""


@dataclass(frozen=True)
class Unit:
    """One launchable unit of a package: a SCORM SCO or asset, the Tin Can activity with a launch, a cmi5 AU.

    A plug-in subclasses it for its own facts (``plugins/scorm12.py: Sco`` adds mastery_score ...);
    new fields need defaults.
    """

    identifier: str
    """The item identifier (SCORM), the activity id (xAPI), the AU id (cmi5)."""
    title: str
    href: str
    """Launch path relative to the package root, query and fragment included (no LMS parameters yet)."""
    organization: str = ""
    resource: str = ""
    tracked: bool = True
    """False for a unit the LMS launches without tracking (a SCORM asset): only the page rules apply."""


@dataclass(frozen=True)
class ServedPackage:
    """A package extracted under the server's root, with its launchable units."""

    id: str
    name: str
    format: PackageFormat
    folder: Path
    """Where the package is extracted (under the served root)."""
    url_path: str
    """``/packages/<id>/``"""
    units: tuple[Unit, ...]
    """Every launchable unit, untracked ones included."""

    @property
    def scos(self) -> tuple[Unit, ...]:
        """The tracked units, in manifest order."""
        return tuple(unit for unit in self.units if unit.tracked)

    def sco(self, identifier: str | None = None) -> Unit:
        """The unit with this identifier, or the first tracked one (the first launchable unit if none tracks)."""
        if identifier is None:
            chosen = self.scos or self.units
            if not chosen:
                raise LookupError(f"{self.name} has nothing to launch")
            return chosen[0]
        for unit in self.units:
            if unit.identifier == identifier:
                return unit
        raise LookupError(f"{self.name} has no item {identifier!r}")


@dataclass(frozen=True)
class Attempt:
    """What the LMS hands one launch: the attempt it belongs to and the plug-in's data for it."""

    number: int
    data: Mapping[str, Any] = field(default_factory=_frozen)
    """The plug-in's own, JSON-serialisable (SCORM: the nested data model to load; xAPI/cmi5: the
    registration). The harness stores it with the launch and gives it back as ``previous``."""
    resumed: bool = False
    """This launch continues the learner's saved state (SCORM entry "resume"; xAPI/cmi5: same registration
    and a saved state document)."""

    @property
    def cmi(self) -> Mapping[str, Any]:
        """SCORM's name for :attr:`data`."""
        return self.data


# ------------------------------------------------------------------------------------ one launch


@dataclass(frozen=True)
class LaunchRequest:
    """Everything about one launch, given to :meth:`LmsSide.attempt` and :meth:`LmsSide.open`."""

    launch_id: str
    package: ServedPackage
    unit: Unit
    learner: Learner
    profile: LmsProfile
    options: LaunchOptions
    base_url: str
    """``http://127.0.0.1:<port>``: absolute URLs a content needs (xAPI endpoint, cmi5 fetch) start here."""
    events_url: str
    """Where the host page posts the calls it recorded (``/__lms/events/<launch>``, absolute)."""
    commit_url: str
    """Where a host page API posts a commit (``/__lms/commit/<launch>``, absolute; SCORM)."""


@dataclass(frozen=True)
class HostLaunch:
    """How the harness opens a launch: the LMS page, and what that page gets from ``/__lms/launches/<id>``."""

    content_url: str
    """The content's launch URL, what the LMS page frames (or opens as a popup): a path under the package
    (``/packages/<id>/index.html?endpoint=...``) or absolute on the harness server."""
    page: str = "/lms/host.html"
    """The LMS page, opened as ``<page>?launch=<id>``. ``/lms/host.html`` builds a scorm-again API
    (``config["api"]``) before framing the content; ``/lms/plain.html`` only frames it (xAPI, cmi5: their
    LMS side is on the server). A plug-in may serve a page of its own under its prefix."""
    config: Mapping[str, Any] = field(default_factory=_frozen)
    """Plain JSON for the page (host.js reads ``launchUrl``, ``eventsUrl``, ``profile``; the scorm-again
    side reads ``api``, ``cmi``, ``commitUrl``, ``logLevel``). The harness adds ``launchUrl`` and
    ``eventsUrl`` itself."""


@dataclass(frozen=True)
class LaunchProgress:
    """Where a launch stands, polled while a window closes until it has settled."""

    marker: tuple[int, ...]
    """Changes whenever something of this launch arrives (events, commits, statements)."""
    pending: bool
    """Something the content was promised is still on its way (SCORM: a commit answered "true" that is
    not stored yet; a slow LMS still working on a write)."""
    started: bool
    """The content opened its session (LMSInitialize, Initialize, the initialized statement)."""
    ended: bool
    """The content ended it (LMSFinish, Terminate, the terminated statement): after this and a quiet
    moment with nothing pending, the launch is settled. A launch that started and never ends is settled
    after a grace period (``lms.finish-count`` reports it)."""


class HarnessHost(Protocol):
    """What the harness gives a plug-in when its LMS side starts (``PreviewServer.start``)."""

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, known before the app is built."""
        ...

    @property
    def prefix(self) -> str:
        """Where the side's routes are mounted: ``/__lms/<format>`` (no trailing slash)."""
        ...

    @property
    def work_dir(self) -> Path:
        """A folder of the plug-in's own in the server's temporary directory (an LRS's SQLite file)."""
        ...

    @property
    def store(self) -> HarnessStore:
        """Launches, page-posted commits and every event; :meth:`note` adds server-side events."""
        ...

    @property
    def runtime(self) -> LmsRuntime:
        ...

    @property
    def profiles(self) -> Mapping[str, LmsProfile]:
        ...

    def lrs_store(self, name: str) -> LrsStore:
        """The store of the side's embedded LRS: a SQLite file ``name`` in ``work_dir`` (the preview), or the
        one LRS a host shares across its sides (the review LMS's, in its database)."""
        ...

    def note(self, launch_id: str, method: str, arguments: Sequence[str], result: str, error: str = "0") -> None:
        """Record one thing the content sent, timed now (ms since the launch opened), after the launch's
        earlier events. Safe from any thread (the LRS observer runs in uvicorn's)."""
        ...


class LmsSide(Protocol):
    """A standard's LMS, alive for one server: served on the harness app, asked about each launch."""

    @property
    def routes(self) -> Sequence[BaseRoute]:
        """Mounted at ``HarnessHost.prefix`` (``Mount(prefix, routes=routes)``); empty when the host page and
        the harness's own commit/events routes are all it needs (SCORM)."""
        ...

    def attempt(self, request: LaunchRequest, previous: Attempt | None) -> Attempt:
        """The attempt this launch belongs to. ``previous`` is the learner's last attempt at this unit (this
        session's, or from the store), None for the first launch. Resume after a launch that left
        suspended; otherwise a new attempt, or the same record when ``options.new_attempt_after_exit`` is
        False. The side reads what it stored itself (SCORM: the attempt's last commit)."""
        ...

    def open(self, request: LaunchRequest, attempt: Attempt) -> HostLaunch:
        """Prepare the LMS for this launch (SCORM: the data model to seed; xAPI: the launch URL with endpoint,
        auth, actor, registration, activity_id; cmi5: registration, the launched statement, LaunchData,
        the fetch URL and returnURL) and say which page to open. Called once per launch, before the page."""
        ...

    def progress(self, launch_id: str) -> LaunchProgress:
        """Where the launch stands now (cheap: polled every 20 ms while a window closes)."""
        ...

    def read(self, launch_id: str) -> LaunchRecord:
        """What the LMS holds once the launch has settled, with this launch's neutral signals."""
        ...


class InteractionCodec(Protocol):
    """The interactions a robot's answers must leave, in the standard's syntax, and how to compare them."""

    def quiz(self, quiz_id: str, attempt: int, question: Question, value: AnswerValue, right: bool,
             accepted: Sequence[str] = ()) -> ExpectedInteraction:
        """``value`` in model/scenario.py's shapes (choice ids, typed text, numbers ...); ``accepted`` the
        fill-in answers the package accepts in its language."""
        ...

    def survey(self, survey: Survey, item: SurveyItem, answer: int | str) -> ExpectedInteraction:
        """``answer``: a likert item's 0-based scale position, or the text typed."""
        ...

    def same(self, kind: str, expected: str, recorded: str) -> bool:
        """Whether two responses or patterns of an interaction of type ``kind`` say the same (sets in any
        order, braces, delimiters as the standard reads them)."""
        ...


class HarnessPlugin(Protocol):
    """One standard's part of the preview. Stateless: per-server state lives in the :class:`LmsSide`."""

    format: PackageFormat

    @property
    def rules(self) -> tuple[LaunchRule, ...]:
        """Rules only this standard has (value formats, limits from ``courseforge/standards/``, statement
        validity, sequence rules), run after the common rules on every launch; each returns findings."""
        ...

    def read_units(self, package_dir: Path) -> tuple[Unit, ...]:
        """Every launchable unit, in manifest order; ``ValueError`` (a subclass) when the package has no
        manifest the LMS could launch from."""
        ...

    def profile_meaning(self, profile: LmsProfile) -> str | None:
        """What this LMS behaviour profile means for this standard, one line; None when it does not apply
        (the runner leaves the profile out for this format and says so in the report's notes)."""
        ...

    def start(self, host: HarnessHost) -> LmsSide:
        """Build the LMS side, once per server, before it serves."""
        ...

    def codec(self, package: ServedPackage, unit: Unit) -> InteractionCodec:
        ...

    def timeline(self, events: Sequence[ApiEvent], launch: int) -> tuple[TimelineEntry, ...]:
        """One launch's events as the report's rows (pure: the report and the vendor smoke test use it)."""
        ...

