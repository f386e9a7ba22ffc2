"""Load and validate report files: every finding of every file, in one sorted list."""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import os
import pickle
import stat
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from . import __version__
from .checks import balance, check_collection, check_report, history
from .findings import Finding, Location, Severity, sort_findings
from .messages import finding
from .model import Cell, Number, Report
from .reader import load_report
from .source import read_bytes

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


@functools.lru_cache(maxsize=4096)
def _resolved(directory: str, cwd: str) -> str:
    """Return ``directory`` (relative to ``cwd`` when relative) resolved; cached per folder."""
    return os.path.realpath(os.path.join(cwd, directory))


def display_path(path: Path) -> str:
    """Return ``path`` as editors know it: relative to the working directory when inside it."""
    cwd = os.getcwd()
    name = os.path.basename(path)
    try:
        # The working directory and each folder are resolved once, not once per file: resolving
        # every file took 1.6 s of checking 10,000 (a report file that is no symlink is its folder's).
        if name.endswith(REPORT_SUFFIXES) and not os.path.islink(path):
            real = os.path.join(_resolved(os.path.dirname(path), cwd), name)
        else:
            real = os.path.realpath(path)
    except (OSError, ValueError):
        return path.as_posix()
    base = _resolved(".", cwd)
    if real == base:
        return "."
    if real.startswith(base.rstrip("/") + "/"):
        return real[len(base.rstrip("/")) + 1:]
    return path.as_posix()


