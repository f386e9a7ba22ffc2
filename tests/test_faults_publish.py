"""scripts/publish deploys atomically: the whole old site or the whole new one, even on a disk that fills up.

The disk is real: a tmpfs mounted just large enough for the first deploy, then filled up so that
the second deploy runs out of space part-way (rsync exits 11/23 with ENOSPC). Where mounting is not
allowed (no root), a wrapper around the real rsync copies into the staging folder and then fails with
exit 11, as a full disk at the end of the transfer would. The remote path (user@host:/path) runs
through an ``ssh`` on PATH that executes the command on this machine, as sshd would.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COPY = ("content", "reports", "site_overrides", "generator", "scripts", "mkdocs.yml", "pyproject.toml", "dev", "README.md")
REPORT = "reports/qiaokou-rongmeiti-2024.yaml"


def _project(tmp: Path) -> Path:
    project = tmp / "project"
    project.mkdir()
    for name in COPY:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, project / name)
    (project / ".venv").symlink_to(ROOT / ".venv")
    return project


def _env(project: Path, target: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # bytecode on, as on users' machines
    env.update(NIANBAO_DEPLOY_TARGET=target, NIANBAO_SITE_DIR=str(project / "site"), NIANBAO_SKIP_INSTALL="1", **extra)
    return env


def _publish(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "scripts/publish"], cwd=project, env=env, capture_output=True, text=True, timeout=900)


def _tree(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def _edit(project: Path, old: str, new: str) -> None:
    report = project / REPORT
    report.write_text(report.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path | None]:
    """A real file system of its own (tmpfs, 64 MB) where mounting is allowed, else None."""
    where = tmp_path / "disk"
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(where)], capture_output=True).returncode == 0
    try:
        yield where if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(disk: Path, leave: int) -> None:
    """Fill ``disk`` so that about ``leave`` bytes stay free."""
    free = shutil.disk_usage(disk).free
    with (disk / "filler").open("wb") as f:
        f.truncate(0)
        block = b"\0" * (1 << 20)
        left = free - leave
        while left > 0:
            f.write(block[: min(left, len(block))])
            left -= len(block)


def test_a_deploy_that_runs_out_of_disk_leaves_the_old_site_whole(tmp_path: Path, small_disk: Path | None) -> None:
    project = _project(tmp_path)
    disk = small_disk or tmp_path / "www-disk"
    disk.mkdir(exist_ok=True)
    target = disk / "www"
    env = _env(project, str(target))
    first = _publish(project, env)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert target.is_symlink() and (target / "index.html").exists() and (target / "pagefind" / "pagefind-entry.json").exists()
    old = _tree(target)

    _edit(project, "中心2024年在", "中心在2024年")
    if small_disk is not None:
        _fill(small_disk, leave=64 * 1024)  # room for a few pages, not for the new PDFs and search index
    else:  # no mount allowed: the real rsync, then the exit code of a full disk
        fake = tmp_path / "bin"
        fake.mkdir()
        (fake / "rsync").write_text(f'#!/bin/sh\n{shutil.which("rsync")} "$@"\nexit 11\n')
        (fake / "rsync").chmod(0o755)
        env = dict(env, PATH=f"{fake}:{env['PATH']}")
    failed = _publish(project, env)
    assert failed.returncode != 0
    assert "发布失败" in failed.stderr and "线上网站未改动" in failed.stderr
    if small_disk is not None:
        assert "No space left on device" in failed.stderr or "rsync 退出码 11" in failed.stderr
    assert _tree(target) == old, "the live site changed during a failed deploy"
    releases = target.with_name("www.releases")
    assert [p.name for p in releases.iterdir()] == [os.readlink(target).split("/")[-1]], "a partial release was left"
    leftovers = [p for p in disk.rglob("*") if ".~tmp~" in p.name or p.name.startswith(".www.link")]
    assert leftovers == []

    if small_disk is not None:
        (small_disk / "filler").unlink()
    else:
        env["PATH"] = env["PATH"].split(":", 1)[1]
    again = _publish(project, env)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    new = _tree(target)
    assert new != old and new == _tree(project / "site")
    assert set(p.name for p in releases.iterdir()) >= {os.readlink(target).split("/")[-1]}


def test_releases_are_pruned_and_a_real_folder_becomes_the_first_previous_release(tmp_path: Path) -> None:
    project = _project(tmp_path)
    target = tmp_path / "www"
    target.mkdir()
    (target / "index.html").write_text("the site before nianbao deployed atomically")
    env = _env(project, str(target), NIANBAO_KEEP_RELEASES="2")
    for i in range(3):
        _edit(project, "中心在" if i else "中心2024年在", f"中心在{i}")
        done = _publish(project, env)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert target.is_symlink() and _tree(target) == _tree(project / "site")
    releases = sorted(p.name for p in target.with_name("www.releases").iterdir())
    assert len(releases) == 2 and os.readlink(target).split("/")[-1] in releases
    assert not any(name.startswith("previous-") for name in releases)  # pruned with the other old ones


def test_a_remote_deploy_goes_through_ssh_and_swaps_on_the_server(tmp_path: Path) -> None:
    project = _project(tmp_path)
    fake = tmp_path / "bin"
    fake.mkdir()
    # sshd runs the command with the user's shell; options (-i key, -o …) and the host are dropped here
    (fake / "ssh").write_text(
        '#!/bin/bash\nwhile [ $# -gt 0 ]; do case "$1" in -i|-o|-p|-l) shift 2 ;; -*) shift ;; *) break ;; esac; done\n'
        'shift\nexec bash -c "$*"\n')
    (fake / "ssh").chmod(0o755)
    server = tmp_path / "server" / "www"
    server.parent.mkdir()
    env = _env(project, f"deploy@www.example.gov.cn:{server}", NIANBAO_SSH_KEY="key", NIANBAO_SSH_KNOWN_HOSTS="host key")
    env["PATH"] = f"{fake}:{env['PATH']}"
    done = _publish(project, env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert server.is_symlink() and _tree(server) == _tree(project / "site")
