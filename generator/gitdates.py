"""When each report file was first published and last changed, from the Git history of its folder.

A report page shows 发布日期 (first publication) and 更新日期 (last change). Both come from one
``git log`` over the reports' folder, read once per build and kept for the next build of the same
commit: a file's newest commit is its update, its oldest (across renames, as ``--follow`` would)
its publication. Without git, outside a repository, or for a file never committed there are no
dates, never an error: the page then shows the YAML key 发布日期 if the editor wrote one.
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

GIT_TIMEOUT = 60  # seconds: a history of 10,000 reports reads in well under one


@dataclass(frozen=True)
class FileDates:
    """The first and the last commit date of one file."""

    added: datetime.date
    updated: datetime.date


_cache: dict[tuple[str, str], dict[Path, FileDates]] = {}


def _git(cwd: Path, *args: str) -> str | None:
    if shutil.which("git") is None:
        return None
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args], cwd=cwd, capture_output=True, text=True,
            encoding="utf-8", errors="replace", timeout=GIT_TIMEOUT, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def file_dates(folder: Path) -> dict[Path, FileDates]:
    """Return the dates of every committed file under ``folder`` (absolute paths), {} without git."""
    folder = folder.resolve()
    if not folder.is_dir():
        return {}
    top = _git(folder, "rev-parse", "--show-toplevel")
    head = _git(folder, "rev-parse", "HEAD")
    if not top or not head:
        return {}
    key = (str(folder), head.strip())
    if key not in _cache:
        log = _git(folder, "log", "--format=%x00%as", "--name-status", "-M", "--no-color", "--", ".")
        _cache.clear()  # one repository state at a time
        _cache[key] = parse_log(log or "", Path(top.strip()))
    return _cache[key]


def parse_log(log: str, top: Path) -> dict[Path, FileDates]:
    """Return the dates by file from ``git log --format=%x00%as --name-status -M`` (newest commit first).

    A rename (R) carries the older commits of the old name over to the file's current name.
    """
    current: dict[str, str] = {}  # a path as named in older commits -> its name today
    dates: dict[str, list[datetime.date]] = {}
    ended: set[str] = set()  # deleted at some commit: what came before was another file of that name
    day: datetime.date | None = None
    for line in log.splitlines():
        if line.startswith("\0"):
            try:
                day = datetime.date.fromisoformat(line[1:].strip())
            except ValueError:
                day = None
            continue
        parts = line.split("\t")
        if day is None or len(parts) < 2:
            continue
        status, path = parts[0], parts[-1]
        name = current.get(path, path)
        if name in ended:
            continue
        if status.startswith("D"):
            ended.add(name)
            continue
        if status.startswith("R") and len(parts) == 3:
            current[parts[1]] = name  # before this commit the file was called parts[1]
        seen = dates.setdefault(name, [day, day])
        seen[0] = min(seen[0], day)
        seen[1] = max(seen[1], day)
    return {top / name: FileDates(first, last) for name, (first, last) in dates.items()}
