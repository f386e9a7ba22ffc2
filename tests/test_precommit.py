"""Real pre-commit, on a new site's repository, with nianbao's hook taken from a tag and from a commit.

pre-commit clones the hook repository at ``rev``, installs it into an environment of its own and
runs it at ``git commit``: a good commit passes; a duplicate report in another folder (S5, a rule
across files) and a table that does not balance are refused.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import __version__
from generator.init import EXAMPLE_REPORT

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "VIRTUAL_ENV")}
    env.update(PRE_COMMIT_HOME=str(home / "pre-commit"), PATH=f"{BIN}:{env['PATH']}", PIP_DISABLE_PIP_VERSION_CHECK="1",
               GIT_AUTHOR_NAME="编辑", GIT_AUTHOR_EMAIL="editor@example.gov.cn", GIT_COMMITTER_NAME="编辑",
               GIT_COMMITTER_EMAIL="editor@example.gov.cn", NIANBAO_CACHE_DIR=str(home / "cache"))
    return env


def _git(repo: Path, *args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    if check:
        assert done.returncode == 0, f"git {' '.join(args)}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """nianbao's own files as a repository of their own, tagged with the release tag the docs name."""
    home = tmp_path_factory.mktemp("home")
    src = tmp_path_factory.mktemp("nianbao") / "nianbao"
    env = _env(home)
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        if (ROOT / name).is_file() and not name.startswith("tests/"):
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    _git(src, "init", "-q", "-b", "main", env=env)
    _git(src, "add", "-A", env=env)
    _git(src, "commit", "-q", "-m", "nianbao", env=env)
    _git(src, "tag", f"v{__version__}", env=env)
    return src, _git(src, "rev-parse", "HEAD", env=env).stdout.strip()


def _new_site(where: Path, env: dict[str, str], *init_args: str) -> Path:
    site = where / "site-repo"
    done = subprocess.run([str(BIN / "nianbao"), "init", str(site), "--ci", "none", *init_args], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    _git(site, "init", "-q", "-b", "main", env=env)
    installed = subprocess.run([str(BIN / "pre-commit"), "install"], cwd=site, env=env, capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    return site


def _commit(site: Path, env: dict[str, str], *paths: str) -> subprocess.CompletedProcess[str]:
    _git(site, "add", *paths, env=env)
    return _git(site, "commit", "-q", "-m", "更新报告", env=env, check=False)


def _blocked_cases(site: Path, env: dict[str, str]) -> None:
    """A duplicate across folders and a table error are refused; the fixed tree commits."""
    report = site / "reports" / EXAMPLE_REPORT
    copy = site / "reports" / "2024-copy" / EXAMPLE_REPORT
    copy.parent.mkdir()
    shutil.copy2(report, copy)
    done = _commit(site, env, str(copy.relative_to(site)))
    assert done.returncode != 0, done.stdout + done.stderr
    assert "S5" in done.stdout + done.stderr
    _git(site, "reset", "-q", "HEAD", "--", str(copy.relative_to(site)), env=env)
    shutil.rmtree(copy.parent)

    text = report.read_text(encoding="utf-8")
    broken = text.replace("申请数量: {自然人: 162,", "申请数量: {自然人: 163,", 1)
    assert broken != text, "the example report's table 3 must hold the number this test breaks"
    report.write_text(broken, encoding="utf-8")
    done = _commit(site, env, str(report.relative_to(site)))
    said = done.stdout + done.stderr
    assert done.returncode != 0, said
    assert re.search(r"\bR[1-4]\b", said) and EXAMPLE_REPORT in said, said

    report.write_text(text, encoding="utf-8")
    _git(site, "add", "-A", env=env)
    assert _git(site, "diff", "--cached", "--quiet", env=env, check=False).returncode == 0  # back to the committed tree


def test_hook_from_a_release_tag(hook_repo: tuple[Path, str], tmp_path: Path) -> None:
    src, _ = hook_repo
    env = _env(tmp_path)
    site = _new_site(tmp_path, env, "--hook-repo", str(src), "--hook-rev", f"v{__version__}")
    assert f"rev: v{__version__}" in (site / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    done = _commit(site, env, "-A")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "nianbao check" in done.stdout + done.stderr and "Passed" in done.stdout + done.stderr
    _blocked_cases(site, env)


def test_hook_pinned_to_a_commit(hook_repo: tuple[Path, str], tmp_path: Path) -> None:
    src, commit = hook_repo
    env = _env(tmp_path)
    # pre-commit keeps one environment per repository and rev: the tag's is reused by nothing here.
    site = _new_site(tmp_path, env, "--hook-repo", str(src), "--hook-rev", commit)
    done = _commit(site, env, "-A")
    assert done.returncode == 0, done.stdout + done.stderr


def test_local_hook_written_by_default(tmp_path: Path) -> None:
    env = _env(tmp_path)
    site = _new_site(tmp_path, env)
    assert "repo: local" in (site / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    done = _commit(site, env, "-A")
    assert done.returncode == 0, done.stdout + done.stderr
    _blocked_cases(site, env)
