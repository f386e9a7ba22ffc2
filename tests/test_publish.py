"""The publishing script that the example pipelines call, run for real into a local folder."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COPY = ("content", "reports", "site_overrides", "generator", "scripts", "mkdocs.yml", "pyproject.toml", "dev", "README.md")


def _project(tmp: Path) -> Path:
    """Copy the project (sharing its virtualenv) so the script can run and fail without touching ours."""
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


def _publish(project: Path, target: Path) -> subprocess.CompletedProcess[str]:
    # NIANBAO_SKIP_INSTALL: the copy shares our virtualenv and must not reinstall itself into it
    env = dict(os.environ, NIANBAO_DEPLOY_TARGET=str(target), NIANBAO_SITE_DIR=str(project / "site"), NIANBAO_SKIP_INSTALL="1")
    return subprocess.run(["bash", "scripts/publish"], cwd=project, env=env, capture_output=True, text=True, timeout=900)


def test_publish_builds_and_copies_then_refuses_a_broken_report(tmp_path: Path) -> None:
    project = _project(tmp_path)
    target = tmp_path / "www"
    done = _publish(project, target)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (target / "index.html").exists()
    assert (target / "reports" / "qiaokou-rongmeiti-2024.html").exists()
    assert (target / "pagefind" / "pagefind.js").exists()
    before = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}

    report = project / "reports" / "qiaokou-rongmeiti-2024.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace("    行政许可: {本年处理决定数量: 0}", "    行政许可: {本年处理决定数量: 1.5}"), encoding="utf-8")
    failed = _publish(project, target)
    assert failed.returncode != 0
    assert "R5" in failed.stdout + failed.stderr
    after = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert after == before, "a failed build must not change the published site"


def test_pre_commit_hook_definition() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "nianbao-check")
    assert hook["entry"] == "nianbao check" and hook["language"] == "python"
    assert hook["pass_filenames"] is False  # S5 and W1 need every report, not only the staged ones
