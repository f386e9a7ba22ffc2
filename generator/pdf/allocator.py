"""The memory allocator of the PDF worker processes.

Typst allocates and frees millions of small objects per report (layout frames, memoized calls,
glyph runs, the font subsets). Under glibc's malloc that cost a fifth of a worker's CPU in a cold
build of 2,000 reports (perf: _int_malloc, _int_free, unlink_chunk, malloc_consolidate); with
jemalloc preloaded, a report's PDF takes about 15 % less CPU (bench/typst_alloc.py, both in one run,
two workers: 36.0 against 30.6 CPU-ms per report, ratio 0.85). The allocator cannot change a PDF's bytes (tests/test_pdf_allocator.py renders
the same reports under both and compares them), so the cache keys do not name it.

``pdf_allocator`` in mkdocs.yml: ``auto`` (jemalloc when the system has it: Debian's
``libjemalloc2``, which ./dev installs), ``system`` (glibc's malloc), or the path of a
shared library to preload.
"""

from __future__ import annotations

import contextlib
import os
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

AUTO, SYSTEM = "auto", "system"
_JEMALLOC = "libjemalloc.so.2"


class AllocatorError(ValueError):
    """A ``pdf_allocator`` that names no library."""


def jemalloc() -> Path | None:
    """Return the system's jemalloc, or None."""
    if not sys.platform.startswith("linux"):
        return None
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    for folder in (f"/usr/lib/{multiarch}", f"/lib/{multiarch}", "/usr/lib64", "/usr/lib", "/usr/local/lib"):
        candidate = Path(folder) / _JEMALLOC
        if candidate.is_file():
            return candidate
    return None


def library(setting: str) -> Path | None:
    """Return the library the workers preload for ``setting``, None for the system's malloc."""
    if setting == SYSTEM:
        return None
    if setting == AUTO:
        return jemalloc()
    path = Path(setting).expanduser()
    if not path.is_file():
        raise AllocatorError(f"mkdocs.yml 的 pdf_allocator 应为 auto、system 或一个共享库文件的路径，找不到：{setting}")
    return path.resolve()


@contextlib.contextmanager
def preloaded(lib: Path | None) -> Iterator[None]:
    """Within the block, processes started (the spawned workers) preload ``lib``.

    A spawned worker inherits this process's environment when it starts; the variable is put back
    as soon as the workers are started, so nothing else this process starts later preloads it.
    """
    if lib is None:
        yield
        return
    before = os.environ.get("LD_PRELOAD")
    entries = [*(before.replace(":", " ").split() if before else []), str(lib)]
    os.environ["LD_PRELOAD"] = " ".join(dict.fromkeys(entries))
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("LD_PRELOAD", None)
        else:
            os.environ["LD_PRELOAD"] = before


def in_use() -> str:
    """Return the preloaded allocator of this process, by the library mapped into it ('' for none)."""
    try:
        maps = Path("/proc/self/maps").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    for name in ("jemalloc", "mimalloc", "tcmalloc"):
        if f"lib{name}" in maps:
            return name
    return ""
