"""The preview harness works: packages launch under the test LMS with what an LMS seeds from the
manifest, commits persist and relaunches resume from them, each behaviour profile is what content sees,
and scorm-again/axe-core are found (or missed with the fix named) in the documented order.

The content here is the hand-written mini SCO (tests/browser/fixtures/mini_sco), driven through its own
``api`` handle (the object it found by SCORM's discovery), so what a test sees is what content sees.
"""

from __future__ import annotations

import itertools
import json
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Frame

from courseforge.model.package import PackageFormat
from courseforge.stages.preview.harness import (
    PINNED,
    PROFILES,
    LaunchOptions,
    Learner,
    LmsSession,
    PreviewServer,
    RuntimeMissing,
    ServedPackage,
    default_plugins,
    find_runtime,
    flatten_cmi,
    install_command,
    install_runtime,
)
from courseforge.stages.preview.harness.plugins.scorm12 import SCORM12_API, Scorm12Plugin, read_scos, with_parameters
from courseforge.stages.preview.harness.runtime import AXE_CORE, SCORM_AGAIN, XAPI_VALIDATION, candidates
from tests.chromium import missing

MINI_SCO = Path(__file__).parents[1] / "browser" / "fixtures" / "mini_sco"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
_learners = itertools.count(1)

# Two organizations, xml:base on three levels, item parameters, every adlcp element an LMS seeds from,
# and an asset the LMS launches untracked.
MULTI_SCO_MANIFEST = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="multi" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="{ADLCP}" xml:base="content/">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="main">
    <organization identifier="main">
      <title>Main</title>
      <item identifier="part-1" identifierref="res-1" parameters="?lang=de">
        <title>Part one</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
        <adlcp:datafromlms>start=intro</adlcp:datafromlms>
        <adlcp:maxtimeallowed>00:30:00</adlcp:maxtimeallowed>
        <adlcp:timelimitaction>exit,message</adlcp:timelimitaction>
      </item>
      <item identifier="chapter"><title>Chapter</title>
        <item identifier="part-2" identifierref="res-2"><title>Part two</title></item>
      </item>
    </organization>
    <organization identifier="extra">
      <title>Extra</title>
      <item identifier="glossary" identifierref="res-asset"><title>Glossary</title></item>
    </organization>
  </organizations>
  <resources xml:base="scos/">
    <resource identifier="res-1" type="webcontent" adlcp:scormtype="sco" href="index.html?mode=a">
      <file href="index.html"/></resource>
    <resource identifier="res-2" type="webcontent" adlcp:scormtype="sco" xml:base="two/" href="index.html">
      <file href="index.html"/></resource>
    <resource identifier="res-asset" type="webcontent" adlcp:scormtype="asset" href="glossary.html">
      <file href="glossary.html"/></resource>
  </resources>
