"""Load and validate report files: every finding of every file, in one sorted list."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .checks import check_collection, check_report
from .findings import Finding, Location, Severity, sort_findings
from .messages import finding
from .model import Report
from .reader import load_report

REPORT_SUFFIXES = (".yaml", ".yml")
PARALLEL_FROM = 300  # below this, starting worker processes costs more than it saves


@dataclass
class Validation:
    """The outcome of validating a set of files."""

    reports: list[Report]
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors

    def valid_reports(self) -> list[Report]:
        """Return the reports without errors, in a stable order (region, agency, year)."""
        return sorted((r for r in self.reports if not r.errors), key=lambda r: (r.region, r.agency_id, r.year))


def display_path(path: Path) -> str:
    """Return ``path`` as editors know it: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Finding]]:
    """Return the report files under ``paths`` (folders scanned recursively, hidden ones skipped)."""
    files: list[Path] = []
    problems: list[Finding] = []
    for path in paths:
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
                files.extend(Path(root) / n for n in sorted(names) if n.endswith(REPORT_SUFFIXES) and not n.startswith("."))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(finding("F1", Location(display_path(path)), detail="（文件或目录不存在）"))
    unique = list(dict.fromkeys(files))
    return unique, problems


def _validate_one(path: Path) -> tuple[Report, list[Finding]]:
    report, findings = load_report(path, display_path(path))
    if not any(f.is_error for f in findings):
        findings.extend(check_report(report))
    report.errors = sum(1 for f in findings if f.is_error)
    return report, findings


def validate(paths: Sequence[Path], jobs: int | None = None) -> Validation:
    """Load and check every report under ``paths``; never raises on bad input."""
    files, findings = discover(paths)
    if jobs is None:
        jobs = min(os.cpu_count() or 1, 8) if len(files) >= PARALLEL_FROM else 1
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(_validate_one, files, chunksize=max(1, len(files) // (jobs * 8))))
    else:
        results = [_validate_one(f) for f in files]
    reports = [r for r, _ in results]
    for _, found in results:
        findings.extend(found)
    findings.extend(check_collection(r for r in reports if not r.errors))
    # S5 (duplicates) makes the later file an error: it must not publish.
    by_source = {r.source: r for r in reports}
    for f in findings:
        if f.rule == "S5" and f.file in by_source:
            by_source[f.file].errors += 1
    return Validation(reports, sort_findings(findings))
