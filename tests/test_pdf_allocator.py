"""The PDF workers' memory allocator (generator/pdf/allocator.py, ``pdf_allocator`` in mkdocs.yml).

That workers under jemalloc and a process under glibc's malloc give the same bytes, and that the
workers really run under it, is tested on 30 reports in tests/test_pipeline.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from projects import site_copy

from generator.pdf import allocator

BIN = Path(sys.executable).parent


def test_auto_is_the_systems_jemalloc_and_system_is_none() -> None:
    lib = allocator.jemalloc()
    assert lib is not None and lib.is_file(), "libjemalloc2 is not installed (./dev installs it)"
    assert allocator.library("auto") == lib
    assert allocator.library("system") is None
    assert allocator.library(str(lib)) == lib.resolve()


def test_a_library_that_does_not_exist_is_named_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(allocator.AllocatorError, match=r"pdf_allocator 应为 auto、system 或一个共享库文件的路径，找不到：.*nothing\.so"):
        allocator.library(str(tmp_path / "nothing.so"))


def test_preloading_is_added_to_what_the_user_preloads_and_put_back(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    lib = tmp_path / "libx.so"
    monkeypatch.setenv("LD_PRELOAD", "/opt/a.so:/opt/b.so")
    with allocator.preloaded(lib):
        assert os.environ["LD_PRELOAD"] == f"/opt/a.so /opt/b.so {lib}"
    assert os.environ["LD_PRELOAD"] == "/opt/a.so:/opt/b.so"
    monkeypatch.delenv("LD_PRELOAD")
    with allocator.preloaded(lib):
        assert os.environ["LD_PRELOAD"] == str(lib)
    assert "LD_PRELOAD" not in os.environ
    with allocator.preloaded(None):
        assert "LD_PRELOAD" not in os.environ


def test_a_wrong_pdf_allocator_stops_the_build_in_chinese_and_keeps_the_site(tmp_path: Path) -> None:
    project = site_copy(tmp_path)
    config = (project / "mkdocs.yml").read_text(encoding="utf-8").replace("search: true", "search: false")
    assert "pdf: true" in config
    (project / "mkdocs.yml").write_text(config.replace("pdf: true", "pdf: true\n      pdf_allocator: /no/such/libmalloc.so"), encoding="utf-8")
    (project / "site").mkdir()
    (project / "site" / "index.html").write_text("published", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run([str(BIN / "nianbao"), "build"], cwd=project, env=env, capture_output=True, text=True, timeout=600)
    out = done.stdout + done.stderr
    assert done.returncode != 0
    assert "pdf_allocator 应为 auto、system 或一个共享库文件的路径，找不到：/no/such/libmalloc.so" in out
    assert "Traceback" not in out
    assert (project / "site" / "index.html").read_text(encoding="utf-8") == "published"
