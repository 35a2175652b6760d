"""LMS behaviour profiles: how the test LMS departs from a well-behaved one, as data, for every standard.

A profile is a set of neutral traits (the LMS overrides the status from the score, imposes its own
mastery score, implements only mandatory elements, refuses writes while the page is dismissed, puts the
API frames away or in an opener, answers writes slowly, hides interactions, is unreachable for a while).
Each standard's plug-in turns the traits into its own LMS side (``plugins/scorm12.py``: scorm-again
settings and refused calls) and says what a profile means for it, or that it does not apply
(``HarnessPlugin.profile_meaning``: a profile may be SCORM-only). No code path branches on a profile's name.

Each profile models an LMS behaviour documented in the field; ``sources`` says where.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum


class RefusalMoment(StrEnum):
    ALWAYS = "always"
    DISMISSED = "dismissed"
    """Only once the page is being dismissed (pagehide, or visibilitychange to hidden)."""


@dataclass(frozen=True)
class Refusal:
    """An API call the LMS page answers with an error instead of passing it to its API (the host page's
    mechanism, static/host.js; a plug-in builds these from a profile's traits).

    ``element`` is a regular expression matched against the call's first argument (the data model
    element for GetValue/SetValue; "" for Commit/Finish). ``result`` is what the call returns (``None``
    is JavaScript null, as Cornerstone returns during unload).
    """

    methods: tuple[str, ...]
    element: str
    error: str
    result: str | None = ""
    when: RefusalMoment = RefusalMoment.ALWAYS

    def to_host(self) -> dict[str, object]:
        return {"methods": list(self.methods), "element": self.element, "error": self.error,
                "result": self.result, "when": self.when.value}


@dataclass(frozen=True)
class LmsProfile:
    name: str
    summary: str
    """One line: what this LMS does differently."""
    models: str
    """The real LMS behaviour modelled, in a few sentences."""
    sources: tuple[str, ...]
    """Where that behaviour is documented (URLs, issue numbers)."""
    overrides_status: bool = False
    """At the end of a session the LMS decides passed/failed itself from the score and the mastery score."""
    mastery_percent: float | None = None
    """A passing percent the LMS imposes itself, replacing the package's (None: the package's)."""
    mandatory_only: bool = False
    """The LMS implements the standard's mandatory data only; optional elements answer 'not implemented'."""
    refuses_when_dismissed: bool = False
    """Once the page is being dismissed, the LMS refuses commits and reads (only the finish still saves)."""
    frames_between: int = 0
    """Frames between the LMS page (which holds any API) and the content: 4 puts it five windows up."""
    popup: bool = False
    """The content opens in a new window and finds the LMS only through window.opener."""
    write_delay_s: float = 0.0
    """How long the LMS holds each write (a commit, a statement or state write) before storing and answering."""
    write_only_interactions: bool = False
    """Interactions can be written but not read back."""
    unreachable_writes: int = 0
    """The LMS (an LRS) answers the first this-many writes of each launch with 503, then recovers."""

    @property
    def commit_delay_s(self) -> float:
        """SCORM's name for :attr:`write_delay_s`."""
        return self.write_delay_s

    def to_host(self) -> dict[str, object]:
        """The neutral part of the profile the LMS page applies (static/host.js): frames and popup."""
        return {"name": self.name, "framesBetween": self.frames_between, "popup": self.popup}


DEFAULT = LmsProfile(
    name="default",
    summary="a well-behaved LMS: stores what the content sends, never overrides its status",
    models="The reference behaviour: every data model element implemented, writes stored at once, the API in "
           "the parent frame, the status exactly as the content set it.",
    sources=("SCORM 1.2 Run-Time Environment, the cmi.core data model (entry, lesson_status, exit)",
             "xAPI 1.0.3 Communication (statements and the State API); cmi5 section 9"),
)

MASTERY_OVERRIDE = LmsProfile(
    name="mastery-override",
    summary="at the end of a session the LMS sets passed/failed from the score against the mastery score",
    models="With a mastery score (SCORM 1.2 adlcp:masteryscore, given to the SCO as "
           "cmi.student_data.mastery_score), the LMS recomputes the status from the score when the content "
           "finishes, overriding what the content set, 'incomplete' included, when credit is 'credit' and the "
           "mode 'normal'. This is scorm-again's mastery_override (its Scorm12API's default when settings are "
           "given), Moodle's 'Mastery score overrides status' activity setting, and SCORM Engine's 'Score "
           "Overrides Status' package property.",
    sources=(
        "scorm-again 3.4.3 dist/scorm-again.js: Scorm12API.storeData, settings.mastery_override",
        "Moodle SCORM activity setting 'Mastery score overrides status' (masteryoverride), described at "
        "https://dualcode.atlassian.net/wiki/spaces/Healthcare/pages/34858600/Overriding+the+Status+of+SCORM+Activities",
        "https://support.scorm.com/hc/en-us/articles/206167486-Mastery-Score-and-SCORM-1-2",
        "SCORM 1.2 Conformance Requirements, p. 2-19 (the LMS may change lesson_status from the mastery score)",
    ),
    overrides_status=True,
)

LMS_MASTERY = LmsProfile(
    name="lms-mastery",
    summary="the LMS gives the content its own mastery score (70), whatever the package says",
    models="An administrator sets the passing score in the LMS activity settings; the LMS hands that value to the "
           "content (SCORM 1.2 cmi.student_data.mastery_score, SCORM 2004 cmi.scaled_passing_score, cmi5 "
           "LaunchData masteryScore) instead of the package's own.",
    sources=(
        "ILIAS: 'SCORM 1.2: Ability to adjust cmi.student_data.mastery_score by settings (not only manifest)', "
        "https://docu.ilias.de/go/wiki/wpage_2542_1357",
        "https://community.articulate.com/discussions/articulate-storyline/"
        "how-to-eliminate-the-masteryscore-element-from-imsmanifest-xml (Saba, per-deployment passing scores)",
        "cmi5 section 10 (LMS.LaunchData masteryScore: the LMS may override the course structure's)",
    ),
    mastery_percent=70.0,
)

