"""Benchmark the PDF workers' allocator: glibc's malloc against jemalloc (generator/pdf/allocator.py).

Writes N synthetic reports of real size (bench/synth.py, default 300), then renders them in
worker processes like a build's (one reused Typst compiler each), ``rounds`` times under each
allocator, alternating (glibc, jemalloc, glibc, …) so that both see the same machine. Prints the
CPU milliseconds per report of every round, the median of each allocator and their ratio, and
checks that both gave the same bytes.

    .venv/bin/python bench/typst_alloc.py [N] [--rounds R] [--jobs J]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import multiprocessing
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.model import Report  # noqa: E402
from generator.pdf import PdfSettings, allocator, find_fonts  # noqa: E402
from generator.pdf import render as pdf_render  # noqa: E402
from generator.validate import validate  # noqa: E402

WARM = 10  # reports each worker renders first, untimed: the template's memoized layout and the probe


def _render_all(jobs: list[pdf_render._Job]) -> tuple[float, list[str]]:  # noqa: SLF001
    """In a worker: render ``jobs``, the first WARM untimed; return CPU seconds per timed report and digests."""
    for job in jobs[:WARM]:
        pdf_render._render(job)  # noqa: SLF001
    start = time.process_time()
    digests = []
    for job in jobs[WARM:]:
        pdf_render._render(job)  # noqa: SLF001
        digests.append(hashlib.sha256(Path(job.out).read_bytes()).hexdigest())
    return (time.process_time() - start) / max(1, len(jobs) - WARM), digests


def _round(jobs: list[list[pdf_render._Job]], settings: PdfSettings, lib: Path | None) -> tuple[float, list[str]]:  # noqa: SLF001
    context = multiprocessing.get_context("spawn")
    init = (settings.fonts.dirs, settings.fonts.system)
    with ProcessPoolExecutor(len(jobs), mp_context=context, initializer=pdf_render._init_worker, initargs=init) as pool:  # noqa: SLF001
        with allocator.preloaded(lib):
            futures = [pool.submit(_render_all, part) for part in jobs]
        results = [f.result() for f in futures]
    return statistics.mean(r[0] for r in results), [d for r in results for d in r[1]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, nargs="?", default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    jemalloc = allocator.jemalloc()
    if jemalloc is None:
        sys.exit("libjemalloc2 is not installed (apt-get install libjemalloc2; ./dev installs it)")
    spec = importlib.util.spec_from_file_location("synth", ROOT / "bench" / "synth.py")
    assert spec is not None and spec.loader is not None
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        synth.generate(args.n, tmp / "reports", 11)
        reports: list[Report] = validate([tmp / "reports"]).valid_reports()
        settings = PdfSettings(tmp / "cache", find_fonts())
        parts: list[list[pdf_render._Job]] = [[] for _ in range(args.jobs)]  # noqa: SLF001
        for i, report in enumerate(reports):
            worker = i % args.jobs
            parts[worker].append(pdf_render._job(report, settings, tmp / f"w{worker}-{i}.pdf"))  # noqa: SLF001
        figures: dict[str, list[float]] = {"glibc": [], "jemalloc": []}
        digests: dict[str, list[str]] = {}
        for k in range(args.rounds):
            for name, lib in (("glibc", None), ("jemalloc", jemalloc)):
                per, digest = _round(parts, settings, lib)
                figures[name].append(per)
                digests.setdefault(name, digest)
                print(f"round {k + 1} {name:8s} {per * 1000:6.1f} CPU-ms per report ({args.jobs} workers, {len(reports)} reports)")
        glibc, je = statistics.median(figures["glibc"]), statistics.median(figures["jemalloc"])
        print(f"median: glibc {glibc * 1000:.1f} ms, jemalloc {je * 1000:.1f} ms; jemalloc / glibc = {je / glibc:.2f}")
        same = digests["glibc"] == digests["jemalloc"]
        print(f"same PDFs under both: {'yes' if same else 'NO'}")
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
