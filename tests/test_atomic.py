"""A build killed at any moment leaves the published site intact; two builds give the same bytes."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from projects import site_copy

ROOT = Path(__file__).resolve().parent.parent
NIANBAO = [sys.executable, "-m", "generator"]


def _tree(site: Path, search: bool = True) -> dict[str, str]:
    """Hash every file; without ``search``, leave out Pagefind's hash-named index files."""
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file() and (search or not p.relative_to(site).as_posix().startswith("pagefind/"))
    }


def _build(project: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([*NIANBAO, "build"], cwd=project, env=env, capture_output=True, text=True, timeout=600)


def test_killed_builds_never_damage_the_published_site(tmp_path: Path) -> None:
    project = site_copy(tmp_path)
    started = time.monotonic()
    assert _build(project).returncode == 0
    duration = time.monotonic() - started
    site = project / "site"
    before = _tree(site)
    assert "index.html" in before and "reports/qiaokou-rongmeiti-2024.html" in before
    # an edit, so that a completed build would publish something different; build it aside once
    report = project / "reports" / "qiaokou-rongmeiti-2024.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace("中心2024年在", "中心在2024年", 1), encoding="utf-8")
    aside = subprocess.run([*NIANBAO, "build", "-d", str(tmp_path / "new")], cwd=project, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                           capture_output=True, text=True, timeout=600)
    assert aside.returncode == 0
    new = _tree(tmp_path / "new", search=False)
    old = _tree(site, search=False)
    backup = tmp_path / "old-site"
    shutil.copytree(site, backup)
    warm = time.monotonic()  # PDFs are cached now: a rebuild takes this long
    assert _build(project).returncode == 0
    duration = time.monotonic() - warm
    rng = random.Random(20261128)
    killed_before_swap: set[bool] = set()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for _ in range(6):
        shutil.rmtree(site)  # publish the old site again, so every kill starts from it
        shutil.copytree(backup, site)
        proc = subprocess.Popen([*NIANBAO, "build"], cwd=project, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.05, duration * 1.2))
        os.killpg(proc.pid, signal.SIGKILL)  # the build and its PDF workers, at once
        proc.wait()
        # the published site is either the old one, whole, or (if the swap happened) the whole new one
        now = _tree(site, search=False)
        assert now in (old, new), "site damaged by a killed build"
        assert (site / "pagefind" / "pagefind.js").exists() and (site / "pagefind" / "pagefind-entry.json").exists()
        killed_before_swap.add(now == old)
    assert True in killed_before_swap, "no kill landed before the swap: the test proved nothing"
    done = _build(project)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _tree(site, search=False) == new
    assert not [p for p in project.iterdir() if p.name.startswith((".site.building", ".site.old"))], "staging left behind"


@pytest.mark.parametrize("epoch", ["1735732800"])
def test_two_builds_give_the_same_bytes(tmp_path: Path, epoch: str) -> None:
    project = site_copy(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(ROOT), SOURCE_DATE_EPOCH=epoch)

    def build(out: str) -> dict[str, str]:
        done = subprocess.run([*NIANBAO, "build", "-d", str(tmp_path / out)], cwd=project, env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        return _tree(tmp_path / out)

    one = build("one")
    shutil.rmtree(project / ".nianbao-cache")  # the second build renders every PDF and file again
    two = build("two")
    differ = sorted(k for k in set(one) | set(two) if one.get(k) != two.get(k))
    assert differ == []  # PDFs, XLSX and the search index included (Pagefind's output canonicalized)
    assert any(k.endswith(".pdf") for k in one) and any(k.endswith(".xlsx") for k in one)
    assert any(k.endswith(".pf_filter") for k in one)
    assert build("three") == two  # and with every cache in place
