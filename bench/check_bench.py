"""Benchmark ``nianbao check`` on N copies of the reports in reports/ (default 1,000).

Prints the wall time of the command as an editor runs it (a fresh process, as a pre-commit hook
does), the in-process time on one core, and, as the baseline in the same run, the time PyYAML's
libyaml loader takes merely to parse the same files: the ratio is what validation costs on top of
reading YAML at all. Target (issue 2): 1,000 reports under 2 s on 2 cores.

    .venv/bin/python bench/check_bench.py [N]
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.validate import validate  # noqa: E402


def make_copies(n: int, out: Path) -> list[Path]:
    """Copy every report of reports/ under new agency ids until there are ``n`` files."""
    sources = sorted((ROOT / "reports").rglob("*.yaml"))
    files = []
    for i in range(n):
        src = sources[i % len(sources)]
        text = src.read_text(encoding="utf-8")
        agency = re.search(r"^机关代码: (\S+)", text, re.M)
        assert agency, src
        new_id = f"{agency[1]}-c{i // len(sources)}"
        text = text.replace(f"机关代码: {agency[1]}", f"机关代码: {new_id}", 1)
        year = re.search(r"^年度: (\d+)", text, re.M)
        assert year, src
        path = out / f"{new_id}-{year[1]}.yaml"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    tmp = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    try:
        files = make_copies(n, tmp)
        nianbao = shutil.which("nianbao", path=str(Path(sys.executable).parent)) or "nianbao"
        t_cli, proc = timed(lambda: subprocess.run([nianbao, "check", "--no-cache", str(tmp)], capture_output=True, text=True))
        if proc.returncode != 0:
            sys.exit(f"check failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        t_one, result = timed(lambda: validate([tmp], jobs=1))
        assert len(result.reports) == n and result.ok
        t_parse, _ = timed(lambda: [yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader) for f in files])
        t_pure, _ = timed(lambda: [yaml.load(f.read_bytes(), Loader=yaml.SafeLoader) for f in files[: max(1, n // 10)]])
        t_pure *= n / max(1, n // 10)
        figures = {
            "reports": n,
            "cpus": os.cpu_count(),
            "nianbao_check_cli_s": round(t_cli, 3),
            "validate_one_core_s": round(t_one, 3),
            "per_report_ms": round(1000 * t_one / n, 3),
            "baseline_libyaml_parse_s": round(t_parse, 3),
            "baseline_pure_pyyaml_safe_load_s_est": round(t_pure, 3),
            "ratio_validate_vs_libyaml_parse": round(t_one / t_parse, 2),
            "ratio_validate_vs_pure_safe_load": round(t_one / t_pure, 2),
            "target_cli_s": 2.0,
            "target_met": t_cli < 2.0,
        }
        width = max(map(len, figures))
        for key, value in figures.items():
            print(f"{key:<{width}}  {value}")
        print(json.dumps(figures))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
