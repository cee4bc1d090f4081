"""The lock files and the tools that read them: hashed, portable, and in agreement."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ("requirements.txt", "requirements-dev.txt")
PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+)")


def _pins(name: str) -> dict[str, str]:
    """{package: version} of a lock file; asserts each pin carries a hash."""
    pins = {}
    text = (ROOT / name).read_text()
    # A requirement with its hashes is one logical line continued with backslashes.
    for line in text.replace("\\\n", " ").splitlines():
        match = PIN.match(line)
        if match:
            assert "--hash=sha256:" in line, f"{name}: {match[1]} has no hash"
            pins[match[1].lower()] = match[2]
    return pins


@pytest.mark.parametrize("name", LOCKS)
def test_lock_files_are_hashed_and_name_no_local_index(name):
    text = (ROOT / name).read_text()
    assert _pins(name)
    for line in text.splitlines():
        option = line.strip()
        if option.startswith("-") and not option.startswith("--hash="):
            pytest.fail(f"{name}: machine-specific option {option!r}")
    assert "file:" not in text
    assert "/opt/" not in text


def test_runtime_lock_is_the_dev_lock_without_dev_tools():
    runtime, dev = _pins("requirements.txt"), _pins("requirements-dev.txt")
    assert {name: dev.get(name) for name in runtime} == runtime
    for dev_only in ("honcho", "pytest", "ruff", "import-linter"):
        assert dev_only in dev
        assert dev_only not in runtime
    # Only deployments that send through Amazon SES need boto3 (README).
    assert "boto3" not in dev


def test_pre_commit_runs_the_ruff_ci_runs():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    (ruff,) = [r for r in config["repos"] if r["repo"].endswith("/ruff-pre-commit")]
    assert ruff["rev"] == "v" + _pins("requirements-dev.txt")["ruff"]


def test_installs_check_hashes_and_the_image_gets_runtime_packages_only():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes -r requirements.txt" in dockerfile
    assert "requirements-dev" not in dockerfile
    assert "--require-hashes -r requirements-dev.txt" in (ROOT / "dev").read_text()
