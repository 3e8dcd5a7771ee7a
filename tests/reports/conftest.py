"""The `scored` fixture: a hand-written scored output folder (see scored_folder.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scored_folder import write_scored


@pytest.fixture
def scored(tmp_path) -> Path:
    return write_scored(tmp_path / "scored")
