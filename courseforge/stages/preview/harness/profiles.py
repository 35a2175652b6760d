"""LMS behaviour profiles: how the test LMS departs from a well-behaved one, as data.

A profile is configuration for the host page (scorm-again settings, calls the LMS refuses, how deep the
content sits below the API, a popup) and for the server (how long a commit takes). Tests and the robot
pick a profile by name; no code path anywhere branches on a profile's name.

Each profile models an LMS behaviour documented in the field; ``sources`` says where.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class RefusalMoment(StrEnum):
    ALWAYS = "always"
    DISMISSED = "dismissed"
    """Only once the page is being dismissed (pagehide, or visibilitychange to hidden)."""


@dataclass(frozen=True)
class Refusal:
    """An API call the LMS answers with an error instead of passing it to scorm-again.

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
    scorm_again: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    """scorm-again settings on top of the harness defaults (e.g. ``mastery_override``)."""
    mastery_score: str | None = None
    """A mastery score the LMS supplies itself, replacing adlcp:masteryscore (None: the manifest's)."""
    refusals: tuple[Refusal, ...] = ()
    frames_between: int = 0
    """Frames between the host page (which holds the API) and the content: 4 puts the API five windows up."""
    popup: bool = False
    """The content opens in a new window and finds the API only through window.opener."""
    commit_delay_s: float = 0.0
    """How long the server holds each commit before storing it and answering."""

    def to_host(self) -> dict[str, object]:
        """The part of the profile the host page applies (see static/host.js)."""
        return {"name": self.name, "scormAgain": dict(self.scorm_again),
                "refusals": [refusal.to_host() for refusal in self.refusals],
                "framesBetween": self.frames_between, "popup": self.popup}


SCORM12_NOT_IMPLEMENTED = "401"
SCORM12_WRITE_ONLY = "404"
SCORM12_GENERAL_EXCEPTION = "101"
SCORM12_COMMIT_FAILURE = "391"
"""scorm-again's general commit failure; Cornerstone answers 391 with its null commit during unload."""

_WELL_BEHAVED = MappingProxyType({"mastery_override": False})

DEFAULT = LmsProfile(
    name="default",
    summary="a well-behaved SCORM 1.2 LMS: stores what the SCO sets, never overrides its status",
    models="The reference behaviour: every data model element implemented, commits stored at once, the API in "
           "the parent frame, lesson_status exactly as the SCO set it.",
    sources=("SCORM 1.2 Run-Time Environment, the cmi.core data model (entry, lesson_status, exit)",),
    scorm_again=_WELL_BEHAVED,
)

MASTERY_OVERRIDE = LmsProfile(
    name="mastery-override",
    summary="at LMSFinish the LMS sets passed/failed from score.raw against the mastery score",
    models="With a mastery score (adlcp:masteryscore, given to the SCO as cmi.student_data.mastery_score), the "
           "LMS recomputes lesson_status from cmi.core.score.raw when the SCO finishes, overriding what the SCO "
           "set, 'incomplete' included, when credit is 'credit' and lesson_mode 'normal'. This is scorm-again's "
           "mastery_override (its Scorm12API's default when settings are given), Moodle's 'Mastery score "
           "overrides status' activity setting, and SCORM Engine's 'Score Overrides Status' package property.",
    sources=(
        "scorm-again 3.4.3 dist/scorm-again.js: Scorm12API.storeData, settings.mastery_override",
        "Moodle SCORM activity setting 'Mastery score overrides status' (masteryoverride), described at "
        "https://dualcode.atlassian.net/wiki/spaces/Healthcare/pages/34858600/Overriding+the+Status+of+SCORM+Activities",
        "https://support.scorm.com/hc/en-us/articles/206167486-Mastery-Score-and-SCORM-1-2",
        "SCORM 1.2 Conformance Requirements, p. 2-19 (the LMS may change lesson_status from the mastery score)",
    ),
    scorm_again=MappingProxyType({"mastery_override": True}),
)

LMS_MASTERY = LmsProfile(
    name="lms-mastery",
    summary="the LMS gives the SCO its own mastery score (70), whatever adlcp:masteryscore says",
    models="An administrator sets the passing score in the LMS activity settings; the LMS hands that value to the "
           "SCO as cmi.student_data.mastery_score instead of the manifest's adlcp:masteryscore.",
    sources=(
        "ILIAS: 'SCORM 1.2: Ability to adjust cmi.student_data.mastery_score by settings (not only manifest)', "
        "https://docu.ilias.de/go/wiki/wpage_2542_1357",
        "https://community.articulate.com/discussions/articulate-storyline/"
        "how-to-eliminate-the-masteryscore-element-from-imsmanifest-xml (Saba, per-deployment passing scores)",
    ),
    scorm_again=_WELL_BEHAVED,
    mastery_score="70",
)

