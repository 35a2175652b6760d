"""Which Chromium a preview drives: ``--browser PATH``, else the system's (Debian's ``chromium``), else the
one Playwright manages on the user's machine (``playwright install chromium``)."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import Browser, Playwright

SYSTEM_CHROMIUMS = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_ARGS = (
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
"""Without these Chromium keeps trying to reach the network and to use a GPU."""


class BrowserMissing(Exception):
    """No usable Chromium; the message says how to get one."""


def system_chromium() -> Path | None:
    for name in SYSTEM_CHROMIUMS:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def launch_chromium(playwright: Playwright, executable: Path | None = None) -> Browser:
    """Headless Chromium: the one named, the system's, or Playwright's own (in that order)."""
    path = executable or system_chromium()
    if executable is not None and not executable.is_file():
        raise BrowserMissing(f"--browser {executable}: no such file")
    try:
        if path is not None:
            return playwright.chromium.launch(executable_path=str(path), args=list(CHROMIUM_ARGS))
        return playwright.chromium.launch(args=list(CHROMIUM_ARGS))
    except Exception as error:  # Playwright raises its own Error type with the browser's message
        raise BrowserMissing(f"could not start Chromium ({path or 'Playwright-managed'}): "
                             f"{str(error).splitlines()[0]}; install the 'chromium' package, pass --browser PATH, "
                             "or run 'playwright install chromium'") from error
