"""Putting cached files into the site."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def place(source: Path, target: Path) -> None:
    """Put ``source`` at ``target``: a hard link where possible (cache files never change), else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def place_tree(source: Path, target: Path) -> None:
    """Reproduce the folder ``source`` at ``target`` file by file with place()."""
    for path in source.rglob("*"):
        if path.is_file():
            place(path, target / path.relative_to(source))
