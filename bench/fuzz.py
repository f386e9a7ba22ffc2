"""Fuzz the loader and validator with 10,000+ inputs; print inputs tried, failures, slowest file, peak memory.

Runs the hypothesis properties of tests/test_fuzz.py (edits of a valid report, and the hostile files of
tests/hostile.py: random YAML, deep nesting, alias bombs, huge numbers and strings, odd Unicode, BOM,
CRLF, GBK, binary garbage) with a high example count, then atheris (coverage-guided, libFuzzer) on raw
bytes seeded with the sample reports, in a child process. Every input must give findings of known
rules at real lines, never a traceback, within the bounds of tests/test_fuzz.py. Peak memory is what
validate() allocates through Python for one file (tracemalloc; libyaml's own buffers are not counted),
and the child's maximum resident size.

    .venv/bin/python bench/fuzz.py [--examples N] [--atheris-runs N]   # N: per property; 0 skips atheris
    .venv/bin/pip install atheris                                      # for the atheris part
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
OUT = ROOT / "bench" / "out"
sys.path[:0] = [str(ROOT), str(TESTS)]


class Stats:
    """Per-input time and peak memory, and the failures."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.peaks: list[int] = []
        self.slowest: tuple[float, int, bytes, str] = (0.0, 0, b"", "")
        self.label = ""  # the property running, named with the slowest input
        self.failures: list[str] = []
        self.rules: Counter[str] = Counter()
        self.unclear: Counter[str] = Counter()  # F4 findings that fall back to PyYAML's English problem

    def record(self, data: bytes, seconds: float, peak: int | None, findings: list[Any]) -> None:
        self.add(len(data), data[:40], seconds, peak, [(f.rule, f.message) for f in findings])

    def add(self, size: int, head: bytes, seconds: float, peak: int | None, findings: list[tuple[str, str]]) -> None:
        self.seconds.append(seconds)
        if peak is not None:
            self.peaks.append(peak)
        if seconds > self.slowest[0]:
            self.slowest = (seconds, size, head, self.label)
        for rule, message in findings:
            self.rules[rule] += 1
            if "无法解析（" in message:
                self.unclear[message] += 1

    def report(self, title: str, started: float) -> None:
        n = len(self.seconds)
        print(f"\n{title}")
        print(f"  inputs tried:        {n:,} in {time.monotonic() - started:.0f} s")
        print(f"  failures:            {len(self.failures)}")
        if n:
            seconds, size, head, label = self.slowest
            print(f"  slowest input:       {seconds * 1000:.1f} ms ({size:,} bytes from {label or 'atheris'}, starts {head[:40]!r})")
            print(f"  median input:        {statistics.median(self.seconds) * 1000:.2f} ms")
        if self.peaks:
            print(f"  peak memory, a file: {max(self.peaks) / 2**20:.1f} MB (median {statistics.median(self.peaks) / 2**20:.2f} MB)")
        if self.rules:
            print(f"  findings by rule:    {', '.join(f'{r} {n:,}' for r, n in sorted(self.rules.items()))}")
        for message, count in self.unclear.most_common(10):
            print(f"  untranslated YAML problem ({count}×): {message[:200]}")
        for failure in self.failures:
            print("  FAILURE:", failure[:2000])


def run_hypothesis(examples: int, memory: bool) -> Stats:
    """Run every property of tests/test_fuzz.py with ``examples`` examples each."""
    os.environ["NIANBAO_FUZZ_EXAMPLES"] = str(examples)
    import test_fuzz  # reads NIANBAO_FUZZ_EXAMPLES on import

    stats = Stats()
    with tempfile.TemporaryDirectory(prefix="nianbao-fuzz-") as tmp:  # warm up: lazy imports are not a file's time
        test_fuzz._check(test_fuzz.DATA, Path(tmp))
    test_fuzz.RECORD = stats.record
    test_fuzz.TRACE_MEMORY = memory
    properties: dict[str, Callable[..., None]] = {
        name: fn for name, fn in vars(test_fuzz).items() if name.startswith("test_") and hasattr(fn, "hypothesis")
    }
    with tempfile.TemporaryDirectory(prefix="nianbao-fuzz-") as tmp:
        for name, fn in properties.items():
            before = len(stats.seconds)
            started = time.monotonic()
            stats.label = name
            try:
                fn(Path(tmp))
            except Exception:  # the falsifying example, shrunk by hypothesis
                stats.failures.append(f"{name}: {traceback.format_exc()}")
            print(f"  {name}: {len(stats.seconds) - before:,} inputs, {time.monotonic() - started:.0f} s", flush=True)
    return stats


