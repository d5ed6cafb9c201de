"""Fixtures shared by test modules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")  # Debian's package
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory) -> Path:
    """The seeds built once, as a user builds them (``python -m kg build seeds -o OUT --no-store``):
    the folder holds graph.ttl and kg build's default map, graph.html. Read it, do not write to it."""
    out = tmp_path_factory.mktemp("seeds_build") / "out"
    proc = subprocess.run([sys.executable, "-m", "kg", "build", "seeds", "-o", str(out), "--no-store"],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests need {reason} in CI (run scripts/ci_install_browser.sh)")
    pytest.skip(f"{reason} not available (scripts/ci_install_browser.sh installs it)")


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, through Playwright: one per test module. Without it the tests skip,
    unless CI is set: then they fail."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python (pip install -e '.[test]')")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"Debian's chromium ({CHROMIUM})")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
