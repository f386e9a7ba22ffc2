"""The caches' files: where they may be, how they are written, checked, put into the site and deleted.

Every cache lives under the project's ``.nianbao-cache/``, resolved: a cache folder that is (or
passes through) a symlink out of it is refused, because cleaning a cache deletes files. Only names
nianbao gives its entries are ever deleted. An entry is written aside and renamed, with a seal
(its length and SHA-256) beside it, and is trusted only while the seal matches: a truncated or
edited entry is made again. Files go into the site as copies (or reflinks, which the file system
copies on write), never hard links: a write into the cache must not change the published site.
"""

from __future__ import annotations

import atexit
import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import stat
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

CACHE_ROOT = ".nianbao-cache"
SEAL = ".sum"
_FICLONE = 0x40049409  # ioctl: share the source's blocks, copy on write (btrfs, XFS)
# Leftovers of a killed write: ".<entry name>.<pid>.tmp" or ".<entry name>.<pid>" (a folder).
_ASIDE = re.compile(r"^\.(?P<entry>.+)\.(?P<pid>\d+)(?:\.tmp)?$")


class CacheError(Exception):
    """A cache folder outside the project's cache root: using it could delete files elsewhere."""


def cache_folder(root: Path, configured: str | Path) -> Path:
    """Return the cache folder ``configured`` (relative to ``root``), resolved; CacheError outside the cache root."""
    base = (root / CACHE_ROOT).resolve()
    if base != root.resolve() / CACHE_ROOT:
        raise CacheError(f"缓存目录 {root / CACHE_ROOT} 是指向 {base} 的符号链接；清理缓存会删除文件，"
                         f"缓存必须是项目中真实的 {CACHE_ROOT}/ 目录")
    folder = (root / configured).resolve()
    if folder != base and base not in folder.parents:
        raise CacheError(f"缓存目录 {root / configured} 实际位于 {folder}，不在项目的 {CACHE_ROOT}/ 之内；"
                         f"清理缓存会删除文件，请把缓存设在 {CACHE_ROOT}/ 下（如 {CACHE_ROOT}/pdf）")
    return folder


@functools.cache
def library_versions(*names: str) -> str:
    """Return the versions of the named distributions: a cache key part for what their output holds."""
    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} -")
    return "; ".join(found)


def _seal_text(data: bytes) -> str:
    return f"{len(data)} {hashlib.sha256(data).hexdigest()}\n"


def write_entry(path: Path, data: bytes) -> None:
    """Write a cache entry and its seal, each aside then renamed: never half an entry under its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    seal_tmp = path.with_name(f".{path.name}{SEAL}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        seal_tmp.write_text(_seal_text(data))
        os.replace(tmp, path)
        os.replace(seal_tmp, path.with_name(path.name + SEAL))  # a kill between the two: no seal, made again
    except BaseException:  # only then is anything left aside (two unlinks per entry cost a build 3,000 calls)
        tmp.unlink(missing_ok=True)
        seal_tmp.unlink(missing_ok=True)
        raise
    trust(path)


VERIFIED = ".nianbao-verified.json"  # per cache folder: the entries whose hash was checked, by their stat
_verified: dict[Path, dict[str, list[int]]] = {}
_seen: dict[Path, set[str]] = {}  # the names confirmed by this process: only they are written back
_unsaved: set[Path] = set()


def _stamp(path: Path) -> list[int] | None:
    """Return what changes whenever a file and its seal change (ctime cannot be set back), or None."""
    try:
        st, seal = os.lstat(path), os.lstat(path.with_name(path.name + SEAL))
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, seal.st_mtime_ns, seal.st_ctime_ns, seal.st_ino]


def _verified_in(folder: Path) -> dict[str, list[int]]:
    known = _verified.get(folder)
    if known is None:
        try:
            known = json.loads((folder / VERIFIED).read_text(encoding="utf-8"))
            if not isinstance(known, dict):
                known = {}
        except (OSError, ValueError):
            known = {}
        _verified[folder] = known
    return known


def save_verified() -> None:
    """Write the folders' lists of checked entries (at the end of a build): the next build only stats them."""
    for folder in list(_unsaved):
        tmp = folder / f".{VERIFIED}.{os.getpid()}.tmp"
        seen = _seen.get(folder, set())
        kept = {name: stamp for name, stamp in _verified[folder].items() if name in seen}  # deleted entries drop out
        try:
            tmp.write_text(json.dumps(kept, separators=(",", ":")), encoding="utf-8")
            os.replace(tmp, folder / VERIFIED)
        except OSError:
            tmp.unlink(missing_ok=True)  # a read-only cache is only checked again next time
    _unsaved.clear()


atexit.register(save_verified)


def trust(path: Path) -> None:
    """Record an entry just written with its seal (here, or by a worker that says so) as checked.

    Its bytes are those its seal was made from, so the next build need not read and hash it again:
    after a cold build of 10,000 reports, that first check had cost the next build 6 seconds.
    """
    stamp = _stamp(path)
    if stamp is not None:
        parent, base = path.parent, path.name
        _verified_in(parent)[base] = stamp
        _seen.setdefault(parent, set()).add(base)
        _unsaved.add(parent)


