"""The LMS side of ``courseforge preview``: a local test LMS that runs any package as an LMS would.

API (what the robot, the vendor smoke test and the command use)::

    from courseforge.stages.preview.harness import LmsSession, PreviewServer, PROFILES

    with PreviewServer() as server:                       # 127.0.0.1, a free port; find_runtime() inside
        package = server.serve_package("safety-en", zip_bytes)   # -> ServedPackage
        package.scos                                      # every SCO of every organization (Sco objects)
        session = LmsSession(server, package, sco=package.scos[0], profile="mastery-override",
                             learner=Learner("learner-1", "Learner, Test"))
        page, frame = session.launch(context)             # Playwright BrowserContext -> (Page, content Frame)
        ...                                               # act in ``frame`` as a learner
        session.close()                                   # closes the window like a learner, waits for the
                                                          # final commit
        session.events()     # tuple[ApiEvent, ...]: every LMSInitialize/GetValue/SetValue/Commit/Finish/
                             # GetLastError/GetErrorString/GetDiagnostic with result (JavaScript null as
                             # "null"), error code and ms since the launch began
        session.commits()    # tuple[Commit, ...] of this launch (.terminate, .cmi nested, .received_s, .stored_s)
        session.record()     # dict[str, str]: the stored record flattened, {"cmi.core.lesson_status": ...}
        session.launch_record()   # the neutral LaunchRecord the format's plug-in reads from it
        session.finish_count()
        page, frame = session.relaunch(context)           # next launch from what the LMS stored:
                                                          # resume after exit "suspend", else a new attempt

- ``PreviewServer(runtime=None, plugins=None, profiles=PROFILES, log_level=4)``: ``.base_url``,
  ``.root`` (the served folder), ``.serve_package(name, data)``, ``.serve_directory(name, folder)``,
  ``.store`` (the SQLite store). One server for a whole run; packages are extracted once.
- ``LmsSession(server, package, sco=None, profile="default", learner=None, options=None)``: one learner at
  one SCO. ``.page`` is the content's window, ``.host_page`` the LMS window (the same unless the profile
  opens a popup), ``.frame`` the content frame; ``.console`` and ``.page_errors`` collect both windows';
  ``.live_cmi()``, ``.finished()``, ``.wait_finished()``, ``.stored_cmi()`` (nested), ``.attempt``
  (number, loaded cmi, resumed), ``.attempt_commits()``, ``.not_found()``.
- ``PROFILES`` (``profiles.py``): ``default``, ``mastery-override``, ``lms-mastery``, ``strict``,
  ``unload-null``, ``deep-frames``, ``deep-frames-popup``, ``slow``, ``write-only-interactions``,
  ``lrs-outage``; each an ``LmsProfile`` of neutral traits documenting the LMS behaviour it models and its
  sources; each plug-in says what a profile means for its standard, or that it does not apply.
- ``find_runtime(explicit=None, project_root=None)`` / ``install_runtime()`` / ``RuntimeMissing``
  (``runtime.py``): how scorm-again and axe-core are found (``LmsRuntime.axe_core.path`` is the file the
  accessibility audit injects).
- Plug-ins (``plugins/``, the protocol in ``interface.py``): a registry keyed by ``PackageFormat``;
  ``plugins/scorm12.py`` reads imsmanifest.xml and seeds cmi (mastery_score, launch_data,
  max_time_allowed, time_limit_action, entry, credit, lesson_mode, student_id/name) on scorm-again's
  Scorm12API (``plugins/scorm_again.py``, shared with SCORM 2004), and reads cmi back into the neutral
  ``LaunchRecord`` (``session.launch_record()``).
"""

from courseforge.stages.preview.harness.interface import (
    Attempt,
    HarnessPlugin,
    LaunchOptions,
    Learner,
    LmsSide,
    ServedPackage,
    Unit,
)
from courseforge.stages.preview.harness.plugins import PluginRegistry, default_plugins
from courseforge.stages.preview.harness.plugins.scorm12 import Sco
from courseforge.stages.preview.harness.profiles import PROFILES, LmsProfile, ProfileRegistry, Refusal
from courseforge.stages.preview.harness.runtime import (
    PINNED,
    LmsRuntime,
    RuntimeMissing,
    find_runtime,
    install_command,
    install_runtime,
)
from courseforge.stages.preview.harness.server import PreviewServer
from courseforge.stages.preview.harness.session import LmsSession, flatten_cmi
from courseforge.stages.preview.harness.store import Commit

__all__ = [
    "PINNED",
    "PROFILES",
    "Attempt",
    "Commit",
    "HarnessPlugin",
    "LaunchOptions",
    "Learner",
    "LmsProfile",
    "LmsRuntime",
    "LmsSession",
    "LmsSide",
    "PluginRegistry",
    "PreviewServer",
    "ProfileRegistry",
    "Refusal",
    "RuntimeMissing",
    "Sco",
    "ServedPackage",
    "Unit",
    "default_plugins",
    "find_runtime",
    "flatten_cmi",
    "install_command",
    "install_runtime",
]
