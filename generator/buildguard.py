"""What keeps ``nianbao build`` from destroying anything: a safe target, one build at a time.

The output folder is replaced wholesale at the end of a build, so a target that is the project
(``-d .``), its sources or its caches would be replaced by the site. Two builds of one target at
once would delete each other's staging folders. So a target is checked against the project's
folders, a lock beside the target is held for the whole build (``flock``: the system releases it
when its holder dies, however it dies), and only staging folders whose process is gone are removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path


class TargetError(Exception):
    """A target folder that must not be built into, or one that another build holds."""


def _related(a: Path, b: Path) -> str | None:
    """Return how ``a`` (the target) stands to ``b``: is, contains, is inside, or None."""
    if a == b:
        return "就是"
    if a in b.parents:
        return "包含"
    if b in a.parents:
        return "位于"
    return None


def refuse_target(target: Path, project: Path, protected: dict[str, Path]) -> None:
    """Raise TargetError when ``target`` is or contains the project, or touches a protected folder.

    ``protected`` names folders (docs_dir, reports_dir, the caches, .git) that the target may
    neither be, contain nor lie inside. Paths are compared resolved, so a symlink is no way around.
    """
    target = target.resolve()
    project = project.resolve()
    if target == project or target in project.parents:
        raise TargetError(f"输出目录 {target} {'就是' if target == project else '包含'}项目目录 {project}；"
                          "发布时输出目录会被整个替换，项目（含 .git）将被删除。请另选输出目录（默认 site/）")
    for name, folder in protected.items():
        how = _related(target, folder.resolve())
        if how is not None:
            raise TargetError(f"输出目录 {target} {how}{name} {folder.resolve()}；"
                              "发布时输出目录会被整个替换。请另选输出目录（默认 site/）")


def lock_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.lock")


@contextlib.contextmanager
def build_lock(target: Path, command: str = "nianbao build") -> Iterator[None]:
    """Hold the one lock of ``target`` for the body; TargetError names the holder when it is taken.

    The lock file is removed when the build ends, so nothing is left beside the site. That is safe
    because a build that got the lock then checks that the file it locked is still the one at the
    path: one that locked a file just removed tries again.
    """
    path = lock_path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            who = _holder(fd)
            os.close(fd)
            raise TargetError(f"另一个构建正在生成 {target}（{who}）；同一输出目录一次只能有一个构建，"
                              "请等它结束后再试") from None
        try:
            same = os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the holder removed it as we locked it: lock the new one
    try:
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%d %H:%M:%S"),
                  "command": command}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder, ensure_ascii=False).encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)  # still holding the lock: whoever opens the old file next sees it is gone
        os.close(fd)  # releases the lock


def _holder(fd: int) -> str:
    """Describe the build that holds the lock, from what it wrote into the lock file."""
    try:
        holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"进程 {int(holder['pid'])}，主机 {holder['host']}，始于 {holder['since']}，命令 {holder['command']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "持有者未知"


def staging_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.building-{os.getpid()}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def remove_dead_staging(target: Path) -> list[Path]:
    """Remove the staging folders of builds of ``target`` whose process is gone; return them."""
    removed = []
    for stale in target.parent.glob(f".{target.name}.building-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or stale.is_symlink() or not stale.is_dir():
            continue  # not a folder nianbao made: leave it
        if int(pid) != os.getpid() and _alive(int(pid)):
            continue
        shutil.rmtree(stale, ignore_errors=True)
        removed.append(stale)
    return removed