_NOT_IMPLEMENTED_READS = (
    r"^cmi\.interactions\._count$",
    r"^cmi\.objectives\.",
    r"^cmi\.student_data\.",
    r"^cmi\.core\.lesson_mode$",
)

STRICT = LmsProfile(
    name="strict",
    summary="mandatory elements only: interactions._count, objectives, student_data and lesson_mode answer 401",
    models="SCORM 1.2 makes cmi.interactions, cmi.objectives, cmi.student_data and cmi.core.lesson_mode optional; "
           "LMSs that implement only the mandatory core answer LMSGetValue on them with error 401 (not "
           "implemented) and an empty string.",
    sources=(
        "https://github.com/adaptlearning/adapt-contrib-spoor/issues/294 (no cmi.interactions._count)",
        "https://github.com/adaptlearning/adapt-contrib-spoor/issues/316 (KnowBe4: errors on cmi.objectives)",
        "LiaScript-Exporter issue #36 (an LMS without cmi.core.lesson_mode)",
    ),
    scorm_again=_WELL_BEHAVED,
    refusals=(
        Refusal(("LMSGetValue",), "|".join(_NOT_IMPLEMENTED_READS), SCORM12_NOT_IMPLEMENTED),
        Refusal(("LMSSetValue",), r"^cmi\.objectives\.", SCORM12_NOT_IMPLEMENTED, result="false"),
    ),
)

UNLOAD_NULL = LmsProfile(
    name="unload-null",
    summary="once the page is being dismissed, LMSCommit returns 'false' and LMSGetValue null",
    models="Cornerstone OnDemand returns early from Commit as the browser unloads (null, error 391), waiting "
           "for the implicit commit of Finish instead; reads during dismissal get nothing. Only LMSFinish "
           "still saves the data then.",
    sources=(
        "https://github.com/adaptlearning/adapt_framework/issues/2222",
        "https://github.com/adaptlearning/adapt-contrib-spoor/pull/180",
    ),
    scorm_again=_WELL_BEHAVED,
    refusals=(
        Refusal(("LMSCommit",), "", SCORM12_COMMIT_FAILURE, result="false", when=RefusalMoment.DISMISSED),
        Refusal(("LMSGetValue",), "", SCORM12_GENERAL_EXCEPTION, result=None, when=RefusalMoment.DISMISSED),
    ),
)

DEEP_FRAMES = LmsProfile(
    name="deep-frames",
    summary="the API five windows up: host page, four nested frames, then the content",
    models="LMS players wrap content in frame sets of their own (navigation bars, wrappers, a cross-domain "
           "proxy page), so the API object sits several parents up; SCORM 1.2 content must walk window.parent.",
    sources=("SCORM 1.2 Run-Time Environment, API discovery (the parent chain, then the opener)",),
    scorm_again=_WELL_BEHAVED,
    frames_between=4,
)

DEEP_FRAMES_POPUP = LmsProfile(
    name="deep-frames-popup",
    summary="the content opens in a popup window and finds the API only through window.opener",
    models="LMSs that launch content 'in a new window' (Moodle's display: new window, SCORM Cloud's "
           "launch in new window) leave the API in the opening window: no parent of the content holds it.",
    sources=("SCORM 1.2 Run-Time Environment, API discovery (the opener's chain)",
             "Moodle SCORM activity setting 'Display package: New window'"),
    scorm_again=_WELL_BEHAVED,
    popup=True,
)

SLOW = LmsProfile(
    name="slow",
    summary="each commit takes 2 s to be stored and answered; commits are asynchronous",
    models="A loaded LMS answers each commit after seconds; runtimes that commit asynchronously (scorm-again's "
           "useAsynchronousCommits) return 'true' at once, so a page closed mid-commit depends on the request "
           "surviving the page (fetch keepalive).",
    sources=("scorm-again 3.4.3 settings useAsynchronousCommits, asyncModeBeaconBehavior (README)",),
    scorm_again=MappingProxyType({"mastery_override": False, "useAsynchronousCommits": True}),
    commit_delay_s=2.0,
)

WRITE_ONLY_INTERACTIONS = LmsProfile(
    name="write-only-interactions",
    summary="LMSGetValue on cmi.interactions.* fails (404 write only); LMSSetValue works",
    models="SCORM 1.2 defines most cmi.interactions.n.* elements as write-only; some LMSs extend that to the "
           "whole branch, _count included, so content cannot read back what it wrote.",
    sources=("SCORM 1.2 Run-Time Environment, cmi.interactions (write-only elements)",
             "https://github.com/adaptlearning/adapt-contrib-spoor/issues/294"),
    scorm_again=_WELL_BEHAVED,
    refusals=(Refusal(("LMSGetValue",), r"^cmi\.interactions\.", SCORM12_WRITE_ONLY),),
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
                            DEEP_FRAMES_POPUP, SLOW, WRITE_ONLY_INTERACTIONS))


PROFILES = builtin_profiles()
"""Every built-in profile, by name (``PROFILES["strict"]``)."""
