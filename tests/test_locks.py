"""The lock files pin every dependency pyproject.toml names, at a version it allows."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", re.M)


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


CASES = [("prod.lock", r) for r in PYPROJECT["project"]["dependencies"]] + [
    ("dev.lock", r)
    for r in PYPROJECT["project"]["dependencies"] + PYPROJECT["dependency-groups"]["dev"]
]


@pytest.mark.parametrize(("lock", "requirement"), CASES)
def test_every_dependency_is_pinned_in_the_lock_at_a_version_pyproject_allows(lock, requirement):
    wanted = Requirement(requirement)
    pinned = pins(lock).get(canonicalize_name(wanted.name))
    assert pinned is not None, f"{wanted.name} is missing from requirements/{lock}"
    assert wanted.specifier.contains(pinned, prereleases=True), (
        f"requirements/{lock} pins {wanted.name}=={pinned}, pyproject.toml asks {wanted}"
    )


def test_the_locks_agree_on_every_package_they_share():
    prod, dev = pins("prod.lock"), pins("dev.lock")
    assert {name: prod[name] for name in prod} == {name: dev[name] for name in prod}