# -- atheris, in a child process (libFuzzer exits the process when it is done) ----------------------


def atheris_child(runs: int, records: Path, corpus: Path) -> None:
    """Fuzz raw bytes with atheris; write one JSON line per input to ``records``."""
    import atheris

    with atheris.instrument_imports(include=["generator"]):
        import test_fuzz

    workdir = Path(tempfile.mkdtemp(prefix="nianbao-atheris-"))
    sink = records.open("a", encoding="utf-8")

    def record(data: bytes, seconds: float, peak: int | None, findings: list[Any]) -> None:
        line = {"s": seconds, "p": peak, "n": len(data), "h": data[:40].decode("latin-1"),
                "f": [(f.rule, f.message) for f in findings]}
        sink.write(json.dumps(line, ensure_ascii=False) + "\n")
        sink.flush()

    test_fuzz._check(test_fuzz.DATA, workdir)  # warm up: lazy imports are not a file's time
    test_fuzz.RECORD = record
    test_fuzz.TRACE_MEMORY = True

    def one_input(data: bytes) -> None:
        test_fuzz._check(data, workdir)  # an exception here is a crash libFuzzer reports and saves

    OUT.mkdir(parents=True, exist_ok=True)
    args = [sys.argv[0], f"-runs={runs}", "-max_len=65536", "-timeout=20", "-rss_limit_mb=2048",
            f"-artifact_prefix={OUT}/", str(corpus)]
    atheris.Setup(args, one_input)
    atheris.Fuzz()


def seed_corpus(corpus: Path) -> None:
    """Seed atheris with the sample reports and a few small hostile files."""
    import hostile

    corpus.mkdir(parents=True, exist_ok=True)
    for i, path in enumerate(sorted((ROOT / "reports").rglob("*.yaml"))):
        (corpus / f"report-{i}").write_bytes(path.read_bytes())
    rng = random.Random(7)
    for name, make in hostile.GENERATORS.items():
        for i in range(3):
            data = make(rng)
            if len(data) <= 65536:
                (corpus / f"{name}-{i}").write_bytes(data)


def run_atheris(runs: int) -> Stats | None:
    try:
        import atheris  # noqa: F401
    except ImportError as exc:
        print(f"\natheris not run: {exc} (pip install atheris)")
        return None
    stats = Stats()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nianbao-atheris-") as tmp:
        records, corpus = Path(tmp) / "records.jsonl", Path(tmp) / "corpus"
        seed_corpus(corpus)
        child = subprocess.run(
            [sys.executable, __file__, "--atheris-child", str(runs), str(records), str(corpus)],
            capture_output=True, text=True, errors="replace",
        )
        lines = records.read_text(encoding="utf-8").split("\n") if records.exists() else []
        for line in filter(None, lines):  # not splitlines(): messages may quote U+2028
            r = json.loads(line)
            stats.add(r["n"], r["h"].encode("latin-1"), r["s"], r["p"], [tuple(f) for f in r["f"]])
        if child.returncode != 0:
            stats.failures.append(f"atheris exited {child.returncode}:\n{child.stderr[-3000:]}")
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        summary = [ln for ln in child.stderr.splitlines() if ln.startswith(("Done", "#", "stat::"))][-3:]
    stats.report("atheris (libFuzzer, coverage-guided, raw bytes)", started)
    print(f"  child max RSS:       {rss:.0f} MB")
    for line in summary:
        print("  libFuzzer:", line)
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=1200, help="examples per hypothesis property (default 1200)")
    parser.add_argument("--atheris-runs", type=int, default=5000, help="atheris inputs (default 5000; 0 skips)")
    parser.add_argument("--no-memory", action="store_true", help="skip tracemalloc (twice as fast)")
    parser.add_argument("--atheris-child", nargs=3, help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args()
    if args.atheris_child:
        runs, records, corpus = args.atheris_child
        atheris_child(int(runs), Path(records), Path(corpus))
        return 0
    started = time.monotonic()
    print(f"hypothesis: {args.examples:,} examples per property", flush=True)
    stats = run_hypothesis(args.examples, not args.no_memory)
    stats.report("hypothesis (tests/test_fuzz.py properties)", started)
    print(f"  max RSS:             {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    runs: list[Stats | None] = [stats]
    if args.atheris_runs:
        runs.append(run_atheris(args.atheris_runs))
    done = [s for s in runs if s is not None]
    total = sum(len(s.seconds) for s in done)
    failures = sum(len(s.failures) for s in done)
    print(f"\ntotal: {total:,} inputs, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
