"""Builds that must not destroy anything: dangerous targets, two builds at once, dead builds' leftovers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.build import BuildError, build_site
from generator.buildguard import build_lock, remove_dead_staging

ROOT = Path(__file__).resolve().parent.parent
NIANBAO = [sys.executable, "-m", "generator"]


def _project(tmp: Path) -> Path:
    project = tmp / "project"
    for name in ("content", "site_overrides", "reports"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return project


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("target", [".", "..", "content", "reports", "reports/shili", "content/guide/site",
                                    ".git", ".nianbao-cache", ".nianbao-cache/pdf/out"])
def test_a_target_that_is_holds_or_lies_in_the_project_sources_is_refused(tmp_path: Path, target: str) -> None:
    project = _project(tmp_path)
    before = _files(tmp_path)
    cwd = Path.cwd()
    os.chdir(project)
    try:
        with pytest.raises(BuildError, match="输出目录") as refused:
            build_site(project / "mkdocs.yml", Path(target))
    finally:
        os.chdir(cwd)
    assert "请另选输出目录" in str(refused.value)
    assert _files(tmp_path) == before, "a refused build changed files"
    assert (project / ".git" / "HEAD").exists()


def test_a_target_reached_through_a_symlink_is_refused_too(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (tmp_path / "link").symlink_to(project / "reports")
    with pytest.raises(BuildError, match="报告目录"):
        build_site(project / "mkdocs.yml", tmp_path / "link")
    assert (project / "reports" / "qiaokou-rongmeiti-2024.yaml").exists()


def test_the_lock_names_its_holder_and_is_released_when_the_holder_dies(tmp_path: Path) -> None:
    target = tmp_path / "site"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; sys.path.insert(0, sys.argv[1]);"
        "from pathlib import Path; from generator.buildguard import build_lock\n"
        "with build_lock(Path(sys.argv[2])):\n    print('held', flush=True); time.sleep(60)"), str(ROOT), str(target)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(Exception, match=rf"另一个构建正在生成 .*进程 {holder.pid}"):
            with build_lock(target):
                pass
    finally:
        holder.kill()
        holder.wait()
    with build_lock(target):  # the dead holder's lock is gone with it
        assert (tmp_path / ".site.lock").exists()
    assert list(tmp_path.iterdir()) == [], "the lock file was left beside the site"


def test_only_staging_of_dead_builds_is_removed(tmp_path: Path) -> None:
    target = tmp_path / "site"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        live = tmp_path / f".site.building-{sleeper.pid}"
        gone = tmp_path / f".site.building-{dead.pid}"
        foreign = tmp_path / ".site.building-notes"
        for folder in (live, gone, foreign):
            folder.mkdir()
            (folder / "index.html").write_text("x")
        assert remove_dead_staging(target) == [gone]
        assert live.exists() and foreign.exists() and not gone.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_two_builds_at_once_one_publishes_the_whole_site_the_other_stops_in_chinese(tmp_path: Path) -> None:
    project = _project(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    first = subprocess.Popen([*NIANBAO, "build"], cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not list(project.glob(".site.building-*")) and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first.poll() is None, "the first build ended before the second could start"
    second = subprocess.run([*NIANBAO, "build"], cwd=project, env=env, capture_output=True, text=True, timeout=600)
    out, err = first.communicate(timeout=600)
    assert second.returncode != 0
    assert f"另一个构建正在生成 {project / 'site'}（进程 {first.pid}" in second.stderr
    assert first.returncode == 0, err[-2000:]
    site = project / "site"
    for page in ("index.html", "assets", "pagefind/pagefind.js", "pagefind/pagefind-entry.json",
                 "reports/qiaokou-rongmeiti-2024.html", "pdf/qiaokou-rongmeiti-2024.pdf"):
        assert (site / page).exists(), page
    assert not list(project.glob(".site.*")), "staging or lock left beside the site"