def trust_tree(folder: Path) -> None:
    """Record every file of a folder just sealed (seal_tree) and renamed into place as checked, as tree_sealed does."""
    try:
        manifest = os.lstat(folder / MANIFEST)
        names = [line.partition("\0")[0] for line in (folder / MANIFEST).read_text(encoding="utf-8").splitlines()]
        stamps = {}
        for name in names:
            st = os.lstat(folder / name)
            stamps[f"{folder.name}/{name}"] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino,
                                               manifest.st_mtime_ns, manifest.st_ctime_ns, manifest.st_ino]
    except (OSError, ValueError):
        return
    _verified_in(folder.parent).update(stamps)
    _seen.setdefault(folder.parent, set()).update(stamps)
    _unsaved.add(folder.parent)


def sealed(path: Path) -> bool:
    """Return whether ``path`` is a regular file whose length and hash match its seal.

    The hash is checked once: the file's and its seal's size, times and inode are then kept in the
    folder's VERIFIED list, and an entry whose stat is the same is not read again (any write, rename
    or truncation changes its ctime, which no program can set back).
    """
    try:
        name = os.fspath(path)  # two lstat calls and strings: this runs for every cached file of a build
        st, seal_st = os.lstat(name), os.lstat(name + SEAL)
        if not stat.S_ISREG(st.st_mode):  # a symlink or a folder is never a cache entry
            return False
        stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, seal_st.st_mtime_ns, seal_st.st_ctime_ns, seal_st.st_ino]
        parent, base = path.parent, path.name
        known = _verified_in(parent)
        if known.get(base) == stamp:
            _seen.setdefault(parent, set()).add(base)
            return True
        seal = Path(name + SEAL).read_text()
        size, _, digest = seal.strip().partition(" ")
        if int(size) != st.st_size:
            return False
        data = path.read_bytes()
        if len(data) != st.st_size or _seal_text(data) != seal:
            return False
        if _stamp(path) == stamp:  # unchanged while it was read
            known[base] = stamp
            _seen.setdefault(parent, set()).add(base)
            _unsaved.add(parent)
        return True
    except (OSError, ValueError):
        return False


def _clone(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target``: a reflink where the file system can, else the bytes."""
    with source.open("rb") as src, target.open("wb") as dst:
        try:
            fcntl.ioctl(dst.fileno(), _FICLONE, src.fileno())
            return
        except OSError:
            pass
        shutil.copyfileobj(src, dst, 1 << 20)


def place(source: Path, target: Path) -> None:
    """Put a copy of ``source`` at ``target`` (never a hard link: the site must not share the cache's inode)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    _clone(source, target)


MANIFEST = "nianbao-manifest.txt"


def seal_tree(folder: Path) -> None:
    """Write the manifest of ``folder``: every file's path, length and hash."""
    lines = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            data = path.read_bytes()
            lines.append(f"{path.relative_to(folder).as_posix()}\0{_seal_text(data)}")
    (folder / MANIFEST).write_text("".join(lines), encoding="utf-8")


def tree_sealed(folder: Path) -> bool:
    """Return whether ``folder`` holds exactly the files of its manifest, each intact."""
    try:
        if folder.is_symlink():
            return False
        listed = {}
        for line in (folder / MANIFEST).read_text(encoding="utf-8").splitlines(keepends=True):
            name, _, seal = line.partition("\0")
            listed[name] = seal
        present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST}
        if present != set(listed) or any((folder / n).is_symlink() for n in listed):
            return False
        # each file's hash checked once, then known by its stat and the manifest's (as sealed() does)
        # in the parent's list, by "<entry>/<path>": nothing is added to the folder itself
        manifest = os.lstat(folder / MANIFEST)
        known = _verified_in(folder.parent)
        for name, seal in listed.items():
            st = os.lstat(folder / name)
            stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, manifest.st_mtime_ns, manifest.st_ctime_ns, manifest.st_ino]
            key = f"{folder.name}/{name}"
            if known.get(key) != stamp:
                if _seal_text((folder / name).read_bytes()) != seal:
                    return False
                known[key] = stamp
                _unsaved.add(folder.parent)
            _seen.setdefault(folder.parent, set()).add(key)
        return True
    except (OSError, ValueError):
        return False


def place_tree(source: Path, target: Path) -> None:
    """Reproduce the folder ``source`` at ``target`` file by file with place(), without its manifest."""
    for path in source.rglob("*"):
        if path.is_file() and path.name != MANIFEST:
            place(path, target / path.relative_to(source))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_entries(folder: Path, names: Iterable[str]) -> int:
    """Delete the entries ``names`` (files or folders directly in ``folder``) and their seals; return how many.

    Nothing is followed: a symlink among them is removed as a link, never what it points at.
    """
    removed = 0
    for name in names:
        path = folder / name
        if "/" in name or name in ("", ".", ".."):
            continue
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            path.with_name(name + SEAL).unlink(missing_ok=True)
            removed += 1
        except OSError:
            continue
    return removed


def dead_asides(folder: Path, entry: re.Pattern[str]) -> list[str]:
    """Return the names of half-written entries in ``folder`` (named like ``entry``) whose writer is gone."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = []
    for name in names:
        m = _ASIDE.match(name)
        if m is None or not entry.fullmatch(m["entry"].removesuffix(SEAL)):
            continue
        if int(m["pid"]) != os.getpid() and not _alive(int(m["pid"])):
            found.append(name)
    return found
