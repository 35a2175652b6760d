"""Fixtures every test folder shares: the session's one headless Chromium (see tests/chromium.py)."""

from tests.chromium import chromium

__all__ = ["chromium"]
