"""Fail when a command or a setting is not documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
OWN_APPS = (
    "biocommunity.core",
    "biocommunity.people",
    "biocommunity.registry",
    "biocommunity.indicators",
    "biocommunity.assessment",
    "biocommunity.matching",
    "biocommunity.jobs",
)


def test_readme_starts_with_the_two_commands() -> None:
    block = README.split("```sh", 1)[1].split("```", 1)[0].strip().splitlines()
    assert [line.split("#")[0].strip() for line in block] == ["make demo", "make test"]


def test_every_own_command_is_documented() -> None:
    own = [name for name, app in get_commands().items() if app in OWN_APPS]
    assert own, "expected the project's own commands"
    missing = [n for n in own if f"biocommunity {n.replace('_', '-')}" not in README]
    assert not missing, f"commands missing from README: {missing}"


def test_every_environment_setting_is_documented() -> None:
    sources = [
        ROOT / "src/biocommunity/settings.py",
        ROOT / "scripts/run_tests.py",
        ROOT / "tests/browser/conftest.py",
    ]
    names: set[str] = set()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r"environ(?:\.get)?\(\s*\"([A-Z_]+)\"", text))
        names |= set(re.findall(r"_env_flag\(\s*\"([A-Z_]+)\"", text))
        names |= set(re.findall(r"environ\[\"([A-Z_]+)\"\]", text))
    names -= {"CI", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    assert "DATABASE_URL" in names
    missing = sorted(n for n in names if f"`{n}`" not in README)
    assert not missing, f"settings missing from README: {missing}"
