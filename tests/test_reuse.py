"""A rebuild takes the unchanged pages from the published site, and publishes what a clean build would.

Each edit below is built twice: in place (``site/``, reusing the published pages) and into a new
folder (no published site, so every page is rendered). The two trees must be the same bytes, and
the in-place build must have reused pages where the edit leaves them unchanged.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from projects import site_copy

ROOT = Path(__file__).resolve().parent.parent
NIANBAO = [sys.executable, "-m", "generator"]
SAMPLE = "reports/qiaokou-rongmeiti-2024.yaml"
REUSED = re.compile(r"页面：(\d+) 页与上次构建相同，直接沿用；(\d+) 页重新生成")


def _build(project: Path, *args: str) -> tuple[int, int]:
    """Build; return (pages reused, generated pages rendered) as the build printed them."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([*NIANBAO, "build", *args], cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    m = REUSED.search(proc.stderr)
    return (int(m[1]), int(m[2])) if m else (0, -1)


def _tree(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(site.rglob("*")) if p.is_file()}


def _same_as_clean(project: Path, tmp: Path, name: str) -> None:
    clean = tmp / f"clean-{name}"
    assert _build(project, "-d", str(clean)) == (0, -1)  # a folder never published: nothing to reuse
    built, expected = _tree(project / "site"), _tree(clean)
    assert sorted(built) == sorted(expected)
    differ = [path for path in built if built[path] != expected[path]]
    assert not differ, f"{name}: pages differ from a clean build: {differ[:5]}"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = site_copy(tmp_path_factory.mktemp("reuse"))
    assert _build(project) == (0, -1)  # the first build: nothing published yet
    return project


def test_an_unchanged_site_reuses_every_generated_page_but_the_data_page(project: Path, tmp_path: Path) -> None:
    reused, rendered = _build(project)
    assert reused > 30 and rendered == 1  # data.md shows the sizes of files written after the pages
    _same_as_clean(project, tmp_path, "unchanged")


def test_editing_one_report_renders_only_the_pages_that_show_it(project: Path, tmp_path: Path) -> None:
    data = project / "site" / "data"
    before = {p.name: p.stat().st_ino for p in data.glob("nianbao-*.*")}
    _edit(project / SAMPLE, "中心2024年在", "中心在2024年")
    reused, rendered = _build(project)
    # its page, its agency's and year's, the indexes and its regions' statistics; not the other reports'
    assert reused >= 20 and 2 <= rendered <= 16, (reused, rendered)
    html = (project / "site" / "reports" / "qiaokou-rongmeiti-2024.html").read_text(encoding="utf-8")
    assert "中心在2024年" in html
    # open data: the other years' collections are the published files themselves (taken, not made again)
    after = {p.name: p.stat().st_ino for p in data.glob("nianbao-*.*")}
    assert sorted(after) == sorted(before)
    kept = {name for name in after if after[name] == before[name]}
    assert {"nianbao-2020.csv", "nianbao-2020.xlsx", "nianbao-2020.json"} <= kept, sorted(kept)
    assert not {"nianbao-2024.csv", "nianbao-2024.xlsx", "nianbao-2024.json", "nianbao-long.csv"} & kept, sorted(kept)
    _same_as_clean(project, tmp_path, "edited")


def test_a_new_and_a_removed_report_change_the_index_pages(project: Path, tmp_path: Path) -> None:
    source = project / "reports" / "shili" / "shili-qu-jiaoyuju-2024.yaml"
    removed = project / "reports" / "shili" / "shili-qu-shichang-jianguanju-2020.yaml"
    removed.unlink()
    copy = source.with_name("shili-qu-jiaoyuju-2023.yaml")
    text = source.read_text(encoding="utf-8")
    copy.write_text(text.replace("2024", "2023").replace("2025", "2024"), encoding="utf-8")
    reused, rendered = _build(project)
    assert reused > 10 and rendered > 3, (reused, rendered)
    assert not (project / "site" / "reports" / "shili-qu-shichang-jianguanju-2020.html").exists()
    assert (project / "site" / "reports" / "shili-qu-jiaoyuju-2023.html").exists()
    _same_as_clean(project, tmp_path, "added-removed")


def test_a_page_changed_after_publishing_is_rendered_again(project: Path, tmp_path: Path) -> None:
    page = project / "site" / "reports" / "shili-qu-jiaoyuju-2024.html"
    good = page.read_bytes()
    page.write_bytes(good.replace(b"</body>", b"<p>hand edit</p></body>"))
    _build(project)
    assert page.read_bytes() == good
    _same_as_clean(project, tmp_path, "hand-edited")


@pytest.mark.parametrize("change", ["site_name", "template", "hand-written page"])
def test_what_every_page_shows_renders_every_page_again(project: Path, tmp_path: Path, change: str) -> None:
    if change == "site_name":
        _edit(project / "mkdocs.yml", "site_name: 政府信息公开工作年度报告", "site_name: 政府信息公开年报")
    elif change == "template":
        overrides = project / "site_overrides"
        main = overrides / "main.html"
        main.write_text('{% extends "base.html" %}\n{% block announce %}本站试运行{% endblock %}\n', encoding="utf-8")
    else:
        _edit(project / "content" / "index.md", "title: 首页", "title: 本站首页")
    reused, rendered = _build(project)
    assert reused == 0, (change, reused, rendered)
    _same_as_clean(project, tmp_path, change)


def test_a_host_site_with_other_plugins_renders_every_page(tmp_path: Path) -> None:
    project = site_copy(tmp_path)
    _edit(project / "mkdocs.yml", "plugins:\n", "plugins:\n  - search\n")
    assert _build(project) == (0, -1)
    assert _build(project) == (0, -1)  # Material's search reads every page: none is taken as it was
