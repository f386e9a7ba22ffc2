"""A copy of this repository's site (content, theme overrides, reports, mkdocs.yml) for tests that build it."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def site_copy(tmp: Path) -> Path:
    """Copy the repository's site into ``tmp/project`` and return that folder."""
    project = tmp / "project"
    for name in ("content", "site_overrides", "reports"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    return project
