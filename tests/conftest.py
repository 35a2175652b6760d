"""Fixtures every test folder shares: the session's one headless Chromium (see tests/chromium.py); and no build
server for any command a test runs, in this process or a subprocess, unless the test asks for one in the
environment it gives the command (tests/server/)."""

import os

from playwright.sync_api import expect

from tests.chromium import chromium

__all__ = ["chromium"]

os.environ["COURSEFORGE_SERVER"] = "off"

# Playwright's assertions wait 5 s by default. The suite runs on two workers of a 2-core machine, each with its
# browser, LMS and LRS servers: at that load a page that will show what is expected can take longer. A condition
# that never holds still fails, only later.
expect.set_options(timeout=15_000)
