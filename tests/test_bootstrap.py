"""The README's first command in a fresh copy of the project, as a user runs it.

A new virtualenv is made and filled by ``./dev`` itself, Python writes bytecode (as everywhere but
on this project's old CI), and the build runs twice: once to create ``__pycache__`` folders inside
the package, once more with them there. The bootstrap must print its own progress lines only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOISE = ("WARNING", "warning:", "Location", "deprecated", "DEPRECATION", "Traceback", "内部错误")


def _copy_project(to: Path) -> None:
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        if (ROOT / name).is_file():
            (to / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, to / name)


def test_dev_build_in_a_fresh_copy_with_bytecode_on(tmp_path: Path) -> None:
    project = tmp_path / "nianbao"
    _copy_project(project)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "VIRTUAL_ENV", "NIANBAO_SKIP_INSTALL")}
    env["NIANBAO_CACHE_DIR"] = str(tmp_path / "cache")
    first = subprocess.run(["./dev", "build"], cwd=project, env=env, capture_output=True, text=True, timeout=1800)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "网站已生成" in first.stdout
    said = first.stderr.splitlines()
    assert any(line.startswith("\x1b[1m==>\x1b[0m 创建虚拟环境") for line in said), first.stderr[:2000]
    for line in said:
        assert not any(word in line for word in NOISE), f"bootstrap noise: {line}"
    assert list((project / "generator" / "pdf").glob("__pycache__/*.pyc")), "Python wrote no bytecode: the test proves nothing"
    second = subprocess.run(["./dev", "build"], cwd=project, env=env, capture_output=True, text=True, timeout=1800)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "创建虚拟环境" not in second.stderr  # installed once
    assert (project / "site" / "index.html").is_file() and list((project / "site" / "pdf").glob("*.pdf"))