def _not_regular(path: Path, root: Path) -> str | None:
    """Return why ``path`` (found under ``root``) must not be read, or None for a regular file in the tree."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            real = path.resolve(strict=True)
            if root != real and root not in real.parents:
                return "是指向报告目录之外的符号链接，未读取"
            info = real.stat()
    except (OSError, RuntimeError):  # a dangling or looping link
        return "是无效的符号链接，未读取"
    if not stat.S_ISREG(info.st_mode):
        return "不是普通文件（管道、设备或套接字），未读取"
    return None


def _unread(why: str) -> str:
    return f"此文件{why}；请把报告文件本身（普通的 YAML 文本文件）放进报告目录"


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Finding]]:
    """Return the report files under ``paths`` (folders scanned recursively, hidden ones skipped).

    Only regular files are returned: a FIFO, a device or a symlink out of the scanned folder
    (``/etc/passwd``, ``/dev/zero``) becomes an F1 finding naming it, and is never opened.
    """
    files: list[Path] = []
    problems: list[Finding] = []
    for path in paths:
        try:
            is_dir = path.is_dir()
        except OSError as exc:  # a name too long for the file system (ENAMETOOLONG), not a missing file
            problems.append(finding("F1", Location(display_path(path)), detail=f"（无法读取：{exc.strerror}）"))
            continue
        if is_dir:
            root = path.resolve()
            for folder, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
                here = Path(folder)
                for name in sorted(names):
                    if not name.endswith(REPORT_SUFFIXES) or name.startswith("."):
                        continue
                    candidate = here / name
                    why = _not_regular(candidate, root)
                    if why is None:
                        files.append(candidate)
                    else:
                        problems.append(finding("F8", Location(display_path(candidate)), problem=_unread(why)))
        elif path.exists():
            why = _not_regular(path, path.resolve().parent) if not path.is_symlink() else _not_regular(path, Path("/"))
            if why is None:
                files.append(path)
            else:
                problems.append(finding("F8", Location(display_path(path)), problem=_unread(why)))
        else:
            problems.append(finding("F1", Location(display_path(path)), detail="（文件或目录不存在）"))
    unique = list(dict.fromkeys(files))
    return unique, problems


# Results are keyed by file content, path and code: one per-user cache serves every checkout and
# both nianbao check and nianbao build.
DEFAULT_CHECK_CACHE = (
    Path(os.environ.get("NIANBAO_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nianbao")
    / "check"
)

# The modules whose code decides a stage's output: a cached result is only as good as the code.
MODEL_CODE = ("__init__.py", "formats.py", "model.py", "reader.py", "source.py", "schema.py", "writer.py", "findings.py", "messages.py", "dates.py")
CHECK_CODE = (*MODEL_CODE, "validate.py", "checks/*.py")


# Only source files count: never __pycache__, editor backups or anything else left beside the code.
SOURCE_SUFFIXES = frozenset({".py", ".typ", ".html", ".j2", ".css", ".js", ".json", ".yml", ".yaml"})


@functools.cache
def code_fingerprint(modules: tuple[str, ...] = CHECK_CODE) -> str:
    """Return a hash of the package's source files matching ``modules`` (globs relative to the package)."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for pattern in modules:
        for source in sorted(package.glob(pattern)):
            if source.suffix not in SOURCE_SUFFIXES or not source.is_file() or "__pycache__" in source.parts:
                continue
            digest.update(source.relative_to(package).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def _check(path: Path, display: str, data: bytes | None = None) -> tuple[Report, list[Finding]]:
    report, findings = load_report(path, display, data)
    if not any(f.is_error for f in findings):
        findings.extend(check_report(report))
    else:
        # the tables' own rules (R1–R4) on the numbers the file states, whatever else is missing or
        # wrong: an imported report shows every finding of its tables in the first run
        findings.extend(balance.check_balance(report))
        findings.extend(balance.check_sums(report))
    report.errors = sum(1 for f in findings if f.is_error)
    return report, findings


def slim(report: Report) -> Report:
    """Return the part of a report that the rules across files read (checks/history.py).

    ``nianbao check`` needs no more; sending whole reports back from the worker processes cost
    more than checking them.
    """
    wanted = {key for key in report.numbers() if key[:2] in history.CROSS_FILE_ROWS}
    light = Report(
        source=report.source, path=report.path, format_id=report.format_id, agency_id=report.agency_id,
        year=report.year, cells={k: c for k, c in report.cells.items() if k in wanted},
        lines={k: v for k, v in report.lines.items() if k == "年度"}, errors=report.errors, digest=report.digest,
    )
    light._numbers = {k: v for k, v in report.numbers().items() if k in wanted}
    return light


def _validate_one(path: Path, cache: tuple[Path, str] | None = None, light: bool = False) -> tuple[Report, list[Finding]]:
    report, findings = _validate_cached(path, cache)
    return (slim(report) if light else report), findings


def _entry_key(code: str, display: str, path: Path, data: bytes) -> str:
    """Return the cache key of a file's result: its bytes, the name it is shown by, the code."""
    return hashlib.sha256(b"\0".join([code.encode(), display.encode(), path.name.encode(), data])).hexdigest()


def _cached_entry(path: Path, display: str, cache: tuple[Path, str]) -> tuple[tuple[Report, list[Finding]] | None, Path | None, bytes | None]:
    """Return a file's cached result (or None), its cache entry and its bytes (None when unreadable)."""
    folder, code = cache
    try:
        data = read_bytes(path)  # read once: the key and the check see the same bytes
    except OSError:
        return None, None, None
    entry = folder / (key := _entry_key(code, display, path, data))[:2] / f"{key}.pickle.z"
    try:
        cached: tuple[Report, list[Finding]] = pickle.loads(zlib.decompress(entry.read_bytes()))
    except (OSError, pickle.PickleError, zlib.error, EOFError, AttributeError, ValueError):
        return None, entry, data  # not cached yet (or a stale entry from other code)
    cached[0].path = path
    return cached, entry, data


def _validate_cached(path: Path, cache: tuple[Path, str] | None = None) -> tuple[Report, list[Finding]]:
    """Validate one file; with a cache (folder, code fingerprint), reuse the result for the same bytes."""
    display = display_path(path)
    if cache is None:
        return _check(path, display)
    cached, entry, data = _cached_entry(path, display, cache)
    if cached is not None:
        return cached
    if entry is None or data is None:
        return _check(path, display)
    result = _check(path, display, data)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_name(f".{entry.name}.{os.getpid()}")
        tmp.write_bytes(zlib.compress(pickle.dumps(result, pickle.HIGHEST_PROTOCOL), 1))
        os.replace(tmp, entry)  # atomic: a concurrent or killed run never reads half an entry
    except OSError:
        pass  # a read-only cache folder only costs speed
    return result


def _validate_files(files: list[Path], cache: tuple[Path, str] | None, light: bool, jobs: int | None) -> list[tuple[Report, list[Finding]]]:
    """Validate ``files``: whole results of many files through the cache read here, the rest checked."""
    if cache is not None and not light and len(files) >= PARALLEL_FROM:
        return _validate_probed(files, cache, jobs)
    return _check_files(files, cache, light, jobs)


def _check_files(files: list[Path], cache: tuple[Path, str] | None, light: bool, jobs: int | None) -> list[tuple[Report, list[Finding]]]:
    """Check ``files``, on several cores when there are enough of them to pay for the processes."""
    if jobs is None:
        jobs = min(os.cpu_count() or 1, 8) if len(files) >= PARALLEL_FROM else 1
    if jobs > 1 and len(files) > 1:
        from concurrent.futures import ProcessPoolExecutor  # not imported by a check of unchanged files

        with ProcessPoolExecutor(min(jobs, len(files))) as pool:
            work = functools.partial(_validate_one, cache=cache, light=light)
            return list(pool.map(work, files, chunksize=max(1, len(files) // (jobs * 8))))
    return [_validate_one(f, cache, light) for f in files]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a large structure without cycles is loaded."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _validate_probed(files: list[Path], cache: tuple[Path, str], jobs: int | None) -> list[tuple[Report, list[Finding]]]:
    """Return the whole results of ``files``, reading the cached ones here and checking only the rest in workers.

    A build needs whole reports; a worker that only unpickles a cached one and pickles it again for
    this process costs more than reading it here (10,000 unchanged files: 19 s through the workers,
    8.5 s here).
    """
    results: list[tuple[Report, list[Finding]] | None] = []
    missed: list[int] = []
    with collector_paused():  # millions of objects unpickled: the collector would walk them again and again
        for path in files:
            cached, _, _ = _cached_entry(path, display_path(path), cache)
            if cached is None:
                missed.append(len(results))
            results.append(cached)
    checked = _check_files([files[i] for i in missed], cache, False, jobs if len(missed) >= PARALLEL_FROM else 1)
    for i, result in zip(missed, checked, strict=True):
        results[i] = result
    return [r for r in results if r is not None]


# The per-user index serves every checkout; files not checked in this run beyond this many are forgotten.
MAX_UNSEEN = 20_000
# What the check index keeps of a light report (slim): its fields, the cells as tuples.
_Entry = tuple[str, int, str, int, int, int, str, tuple[tuple[tuple[str, ...], int | Decimal, str, int, int], ...], dict[tuple[str, ...], Number], list[Finding]]


class CheckIndex:
    """The light results of ``nianbao check`` for every file checked, in one file of the cache.

    Reading one file instead of 10,000 per-file entries, and light reports as plain tuples instead
    of whole reports, is what makes a check of unchanged files fast (unpickling 10,000 whole
    reports took 5.5 s, this index 0.3 s). Each result is still keyed by the file's bytes (read and
    hashed on every run, about 0.4 s for 10,000 files), never by a modification time that a
    checkout or a copy may keep.
    """

    def __init__(self, folder: Path, code: str) -> None:
        self.path = folder / f"check-index-{hashlib.sha256(code.encode()).hexdigest()[:16]}.pickle"
        self.entries: dict[str, _Entry] = {}
        self.seen: set[str] = set()
        self.changed = False
        try:
            with open(self.path, "rb") as f:
                entries = pickle.load(f)
            if isinstance(entries, dict):
                self.entries = entries
        except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError, TypeError, ImportError, IndexError):
            pass  # no index yet, or a broken one: the files are checked again

    def get(self, display: str, key: str, path: Path) -> tuple[Report, list[Finding]] | None:
        self.seen.add(display)
        entry = self.entries.get(display)
        if entry is None or entry[0] != key:
            return None
        _, format_id, agency_id, year, year_line, errors, digest, cells, numbers, findings = entry
        report = Report(source=display, path=path, format_id=format_id, agency_id=agency_id, year=year,
                        cells={k: Cell(v, text, line, column) for k, v, text, line, column in cells},
                        lines={"年度": year_line} if year_line else {}, errors=errors, digest=digest)
        report._numbers = dict(numbers)
        return report, list(findings)

    def put(self, display: str, key: str, report: Report, findings: list[Finding]) -> None:
        keys: dict[tuple[str, ...], tuple[str, ...]] = self._keys
        cells = tuple((keys.setdefault(k, k), c.value, c.text, c.line, c.column) for k, c in report.cells.items())
        numbers = {keys.setdefault(k, k): v for k, v in report.numbers().items()}
        self.entries[display] = (key, report.format_id, report.agency_id, report.year, report.lines.get("年度", 0),
                                 report.errors, report.digest, cells, numbers, findings)
        self.seen.add(display)
        self.changed = True

    @functools.cached_property
    def _keys(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        """Return one tuple per cell key: shared keys pickle once, not once per report (the old index's are shared already)."""
        keys: dict[tuple[str, ...], tuple[str, ...]] = {}
        for entry in self.entries.values():
            for k in entry[8]:
                keys.setdefault(k, k)
        return keys

    def save(self) -> None:
        if len(self.entries) > len(self.seen) + MAX_UNSEEN:  # files of other folders, checked once: forget them
            self.entries = {d: e for d, e in self.entries.items() if d in self.seen}
            self.changed = True
        if not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
            with open(tmp, "wb") as f:
                pickle.dump(self.entries, f, pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)  # atomic: a concurrent run reads the old index or this one
        except OSError:
            pass  # a read-only cache folder only costs speed


def _validate_indexed(files: list[Path], cache: tuple[Path, str], jobs: int | None) -> list[tuple[Report, list[Finding]]]:
    """Return the light results of ``files``: from the check index when their bytes are unchanged."""
    folder, code = cache
    index = CheckIndex(folder, code)
    results: list[tuple[Report, list[Finding]] | None] = []
    missed: list[tuple[int, str, str]] = []
    for path in files:
        display = display_path(path)
        try:
            key = _entry_key(code, display, path, read_bytes(path))
        except OSError:
            key = ""  # unreadable: checked below, where the F1 finding says why
        hit = index.get(display, key, path) if key else None
        if hit is None:
            missed.append((len(results), display, key))
        results.append(hit)
    checked = _validate_files([files[i] for i, _, _ in missed], cache, True, jobs)
    for (i, display, key), (report, findings) in zip(missed, checked, strict=True):
        results[i] = report, findings
        if key:
            index.put(display, key, report, findings)
    index.save()
    return [r for r in results if r is not None]


def validate(paths: Sequence[Path], jobs: int | None = None, cache_dir: Path | None = None, light: bool = False) -> Validation:
    """Load and check every report under ``paths``; never raises on bad input.

    With ``light``, the reports returned hold only what findings across files need (for
    ``nianbao check``). With ``cache_dir``, results are kept per file content (and code version), so that a second run
    over unchanged files (a pre-commit hook, an incremental build) reads them instead of parsing.
    """
    files, findings = discover(paths)
    # PyYAML composes the nodes every result is made from: a new version may read a file differently.
    # (the module's version string is the distribution's: reading the installed metadata took 40 ms)
    cache = (cache_dir, code_fingerprint() + f"PyYAML {yaml.__version__}") if cache_dir is not None else None
    if cache is not None and light:
        results = _validate_indexed(files, cache, jobs)
    else:
        results = _validate_files(files, cache, light, jobs)
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
