"""Pagefind is pinned to the version whose index layout pagefind_merge/pagefind_canon read."""

from __future__ import annotations

import re
import stat
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from generator import pagefind_pin, search
from generator.search import SearchIndexError, write_index

ROOT = Path(__file__).resolve().parent.parent


def test_pyproject_pins_the_version_the_code_reads() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    (pin,) = [d for d in deps if d.startswith("pagefind")]
    assert re.fullmatch(rf"pagefind\[extended\]=={re.escape(pagefind_pin.PAGEFIND_VERSION)}", pin), pin
    assert metadata.version("pagefind") == pagefind_pin.PAGEFIND_VERSION
    assert metadata.version("pagefind_bin_extended") == pagefind_pin.PAGEFIND_VERSION


def test_the_installed_binary_is_the_pinned_version() -> None:
    assert pagefind_pin.binary_version(search.pagefind_binary()) == pagefind_pin.PAGEFIND_VERSION


def test_another_version_stops_the_index_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "pagefind_extended"
    fake.write_text("#!/bin/sh\necho 'pagefind_extended 1.4.0'\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(search, "_find_pagefind", lambda: str(fake))
    with pytest.raises(SearchIndexError) as caught:
        write_index([], tmp_path / "out")
    message = str(caught.value)
    assert "已安装 1.4.0" in message and f"需要 {pagefind_pin.PAGEFIND_VERSION}" in message
    assert not (tmp_path / "out").exists()