STRICT = LmsProfile(
    name="strict",
    summary="mandatory elements only: optional data model elements answer 'not implemented'",
    models="SCORM makes interactions, objectives, student data and the lesson mode optional; LMSs that implement "
           "only the mandatory core answer reads of them with 'not implemented' and an empty string.",
    sources=(
        "https://github.com/adaptlearning/adapt-contrib-spoor/issues/294 (no cmi.interactions._count)",
        "https://github.com/adaptlearning/adapt-contrib-spoor/issues/316 (KnowBe4: errors on cmi.objectives)",
        "LiaScript-Exporter issue #36 (an LMS without cmi.core.lesson_mode)",
    ),
    mandatory_only=True,
)

UNLOAD_NULL = LmsProfile(
    name="unload-null",
    summary="once the page is being dismissed, commits fail and reads answer null",
    models="Cornerstone OnDemand returns early from Commit as the browser unloads (null, error 391), waiting "
           "for the implicit commit of Finish instead; reads during dismissal get nothing. Only the finish "
           "still saves the data then.",
    sources=(
        "https://github.com/adaptlearning/adapt_framework/issues/2222",
        "https://github.com/adaptlearning/adapt-contrib-spoor/pull/180",
    ),
    refuses_when_dismissed=True,
)

DEEP_FRAMES = LmsProfile(
    name="deep-frames",
    summary="the content five windows below the LMS page: host page, four nested frames, then the content",
    models="LMS players wrap content in frame sets of their own (navigation bars, wrappers, a cross-domain "
           "proxy page), so the API object sits several parents up; SCORM content must walk window.parent.",
    sources=("SCORM 1.2 Run-Time Environment, API discovery (the parent chain, then the opener)",
             "SCORM 2004 4th edition RTE 3.3.6.1 (API_1484_11 discovery, up to 500 parents then the opener)"),
    frames_between=4,
)

DEEP_FRAMES_POPUP = LmsProfile(
    name="deep-frames-popup",
    summary="the content opens in a popup window and finds the LMS only through window.opener",
    models="LMSs that launch content 'in a new window' (Moodle's display: new window, SCORM Cloud's "
           "launch in new window) leave the API in the opening window: no parent of the content holds it.",
    sources=("SCORM 1.2 Run-Time Environment, API discovery (the opener's chain)",
             "Moodle SCORM activity setting 'Display package: New window'"),
    popup=True,
)

SLOW = LmsProfile(
    name="slow",
    summary="each write takes 2 s to be stored and answered",
    models="A loaded LMS answers each commit (or LRS write) after seconds; runtimes that commit asynchronously "
           "(scorm-again's useAsynchronousCommits, every xAPI client) return at once, so a page closed "
           "mid-write depends on the request surviving the page (fetch keepalive).",
    sources=("scorm-again 3.4.3 settings useAsynchronousCommits, asyncModeBeaconBehavior (README)",),
    write_delay_s=2.0,
)

WRITE_ONLY_INTERACTIONS = LmsProfile(
    name="write-only-interactions",
    summary="interactions can be written but never read back",
    models="SCORM 1.2 defines most cmi.interactions.n.* elements as write-only; some LMSs extend that to the "
           "whole branch, _count included, so content cannot read back what it wrote.",
    sources=("SCORM 1.2 Run-Time Environment, cmi.interactions (write-only elements)",
             "https://github.com/adaptlearning/adapt-contrib-spoor/issues/294"),
    write_only_interactions=True,
)

LRS_OUTAGE = LmsProfile(
    name="lrs-outage",
    summary="the LRS is unreachable for the first 3 writes of each launch (503), then comes back",
    models="An LRS behind a load balancer or a flaky network answers 503 or drops requests for a while; xAPI "
           "clients must queue and retry, losing no statement and sending none twice (statement ids are "
           "generated once, so a retried statement is recognised).",
    sources=("xAPI 1.0.3 Communication 2.1.2 (PUT/POST statements; a statement id the LRS already holds with the "
             "same content is not stored again)",
             "courseforge issue 10: an LRS that goes down and comes back loses no statement and duplicates none"),
    unreachable_writes=3,
)


class ProfileRegistry(Mapping[str, LmsProfile]):
    """Profiles by name, registered explicitly."""

    def __init__(self, profiles: tuple[LmsProfile, ...] = ()) -> None:
        self._profiles: dict[str, LmsProfile] = {}
        for profile in profiles:
            self.register(profile)

    def register(self, profile: LmsProfile) -> None:
        if profile.name in self._profiles:
            raise ValueError(f"LMS profile {profile.name!r} registered twice")
        self._profiles[profile.name] = profile

    def __getitem__(self, name: str) -> LmsProfile:
        try:
            return self._profiles[name]
        except KeyError:
            known = ", ".join(sorted(self._profiles))
            raise KeyError(f"unknown LMS profile {name!r} (known: {known})") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._profiles)

    def __len__(self) -> int:
        return len(self._profiles)


def builtin_profiles() -> ProfileRegistry:
    return ProfileRegistry((DEFAULT, MASTERY_OVERRIDE, LMS_MASTERY, STRICT, UNLOAD_NULL, DEEP_FRAMES,
                            DEEP_FRAMES_POPUP, SLOW, WRITE_ONLY_INTERACTIONS, LRS_OUTAGE))


PROFILES = builtin_profiles()
"""Every built-in profile, by name (``PROFILES["strict"]``)."""
