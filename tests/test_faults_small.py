"""The smaller faults: `new` through a symlink, a .docx zip bomb, escape codes in messages, full-width formulas, a full disk."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import fsutil
from generator.build import BuildError, build_site
from generator.cli import main
from generator.export import _csv_value
from generator.importer.text import MAX_DOCX_INFLATED, UnreadableInput, read_document

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "reports" / "qiaokou-rongmeiti-2024.yaml"


def test_new_never_writes_through_a_dangling_symlink(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    outside = tmp_path / "outside" / "planted.yaml"
    outside.parent.mkdir()
    (reports / "demo-2025.yaml").symlink_to(outside)
    code = main(["new", "--agency", "demo", "--year", "2025", "--reports", str(reports)])
    assert code == 1
    assert not outside.exists(), "nianbao new wrote a file outside through a symlink"
    assert "符号链接" in capsys.readouterr().err


def test_new_still_writes_a_new_file(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    assert main(["new", "--agency", "demo", "--year", "2025", "--reports", str(reports)]) == 0
    assert (reports / "demo-2025.yaml").read_text(encoding="utf-8").startswith("# yaml-language-server")


def _bomb(path: Path, inflated: int) -> None:
    """A .docx-named zip whose document.xml inflates to ``inflated`` bytes of zeros (written in chunks)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(inflated >> 20):
                member.write(chunk)


def test_a_docx_zip_bomb_is_refused_before_anything_is_inflated(tmp_path: Path) -> None:
    bomb = tmp_path / "report.docx"
    _bomb(bomb, 2 * MAX_DOCX_INFLATED)
    assert bomb.stat().st_size < 1_000_000
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableInput, match="解压后有"):
            read_document(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20, f"{peak} bytes used refusing a zip bomb"


def test_escape_codes_in_a_file_are_shown_not_sent_to_the_terminal(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("机关名称:", '"\\e[32m检查通过\\e[0m\\e[2K": x\n机关名称:', 1)
    (tmp_path / SAMPLE.name).write_text(text, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "generator", "check", str(tmp_path)], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    out = done.stdout + done.stderr
    assert "\x1b" not in out
    assert "\\x1b[32m检查通过\\x1b[0m" in out  # the key, as a reader of the log can see it


def test_full_width_formula_signs_are_quoted_in_csv() -> None:
    for sign in "＝＋－＠=+-@":
        assert _csv_value(f"{sign}HYPERLINK(1)") == f"'{sign}HYPERLINK(1)"
    assert _csv_value("硚口区") == "硚口区"


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    project = tmp_path / "project"
    for name in ("content", "site_overrides", "reports"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    yield project


def test_a_full_disk_is_a_chinese_error_and_leaves_no_temporary_file(project: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    cache = project / ".nianbao-cache"
    cache.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(cache)], capture_output=True).returncode == 0
    if not mounted:  # no mount allowed: the write fails as a full disk fails it
        real = fsutil.write_entry

        def full(path: Path, data: bytes) -> None:
            if len(data) > 50_000:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            real(path, data)

        monkeypatch.setattr(fsutil, "write_entry", full)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the published site")
    cwd = Path.cwd()
    os.chdir(project)
    try:
        with pytest.raises(BuildError) as failed:
            build_site(project / "mkdocs.yml", site)
        message = str(failed.value)
        assert "磁盘空间不足" in message and "保持不变" in message, message
        assert "内部错误" not in message
        assert (site / "index.html").read_text() == "the published site"
        assert not [p for p in cache.rglob("*") if p.name.endswith(".tmp")], "a .tmp left in the cache"
        assert not list(tmp_path.glob(".site.building-*"))
    finally:
        os.chdir(cwd)
        if mounted:
            subprocess.run(["umount", "-l", str(cache)], check=False)
