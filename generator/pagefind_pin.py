"""The one Pagefind version nianbao's index code was written against.

pagefind_merge.py and pagefind_canon.py read and write Pagefind's internal index files (CBOR
chunks, fragments, the entry file), whose layout is not a public interface and changes between
releases: with 1.4.0 a site larger than ``search_batch`` failed to build and canonicalisation gave
up silently. The build refuses any other version with a message naming both, rather than
publishing a broken search. pyproject.toml pins the same version (tests/test_pagefind_pin.py).
"""

from __future__ import annotations

import functools
import re
import subprocess

PAGEFIND_VERSION = "1.5.2"


@functools.cache
def binary_version(binary: str) -> str | None:
    """Return the version a Pagefind binary reports, or None when it does not say."""
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return None
    found = re.search(r"\b(\d+\.\d+\.\d+)\b", out.stdout + out.stderr)
    return found[1] if found else None


def mismatch(binary: str) -> str | None:
    """Return why ``binary`` cannot build nianbao's index (in Chinese), or None when it is the pinned version."""
    found = binary_version(binary)
    if found == PAGEFIND_VERSION:
        return None
    return (f"Pagefind 版本不符：已安装 {found or '未知版本'}（{binary}），nianbao 需要 {PAGEFIND_VERSION}，"
            f"因为合并和整理搜索索引的代码按此版本的索引格式编写。请运行："
            f"pip install 'pagefind[extended]=={PAGEFIND_VERSION}'")
