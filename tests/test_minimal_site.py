"""A folder with only reports/ and a three-line mkdocs.yml: a Chinese word for what is missing, then a whole site."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = "site_name: 示例县政府信息公开年报\ntheme: material\nplugins:\n  - nianbao:\n      pdf: false\n"


def _build(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "build"], cwd=folder, capture_output=True, text=True, timeout=600)


def test_missing_docs_dir_is_said_in_chinese_then_a_home_page_is_made(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    shutil.copy2(ROOT / "reports" / "shili" / "shili-qu-jiaoyuju-2024.yaml", tmp_path / "reports")
    (tmp_path / "mkdocs.yml").write_text(MINIMAL, encoding="utf-8")
    done = _build(tmp_path)
    assert done.returncode == 1
    assert "docs_dir 指向的目录 docs/ 不存在" in done.stderr and "nianbao init" in done.stderr
    assert "Config value" not in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "site").exists()

    (tmp_path / "docs").mkdir()
    done = _build(tmp_path)
    assert done.returncode == 0, done.stderr
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "示例县政府信息公开年报" in home
    assert 'href="reports/shili-qu-jiaoyuju-2024/"' in home  # MkDocs' default use_directory_urls, respected
    assert (tmp_path / "site" / "search" / "index.html").is_file()


def test_a_home_page_of_the_site_wins(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    shutil.copy2(ROOT / "reports" / "shili" / "shili-qu-jiaoyuju-2024.yaml", tmp_path / "reports")
    (tmp_path / "mkdocs.yml").write_text(MINIMAL.replace("  - nianbao:\n", "  - nianbao:\n      search: false\n"), encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# 本县自己的首页\n", encoding="utf-8")
    done = _build(tmp_path)
    assert done.returncode == 0, done.stderr
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "本县自己的首页" in home and "nianbao:latest" not in home
