"""requirements.lock keeps up with pyproject.toml: every declared dependency is pinned there."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", re.MULTILINE)


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        lines.extend(extra)
    return [Requirement(line) for line in lines]


def through_extras(requirements: list[Requirement]) -> list[Requirement]:
    """What the extras asked of dependencies bring in (``python-socketio[asyncio_client]``:
    aiohttp), read from the installed distributions' metadata."""
    brought = []
    for requirement in requirements:
        for extra in requirement.extras:
            for line in importlib.metadata.requires(requirement.name) or []:
                wanted = Requirement(line)
                marker = wanted.marker
                # Only what the extra adds, not the distribution's own dependencies.
                if (
                    marker
                    and marker.evaluate({"extra": extra})
                    and not marker.evaluate({"extra": ""})
                ):
                    brought.append(wanted)
    return brought


def pinned(text: str) -> dict[str, str]:
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


def unlocked(requirements: list[Requirement], pins: dict[str, str]) -> list[str]:
    """The requirements the pins leave out or contradict, in words."""
    problems = []
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        version = pins.get(name)
        if version is None:
            problems.append(f"{requirement} is not in the lock")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement} does not allow the locked {name}=={version}")
    return problems


def test_every_dependency_and_extra_is_locked() -> None:
    pins = pinned((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    requirements = declared()
    assert unlocked(requirements, pins) == [], "run ./dev lock after changing dependencies"
    assert unlocked(through_extras(requirements), pins) == [], "the lock lost an extra"


def test_the_check_notices_a_missing_or_contradicted_pin() -> None:
    requirements = [Requirement("flask>=3.1,<4"), Requirement("aiohttp>=3.4")]
    pins = pinned("flask==2.3.0 \\\n    --hash=sha256:00\nyarl==1.0\n")
    assert unlocked(requirements, pins) == [
        "flask<4,>=3.1 does not allow the locked flask==2.3.0",
        "aiohttp>=3.4 is not in the lock",
    ]
