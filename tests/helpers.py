"""Helpers shared by test modules: the repository root and a runner for the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_cli(args: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT,
            timeout: int = 1800) -> subprocess.CompletedProcess:
    """Run the real `warlens` entry point in a subprocess and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "warlens", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def watched_page(browser, server):
    """A page that accepts downloads, and the list of every request it makes outside the service."""
    page = browser.new_context(accept_downloads=True).new_page()
    outside = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith((server, "blob:", "data:")) else None)
    return page, outside
