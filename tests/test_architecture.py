"""The import-layers contract (pyproject.toml, import-linter) holds, and it would catch
a violation: a copy of the apps with one upward import breaks it."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The apps the contract names: read from the contract itself, one list.
APPS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
    "root_packages"
]


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy_apps(target: Path) -> None:
    for app in APPS:
        shutil.copytree(
            ROOT / app, target / app, ignore=shutil.ignore_patterns("data", "*.pyc")
        )
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")


def test_the_code_keeps_the_layers_contract(tmp_path):
    _copy_apps(tmp_path)
    result = _lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    _copy_apps(tmp_path)
    # The mistake the contract exists for: the send path reaching up into an app.
    mail = tmp_path / "harbor" / "mail.py"
    mail.write_text(
        mail.read_text() + "\nfrom supporters.selectors import suppressed_emails\n"
    )
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "harbor.mail -> supporters.selectors" in result.stdout
