"""The import rule of docs/architecture.md, checked by import-linter's contracts in pyproject.toml."""

import subprocess
import sys
from pathlib import Path

from helpers import ROOT


def lint_imports(cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


def test_imports_follow_the_layers():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "2 kept, 0 broken" in result.stdout


def test_a_serving_module_importing_training_breaks_the_contract(tmp_path):
    """A copy of the packages where serving imports training: the check must fail and say where."""
    for package in ("warlens", "serving", "batch", "training", "training/kinds", "inference", "review",
                    "reports"):
        (tmp_path / package).mkdir()
        for source in (ROOT / package).glob("*.py"):
            (tmp_path / package / source.name).write_text(source.read_text())
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    (tmp_path / "serving" / "auth.py").write_text("import training.config\n")
    result = lint_imports(tmp_path, env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1, result.stdout[-3000:]
    assert "serving.auth -> training.config" in result.stdout
