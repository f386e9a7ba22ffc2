"""Only regular files under reports/ are read, and never more than the size limit needs."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generator import validate as validate_module
from generator.source import MAX_BYTES, read_source
from generator.validate import _validate_cached, code_fingerprint, validate

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "reports" / "qiaokou-rongmeiti-2024.yaml"


def _reports(tmp: Path) -> Path:
    reports = tmp / "reports"
    reports.mkdir()
    (reports / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    return reports


def _f8(tmp: Path) -> list[tuple[str, str]]:
    result = validate([tmp / "reports"])
    return [(Path(f.file).name, f.message) for f in result.findings if f.rule == "F8"]


def test_a_symlink_out_of_the_tree_is_refused_and_its_content_never_shown(tmp_path: Path) -> None:
    reports = _reports(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:SECRET-LINE\n")
    (reports / "passwd-2024.yaml").symlink_to(secret)
    (reports / "dangling-2024.yaml").symlink_to(tmp_path / "nowhere")
    result = validate([reports])
    assert "SECRET-LINE" not in "".join(f.message for f in result.findings)
    assert sorted(_f8(tmp_path)) == [
        ("dangling-2024.yaml", "此文件是无效的符号链接，未读取；请把报告文件本身（普通的 YAML 文本文件）放进报告目录"),
        ("passwd-2024.yaml", "此文件是指向报告目录之外的符号链接，未读取；请把报告文件本身（普通的 YAML 文本文件）放进报告目录"),
    ]
    assert len(result.reports) == 1


def test_a_symlink_inside_the_tree_is_read(tmp_path: Path) -> None:
    reports = _reports(tmp_path)
    (reports / "sub").mkdir()
    (reports / "sub" / SAMPLE.name).symlink_to(reports / SAMPLE.name)
    assert _f8(tmp_path) == []
    assert len(validate([reports]).reports) == 2


def test_a_fifo_and_a_device_are_never_opened(tmp_path: Path) -> None:
    reports = _reports(tmp_path)
    os.mkfifo(reports / "fifo-2024.yaml")
    (reports / "zero-2024.yaml").symlink_to("/dev/zero")
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(_f8(tmp_path)), daemon=True)
    worker.start()
    worker.join(30)
    assert done, "check hung on a FIFO or /dev/zero"
    assert sorted(name for name, _ in done[0]) == ["fifo-2024.yaml", "zero-2024.yaml"]


def test_the_cli_check_of_a_fifo_ends(tmp_path: Path) -> None:
    reports = _reports(tmp_path)
    os.mkfifo(reports / "fifo-2024.yaml")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "generator", "check", str(reports)], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1 and "F8" in done.stdout + done.stderr


def test_a_file_is_read_only_up_to_the_limit(tmp_path: Path) -> None:
    huge = tmp_path / "huge-2024.yaml"
    with huge.open("wb") as f:
        f.truncate(500 * MAX_BYTES)  # 1 GB, sparse
    start = time.monotonic()
    src = read_source(huge)
    assert time.monotonic() - start < 5
    assert [f.rule for f in src.findings] == ["F7"] and f"超过 {MAX_BYTES} 字节" in src.findings[0].message


def test_a_fifo_passed_by_name_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "a-2024.yaml"
    os.mkfifo(fifo)
    result = validate([fifo])
    assert [f.rule for f in result.findings] == ["F8"]


def test_the_check_cache_keys_the_bytes_it_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An editor saving during a check must not get version B's result stored under version A's key."""
    path = _reports(tmp_path) / SAMPLE.name
    version_a = SAMPLE.read_bytes()
    version_b = version_a.replace("    行政许可: {本年处理决定数量: 0}".encode(), "    行政许可: {本年处理决定数量: 1.5}".encode())
    assert version_b != version_a
    real_read = validate_module.read_bytes

    def read_then_save(p: Path) -> bytes:
        data = real_read(p)
        p.write_bytes(version_b)  # the editor saves right after the key's read
        return data

    cache = (tmp_path / "cache", code_fingerprint())
    monkeypatch.setattr(validate_module, "read_bytes", read_then_save)
    _, findings = _validate_cached(path, cache)
    assert not [f for f in findings if f.is_error], "the result is not the result of the bytes keyed"
    monkeypatch.setattr(validate_module, "read_bytes", real_read)
    path.write_bytes(version_a)
    _, again = _validate_cached(path, cache)
    assert not [f for f in again if f.is_error]
    path.write_bytes(version_b)
    _, broken = _validate_cached(path, cache)
    assert "R5" in [f.rule for f in broken]