</manifest>
"""


def mini_sco_with(tmp_path: Path, item_extra: str = "") -> Path:
    """The mini SCO with adlcp elements added to its item (what an author's manifest would carry)."""
    folder = tmp_path / "mini"
    shutil.copytree(MINI_SCO, folder)
    manifest = folder / "imsmanifest.xml"
    title = "<title>Mini SCO</title>"
    text = manifest.read_text(encoding="utf-8").replace(title, title + item_extra)
    manifest.write_text(text, encoding="utf-8")
    return folder


def new_learner() -> Learner:
    number = next(_learners)
    return Learner(f"learner-{number}", f"Learner {number}, Test")


def get(frame: Frame, element: str) -> list[str]:
    """What the content reads for ``element``: [value, last error] through its own API handle."""
    return list(frame.evaluate("e => [String(api.LMSGetValue(e)), String(api.LMSGetLastError())]", element))


# ------------------------------------------------------------------------------------ manifest and attempts

def test_every_sco_of_every_organization_is_read_with_its_launch_and_seeds(tmp_path: Path) -> None:
    (tmp_path / "imsmanifest.xml").write_text(MULTI_SCO_MANIFEST, encoding="utf-8")
    scos = read_scos(tmp_path)
    assert [(s.identifier, s.organization, s.href, s.scorm_type) for s in scos] == [
        ("part-1", "main", "content/scos/index.html?mode=a&lang=de", "sco"),
        ("part-2", "main", "content/scos/two/index.html", "sco"),
        ("glossary", "extra", "content/scos/glossary.html", "asset"),
    ]
    first = scos[0]
    assert (first.title, first.mastery_score, first.launch_data, first.max_time_allowed, first.time_limit_action) \
        == ("Part one", "80", "start=intro", "00:30:00", "exit,message")


def test_item_parameters_join_the_href_as_ims_cp_says() -> None:
    assert with_parameters("a.html", "?x=1") == "a.html?x=1"
    assert with_parameters("a.html?y=2", "&x=1") == "a.html?y=2&x=1"
    assert with_parameters("a.html?y=2", "x=1") == "a.html?y=2&x=1"
    assert with_parameters("a.html", "#page3") == "a.html#page3"
    assert with_parameters("a.html", "") == "a.html"


def test_attempts_resume_after_suspend_and_start_afresh_otherwise(tmp_path: Path) -> None:
    (tmp_path / "imsmanifest.xml").write_text(MULTI_SCO_MANIFEST, encoding="utf-8")
    sco = read_scos(tmp_path)[0]
    plugin = default_plugins()[PackageFormat.SCORM12]
    learner, options = Learner("ada", "Lovelace, Ada"), LaunchOptions()
    first = plugin.first_attempt(sco, learner, PROFILES["default"], options)
    assert first.cmi["core"] == {"entry": "ab-initio", "student_id": "ada", "student_name": "Lovelace, Ada",
                                 "credit": "credit", "lesson_mode": "normal"}
    assert first.cmi["student_data"] == {"mastery_score": "80", "max_time_allowed": "00:30:00",
                                         "time_limit_action": "exit,message"}
    assert first.cmi["launch_data"] == "start=intro"

    stored = {"core": {"exit": "suspend", "session_time": "00:01:00", "lesson_status": "incomplete",
                       "entry": "ab-initio"}, "suspend_data": "p=2"}
    resumed = plugin.next_attempt(first, stored, sco, learner, PROFILES["lms-mastery"], options)
    assert (resumed.number, resumed.resumed, resumed.cmi["core"]["entry"]) == (1, True, "resume")
    assert "exit" not in resumed.cmi["core"] and "session_time" not in resumed.cmi["core"]
    assert resumed.cmi["suspend_data"] == "p=2"
    assert resumed.cmi["student_data"]["mastery_score"] == "70"  # this LMS's own, at every launch
    assert stored["core"]["exit"] == "suspend"  # the stored record is not modified

    ended = {"core": {"exit": "", "lesson_status": "passed"}, "suspend_data": "p=9"}
    fresh = plugin.next_attempt(resumed, ended, sco, learner, PROFILES["default"], options)
    assert (fresh.number, fresh.resumed, fresh.cmi["core"]["entry"]) == (2, False, "ab-initio")
    assert "suspend_data" not in fresh.cmi
    kept = plugin.next_attempt(resumed, ended, sco, learner, PROFILES["default"],
                               LaunchOptions(new_attempt_after_exit=False))
    assert (kept.number, kept.cmi["core"]["entry"], kept.cmi["suspend_data"]) == (1, "", "p=9")


def test_flattened_record_names_elements_as_scorm_does() -> None:
    cmi = {"core": {"score": {"raw": "90"}, "lesson_status": "passed"}, "interactions": {"0": {"id": "q1"}},
           "objectives": [{"id": "o1"}], "suspend_data": None}
    assert flatten_cmi(cmi) == {"cmi.core.score.raw": "90", "cmi.core.lesson_status": "passed",
                                "cmi.interactions.0.id": "q1", "cmi.objectives.0.id": "o1", "cmi.suspend_data": ""}


def test_every_profile_is_registered_documented_and_configuration_only() -> None:
    assert set(PROFILES) == {"default", "mastery-override", "lms-mastery", "strict", "unload-null", "deep-frames",
                             "deep-frames-popup", "slow", "write-only-interactions", "lrs-outage"}
    scorm12 = Scorm12Plugin()
    for profile in PROFILES.values():
        assert profile.summary and profile.models and profile.sources, profile.name
        json.dumps(profile.to_host())  # everything the host page gets is plain data
        json.dumps(SCORM12_API.to_host(scorm12.settings(profile), scorm12.refusals(profile)))
    assert scorm12.settings(PROFILES["default"])["mastery_override"] is False
    assert scorm12.settings(PROFILES["mastery-override"])["mastery_override"] is True
    assert scorm12.settings(PROFILES["slow"]) == {"mastery_override": False, "useAsynchronousCommits": True}
    assert [r.error for r in scorm12.refusals(PROFILES["strict"])] == ["401", "401"]
    assert [(r.methods, r.when.value) for r in scorm12.refusals(PROFILES["unload-null"])] == [
        (("LMSCommit",), "dismissed"), (("LMSGetValue",), "dismissed")]
    meanings = {name: scorm12.profile_meaning(profile) for name, profile in PROFILES.items()}
    assert meanings["lrs-outage"] is None, "SCORM has no request to lose: the profile does not apply"
    assert meanings["lms-mastery"] == "cmi.student_data.mastery_score 70"
    assert all(meanings[name] for name in PROFILES if name != "lrs-outage")
    with pytest.raises(KeyError, match=r"unknown LMS profile 'moodle'.*known: deep-frames"):
        PROFILES["moodle"]


# ------------------------------------------------------------------------------------ runtime lookup

def fake_node_modules(folder: Path, versions: dict[str, str]) -> Path:
    """A node_modules folder as npm lays it out: package.json with the version, and the served file."""
    for package in PINNED:
        if package.name in versions:
            root = folder / "node_modules" / package.name
            (root / package.file).parent.mkdir(parents=True, exist_ok=True)
            (root / package.file).write_text(f"/* {package.name} */", encoding="utf-8")
            (root / "package.json").write_text(json.dumps({"name": package.name, "version": versions[package.name]}),
                                               encoding="utf-8")
    return folder


def pinned(**overrides: str) -> dict[str, str]:
    return {package.name: overrides.get(package.name.replace("-", "_"), package.version) for package in PINNED}


def test_runtime_lookup_order_explicit_environment_project_checkout_cache(tmp_path: Path) -> None:
    explicit = fake_node_modules(tmp_path / "explicit", pinned())
    env_dir = fake_node_modules(tmp_path / "env", pinned())
    project = fake_node_modules(tmp_path / "project", pinned())
    cache = tmp_path / "cache"
    environ = {"COURSEFORGE_NODE_MODULES": str(env_dir / "node_modules"), "XDG_CACHE_HOME": str(cache)}
    checkout = tmp_path / "checkout"

    looked_at = candidates(explicit, project, environ, checkout)
    assert [(c.origin, c.node_modules) for c in looked_at] == [
        ("--lms-runtime", explicit / "node_modules"),
        ("$COURSEFORGE_NODE_MODULES", env_dir / "node_modules"),
        ("project", project / "node_modules"),
        ("courseforge checkout", checkout / "node_modules"),
        ("user cache", cache / "courseforge" / "lms-runtime" / "node_modules"),
    ]
    found = find_runtime(explicit, project, environ, checkout)
    assert (found.scorm_again.origin, found.scorm_again.path) == (
        "--lms-runtime", explicit / "node_modules" / "scorm-again" / SCORM_AGAIN.file)
    assert find_runtime(None, project, environ, checkout).axe_core.origin == "$COURSEFORGE_NODE_MODULES"
    assert find_runtime(None, project, {}, None).axe_core.origin == "project"

    # A folder with another version does not count; the next one that has the pin does, per package.
    wrong = fake_node_modules(tmp_path / "wrong", pinned(scorm_again="3.5.0"))
    mixed = find_runtime(wrong, project, {}, None)
    assert (mixed.scorm_again.origin, mixed.axe_core.origin) == ("project", "--lms-runtime")

    # What install-runtime fills is found last, without any setting.
    fake_node_modules(cache / "courseforge" / "lms-runtime", pinned())
    assert find_runtime(None, None, {"XDG_CACHE_HOME": str(cache)}, None).scorm_again.origin == "user cache"


def test_a_missing_runtime_names_every_folder_tried_and_the_fix(tmp_path: Path) -> None:
    wrong = fake_node_modules(tmp_path / "wrong", pinned(scorm_again="3.5.0", axe_core="4.0.0"))
    with pytest.raises(RuntimeMissing) as caught:
        find_runtime(wrong, tmp_path / "project", {"XDG_CACHE_HOME": str(tmp_path / "cache")}, None)
    message = str(caught.value)
    assert message.startswith("the LMS runtime for courseforge preview is not installed: axe-core, scorm-again "
                              f"(pinned: {SCORM_AGAIN.spec} {AXE_CORE.spec} {XAPI_VALIDATION.spec})")
    assert f"--lms-runtime: {wrong / 'node_modules'} (version 3.5.0)" in message
    assert f"project: {tmp_path / 'project' / 'node_modules'} (not installed)" in message
    assert f"user cache: {tmp_path / 'cache' / 'courseforge' / 'lms-runtime' / 'node_modules'}" in message
    assert "fix: run `courseforge preview install-runtime`" in message
    assert f"npm install --save-exact {SCORM_AGAIN.spec} {AXE_CORE.spec} {XAPI_VALIDATION.spec}" in message


def test_install_runtime_runs_npm_for_the_pins_and_reports_its_failure(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real npm, kept off the network: --offline with an empty npm cache must fail, and say how."""
    npm = shutil.which("npm")
    if npm is None:
        missing("npm not found")
    prefix = tmp_path / "runtime"
    assert install_command(prefix, "npm") == ["npm", "install", "--prefix", str(prefix), "--save-exact", "--no-audit",
                                              "--no-fund", SCORM_AGAIN.spec, AXE_CORE.spec, XAPI_VALIDATION.spec]
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "empty-npm-cache"))
    with pytest.raises(RuntimeMissing, match=r"--offline scorm-again@3\.4\.3 axe-core@.* failed with exit code"):
        install_runtime(prefix, npm, offline=True)
    with pytest.raises(RuntimeMissing, match="cannot run npm"):
        install_runtime(tmp_path / "other", str(tmp_path / "no-such-npm"))


# ------------------------------------------------------------------------------------ in the browser

@pytest.fixture(scope="module")
def seeded(preview_server: PreviewServer, tmp_path_factory: pytest.TempPathFactory) -> ServedPackage:
    """The mini SCO with a mastery score of 80, launch data and a time limit in its manifest."""
    folder = mini_sco_with(tmp_path_factory.mktemp("seeded"), (
        "<adlcp:masteryscore>80</adlcp:masteryscore><adlcp:datafromlms>chapter=2</adlcp:datafromlms>"
        "<adlcp:maxtimeallowed>00:20:00</adlcp:maxtimeallowed><adlcp:timelimitaction>continue,no message"
        "</adlcp:timelimitaction>"))
    return preview_server.serve_directory("seeded", folder)


def session(server: PreviewServer, package: ServedPackage, profile: str = "default") -> LmsSession:
    return LmsSession(server, package, profile=profile, learner=new_learner())


@pytest.mark.browser
def test_launch_seeds_what_the_lms_derives_and_every_call_is_recorded(
        preview_server: PreviewServer, seeded: ServedPackage, preview_context: BrowserContext) -> None:
    lms = session(preview_server, seeded)
    _, frame = lms.launch(preview_context)
    assert frame.locator("#entry").text_content() == "ab-initio"
    assert get(frame, "cmi.student_data.mastery_score") == ["80", "0"]
    assert get(frame, "cmi.launch_data") == ["chapter=2", "0"]
    assert get(frame, "cmi.student_data.max_time_allowed") == ["00:20:00", "0"]
    assert get(frame, "cmi.student_data.time_limit_action") == ["continue,no message", "0"]
    assert get(frame, "cmi.core.student_id") == [lms.learner.id, "0"]
    assert get(frame, "cmi.core.credit") == ["credit", "0"]
    assert get(frame, "cmi.core.lesson_mode") == ["normal", "0"]
    assert get(frame, "cmi.core.exit") == ["", "404"]  # write-only: scorm-again's own answer

    frame.get_by_role("button", name="Finish").click()
    lms.close()

    events = lms.events()
    assert [(e.method, e.arguments, e.result, e.error) for e in events[:3]] == [
        ("LMSInitialize", ("",), "true", "0"),
        ("LMSGetValue", ("cmi.core.entry",), "ab-initio", "0"),
        ("LMSGetValue", ("cmi.suspend_data",), "", "0"),
    ]
    assert ("LMSGetLastError", (), "404", "404") in [(e.method, e.arguments, e.result, e.error) for e in events]
    assert [e.method for e in events[-3:]] == ["LMSSetValue", "LMSCommit", "LMSFinish"]
    assert all(0 <= a.at_ms <= b.at_ms for a, b in itertools.pairwise(events))
    assert lms.finish_count() == 1
    assert [c.terminate for c in lms.commits()] == [False, True]
    record = lms.record()
    assert (record["cmi.core.lesson_status"], record["cmi.core.score.raw"], record["cmi.suspend_data"]) \
        == ("passed", "90", "page=3")
    assert lms.not_found() == ()
    assert lms.page_errors == []


@pytest.mark.browser
def test_relaunch_resumes_a_suspended_attempt_and_a_new_session_finds_the_same_record(
        preview_server: PreviewServer, seeded: ServedPackage, preview_context: BrowserContext) -> None:
    lms = session(preview_server, seeded)
    lms.launch(preview_context)
    lms.close()  # closed halfway: the SCO's pagehide handler suspends at page 1
    assert lms.record()["cmi.core.exit"] == "suspend"

    _, frame = lms.relaunch(preview_context)
    assert (frame.locator("#entry").text_content(), frame.locator("#suspend").text_content()) == ("resume", "page=1")
    assert lms.attempt is not None and (lms.attempt.number, lms.attempt.resumed) == (1, True)
    frame.get_by_role("button", name="Finish").click()
    lms.close()

    # Another session of the same learner (the robot's next scenario step) starts from the store too.
    again = LmsSession(preview_server, seeded, learner=lms.learner)
    _, frame = again.launch(preview_context)
    assert (frame.locator("#entry").text_content(), frame.locator("#suspend").text_content()) == ("resume", "page=3")
    assert get(frame, "cmi.core.lesson_status") == ["passed", "0"]
    # Leaving normally ends the attempt: the next launch is a new one with a fresh record.
    frame.evaluate("() => { api.LMSSetValue('cmi.core.exit', ''); api.LMSFinish(''); }")
    again.close()
    _, frame = again.relaunch(preview_context)
    assert (frame.locator("#entry").text_content(), frame.locator("#suspend").text_content()) == ("ab-initio", "")
    assert again.attempt is not None and again.attempt.number == 2
    again.close()


@pytest.mark.browser
def test_each_sco_of_a_multi_sco_package_keeps_its_own_record(
        preview_server: PreviewServer, preview_context: BrowserContext, tmp_path: Path) -> None:
    folder = tmp_path / "multi"
    for sco_folder in ("content/scos", "content/scos/two"):
        shutil.copytree(MINI_SCO, folder / sco_folder, dirs_exist_ok=True)
    (folder / "content/scos/glossary.html").write_text("<!doctype html><title>Glossary</title>", encoding="utf-8")
    (folder / "imsmanifest.xml").write_text(MULTI_SCO_MANIFEST, encoding="utf-8")
    package = preview_server.serve_directory("multi", folder)
    assert [s.identifier for s in package.scos] == ["part-1", "part-2"]

    learner = new_learner()
    first = LmsSession(preview_server, package, sco="part-1", learner=learner)
    _, frame = first.launch(preview_context)
    assert frame.url.endswith("/content/scos/index.html?mode=a&lang=de")
    frame.get_by_role("button", name="Finish").click()
    first.close()
    second = LmsSession(preview_server, package, sco=package.scos[1], learner=learner)
    _, frame = second.launch(preview_context)
    assert frame.url.endswith("/content/scos/two/index.html")
    assert frame.locator("#entry").text_content() == "ab-initio"  # part 1's record is not part 2's
    assert get(frame, "cmi.student_data.mastery_score") == ["", "0"]
    second.close()
    assert first.record()["cmi.core.lesson_status"] == "passed"
    assert second.record()["cmi.suspend_data"] == "page=1"


# ------------------------------------------------------------------------------------ profiles, as content sees them

@pytest.mark.browser
def test_mastery_override_decides_the_status_at_finish_and_default_does_not(
        preview_server: PreviewServer, seeded: ServedPackage, preview_context: BrowserContext) -> None:
    leave_unfinished = """() => { api.LMSSetValue('cmi.core.score.raw', '72');
        api.LMSSetValue('cmi.core.lesson_status', 'incomplete'); api.LMSSetValue('cmi.core.exit', 'suspend');
        api.LMSFinish(''); }"""
    statuses = {}
    for profile in ("mastery-override", "default"):
        lms = session(preview_server, seeded, profile)
        _, frame = lms.launch(preview_context)
        frame.evaluate(leave_unfinished)
        lms.close()
        statuses[profile] = lms.record()["cmi.core.lesson_status"]
    assert statuses == {"mastery-override": "failed", "default": "incomplete"}


@pytest.mark.browser
def test_lms_mastery_replaces_the_manifest_mastery_score(
        preview_server: PreviewServer, seeded: ServedPackage, preview_context: BrowserContext) -> None:
    lms = session(preview_server, seeded, "lms-mastery")
    _, frame = lms.launch(preview_context)
    assert get(frame, "cmi.student_data.mastery_score") == ["70", "0"]
    lms.close()


@pytest.mark.browser
def test_strict_answers_401_for_optional_elements(
        preview_server: PreviewServer, seeded: ServedPackage, preview_context: BrowserContext) -> None:
    lms = session(preview_server, seeded, "strict")
    _, frame = lms.launch(preview_context)
    for element in ("cmi.interactions._count", "cmi.objectives._count", "cmi.student_data.mastery_score",
                    "cmi.core.lesson_mode"):
        assert get(frame, element) == ["", "401"], element
    assert get(frame, "cmi.core.lesson_status") == ["not attempted", "0"]
    assert frame.evaluate("() => [api.LMSSetValue('cmi.objectives.0.id', 'o1'), api.LMSGetLastError()]") \
        == ["false", "401"]
    assert frame.evaluate("() => api.LMSSetValue('cmi.interactions.0.id', 'q1')") == "true"
    lms.close()


@pytest.mark.browser
def test_write_only_interactions_accepts_writes_and_refuses_reads(
        preview_server: PreviewServer, seeded: ServedPackage, preview_context: BrowserContext) -> None:
    lms = session(preview_server, seeded, "write-only-interactions")
    _, frame = lms.launch(preview_context)
    assert frame.evaluate("() => api.LMSSetValue('cmi.interactions.0.id', 'q1')") == "true"
    assert get(frame, "cmi.interactions._count") == ["", "404"]
    assert get(frame, "cmi.interactions.0.id") == ["", "404"]
    frame.evaluate("() => api.LMSCommit('')")
    assert lms.commits()[-1].cmi["interactions"]["0"]["id"] == "q1"  # the write reached the LMS
    lms.close()


@pytest.mark.browser
@pytest.mark.parametrize(("profile", "hops", "through_opener"), [("deep-frames", 5, False),
                                                                 ("deep-frames-popup", 0, True)])
def test_the_api_is_found_five_frames_up_or_through_the_opener(
        preview_server: PreviewServer, seeded: ServedPackage, preview_context: BrowserContext,
        profile: str, hops: int, through_opener: bool) -> None:
    lms = session(preview_server, seeded, profile)
    page, frame = lms.launch(preview_context)
    where = frame.evaluate("""() => { let win = window, hops = 0;
        while (!win.API && win.parent !== win) { win = win.parent; hops += 1; }
        return {hops: win.API ? hops : -1, opener: Boolean(window.opener && window.opener.API)}; }""")
    assert where == {"hops": hops if not through_opener else -1, "opener": through_opener}
    assert (page is not lms.host_page) is through_opener
    assert frame.locator("#entry").text_content() == "ab-initio"  # the SCO found it and initialized
    frame.get_by_role("button", name="Finish").click()
    lms.close()
    assert lms.record()["cmi.core.lesson_status"] == "passed"


@pytest.mark.browser
def test_unload_null_fails_commits_and_reads_once_the_page_is_dismissed(
        preview_server: PreviewServer, seeded: ServedPackage, preview_context: BrowserContext) -> None:
    lms = session(preview_server, seeded, "unload-null")
    _, frame = lms.launch(preview_context)
    assert frame.evaluate("() => api.LMSCommit('')") == "true"
    frame.evaluate("""() => window.addEventListener('pagehide', () => {
        api.LMSSetValue('cmi.core.lesson_location', 'screen-4'); api.LMSCommit('');
        api.LMSGetValue('cmi.core.lesson_location'); })""")
    lms.close()
    closing = [(e.method, e.arguments, e.result, e.error) for e in lms.events()][-3:]
    assert closing == [("LMSSetValue", ("cmi.core.lesson_location", "screen-4"), "true", "0"),
                       ("LMSCommit", ("",), "false", "391"),
                       ("LMSGetValue", ("cmi.core.lesson_location",), "null", "101")]
    # Only LMSFinish (the mini SCO's own pagehide handler, which ran first) saved the way out.
    assert [c.terminate for c in lms.commits()] == [False, True]


@pytest.mark.browser
def test_slow_stores_each_commit_two_seconds_later_and_a_close_mid_commit_loses_nothing(
        preview_server: PreviewServer, seeded: ServedPackage, preview_context: BrowserContext) -> None:
    lms = session(preview_server, seeded, "slow")
    _, frame = lms.launch(preview_context)
    started = time.monotonic()
    frame.get_by_role("button", name="Finish").click()  # LMSCommit then LMSFinish, both asynchronous
    lms.close()  # at once: both requests are still with the LMS
    closed_after = time.monotonic() - started
    commits = lms.commits()
    assert [c.terminate for c in commits] == [False, True]
    assert all(c.stored_s - c.received_s >= 2.0 for c in commits)
    assert closed_after >= 2.0  # close waited for the final commit
    assert [e.result for e in lms.events() if e.method in ("LMSCommit", "LMSFinish")] == ["true", "true"]
    assert lms.record()["cmi.core.lesson_status"] == "passed"
