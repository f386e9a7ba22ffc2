"""Benchmark the pre-commit hook on a repository of N reports (default 200) with one file changed.

The hook checks the whole reports folder, so that the rules across files (S5, W1) see every report;
the check cache keeps that cheap. Printed, each the median of several runs in fresh processes:
- ``nianbao check reports`` with a warm cache after one report was edited (what the hook runs);
- the same through ``pre-commit run`` (the hook as git calls it, pre-commit's own start included);
- ``nianbao check --no-cache reports`` (every file parsed again), the alternative, and the ratio.
Target (issue 12): under 1 s for 200 reports with one changed file.

    .venv/bin/python bench/precommit_bench.py [N]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synth import generate  # noqa: E402
from generator.init import LOCAL_HOOK  # noqa: E402

BIN = Path(sys.executable).parent
RUNS = 5


def _timed(args: list[str], cwd: Path, env: dict[str, str], expect: int = 0) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != expect:
        raise SystemExit(f"{' '.join(args)} → {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return seconds


def _edit(path: Path, i: int) -> None:
    text = path.read_text(encoding="utf-8")
    marker = "本报告中所列数据的统计期限"
    path.write_text(text.replace(marker, f"{'（修订）' if i % 2 else ''}{marker}", 1) if i else text, encoding="utf-8")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory(prefix="nianbao-precommit-") as tmp:
        repo = Path(tmp) / "repo"
        paths = generate(n, repo / "reports", 7)
        (repo / ".pre-commit-config.yaml").write_text(LOCAL_HOOK, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PATH=f"{BIN}:{env['PATH']}", NIANBAO_CACHE_DIR=str(Path(tmp) / "cache"),
                   PRE_COMMIT_HOME=str(Path(tmp) / "pre-commit"))
        for args in (["git", "init", "-q"], ["git", "add", "-A"]):
            subprocess.run(args, cwd=repo, env=env, check=True)
        nianbao = str(BIN / "nianbao")
        _timed([nianbao, "check", "reports"], repo, env)  # fill the cache, as the previous commit did
        changed = paths[len(paths) // 2]
        warm, hook, cold = [], [], []
        for i in range(1, RUNS + 1):
            _edit(changed, i)
            warm.append(_timed([nianbao, "check", "reports"], repo, env))
            _edit(changed, i + 1)
            subprocess.run(["git", "add", str(changed)], cwd=repo, env=env, check=True)
            hook.append(_timed([str(BIN / "pre-commit"), "run"], repo, env))
        for _ in range(3):
            cold.append(_timed([nianbao, "check", "--no-cache", "reports"], repo, env))
    w, h, c = (statistics.median(x) for x in (warm, hook, cold))
    print(f"{len(paths)} reports, one file edited before each run (median of {RUNS}; cold: of 3)")
    print(f"  nianbao check reports, warm cache:        {w:6.2f} s")
    print(f"  pre-commit run (the hook as git runs it): {h:6.2f} s")
    print(f"  nianbao check --no-cache reports:         {c:6.2f} s   (cold ÷ warm = {c / w:.1f}×)")
    print(f"  target < 1 s with one changed file: {'met' if h < 1.0 else 'NOT met'} (hook {h:.2f} s)")


if __name__ == "__main__":
    main()
