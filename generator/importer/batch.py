"""``nianbao import DIR|FILES… -o reports/``: convert many published reports at once.

Each input file gets its agency id (and region, kind) from ``--agency`` (one id for every file, or
``PATTERN=ID`` globs on the file name) or from a small CSV file mapping file names to ids, regions and
kinds; the year comes from each report. A report is written to ``<id>-<year>.yaml`` in the output
folder and never over an existing file. One summary line per file (format, cells read, cells
``待填``, the source's own balance findings) and a total close the run; the written files are then
validated together, as ``nianbao check`` would.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..findings import Finding, format_text
from ..validate import display_path, validate
from . import Imported, UnreadableInput, import_report

IMPORTABLE = (".txt", ".text", ".html", ".htm", ".shtml", ".xhtml", ".mhtml", ".mht", ".md", ".markdown", ".docx", ".pdf")
_HEADERS = {
    "文件": "file", "文件名": "file", "file": "file",
    "机关代码": "agency", "agency": "agency", "id": "agency",
    "地区": "region", "region": "region",
    "机关类别": "kind", "类别": "kind", "kind": "kind",
}


@dataclass(frozen=True)
class Options:
    """The agency id, region and kind the editor gives for one file (None: not given)."""

    agency: str | None = None
    region: str | None = None
    kind: str | None = None


@dataclass
class Outcome:
    """What became of one input file."""

    source: Path
    output: Path | None = None
    imported: Imported | None = None
    problem: str = ""  # why nothing was written


class MappingError(Exception):
    """The --agency patterns or the CSV mapping cannot be used (message in Chinese)."""


def input_files(paths: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """Return the importable files under ``paths`` (folders recursively) and the paths that do not exist."""
    files: list[Path] = []
    missing: list[str] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMPORTABLE and not p.name.startswith("."))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(f"文件或目录不存在：{path}")
    return list(dict.fromkeys(files)), missing


def read_mapping(path: Path) -> dict[str, Options]:
    """Return the CSV mapping: file name (or glob) -> agency id, region and kind.

    The first row names the columns: 文件, 机关代码, 地区, 机关类别 (or file, agency, region, kind);
    UTF-8 with or without BOM, or GB18030 as Excel saves it.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MappingError(f"无法读取对照表 {path}：{exc.strerror or exc}") from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise MappingError(f"对照表 {path} 不是 UTF-8 或 GBK 编码的 CSV 文件")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise MappingError(f"对照表 {path} 是空的；第一行应为列名：文件,机关代码,地区,机关类别")
    columns = [_HEADERS.get(h.strip()) for h in rows[0]]
    if "file" not in columns or "agency" not in columns:
        raise MappingError(f"对照表 {path} 的第一行应为列名，至少包括“文件”和“机关代码”，如：文件,机关代码,地区,机关类别")
    out: dict[str, Options] = {}
    for number, row in enumerate(rows[1:], start=2):
        values = {c: v.strip() for c, v in zip(columns, row, strict=False) if c and v.strip()}
        if not values:
            continue
        if "file" not in values:
            raise MappingError(f"{path}:{number}: 这一行没有填写文件名")
        out[values["file"]] = Options(values.get("agency"), values.get("region"), values.get("kind"))
    return out


def agency_patterns(values: Sequence[str]) -> tuple[str | None, dict[str, Options]]:
    """Split the --agency values into one id for every file and ``PATTERN=ID`` globs."""
    single: str | None = None
    patterns: dict[str, Options] = {}
    for value in values:
        if "=" in value:
            pattern, _, agency = value.rpartition("=")
            patterns[pattern.strip()] = Options(agency.strip())
        elif single is None:
            single = value
        else:
            raise MappingError(f"--agency 给了两个机关代码（{single}、{value}）；多个文件分属不同机关时请写作 --agency '文件名模式=机关代码'，或用 --map 对照表")
    return single, patterns


def options_for(source: Path, single: Options, patterns: dict[str, Options]) -> Options:
    """Return the options of ``source``: the first pattern matching its name or path, else the common ones."""
    for pattern, given in patterns.items():
        if source.name == pattern or fnmatch.fnmatch(source.name, pattern) or fnmatch.fnmatch(source.as_posix(), pattern):
            return Options(given.agency or single.agency, given.region or single.region, given.kind or single.kind)
    return single


def import_many(
    sources: Sequence[Path], out_dir: Path, reports: Path, single: Options, patterns: dict[str, Options]
) -> Iterator[Outcome]:
    """Import every source into ``out_dir``; yield what became of each, never overwriting a file."""
    from ..template import check_options, refusal, schema_path_for

    planned: set[Path] = set()
    for source in sources:
        given = options_for(source, single, patterns)
        outcome = Outcome(source)
        problems = check_options(given.agency, given.region, given.kind)
        if problems:
            outcome.problem = "；".join(problems)
            yield outcome
            continue
        try:
            imported = import_report(source, given.agency, given.region, given.kind)
        except UnreadableInput as exc:
            outcome.problem = f"无法导入：{exc}"
            yield outcome
            continue
        outcome.imported = imported
        agency_id, year = imported.meta.agency_id, imported.meta.year
        name = f"{agency_id}-{year}.yaml" if agency_id and year else f"{source.stem}.yaml"
        output = out_dir / name
        refused = (
            f"同一批中另一个文件已导入为 {output}（同一机关同一年度只能有一份报告）" if output.resolve() in planned else refusal(output, reports, agency_id, year or 0)
        )
        if refused:
            outcome.problem = refused
            yield outcome
            continue
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(imported.render(schema_path_for(output)), encoding="utf-8")
        planned.add(output.resolve())
        outcome.output = output
        yield outcome


def summary_line(outcome: Outcome) -> str:
    """Return the one-line summary of one file."""
    where = display_path(outcome.source)
    if outcome.imported is None or outcome.output is None:
        return f"{where}: 未导入 {outcome.problem}"
    read, missing = outcome.imported.cells
    balance = len(outcome.imported.balance)
    kind = {"html": "网页", "docx": "Word", "pdf": "PDF", "text": "文本"}.get(outcome.imported.document.kind, outcome.imported.document.kind)
    return (
        f"{where} → {display_path(outcome.output)}（{kind}，{outcome.imported.format.name}）：表格读出 {read} 格，"
        f"待填 {missing} 格，原报告不平衡 {balance} 处"
    )


def print_notes(outcome: Outcome, write: Callable[[str], None]) -> None:
    """Print the import notes and the source's own balance findings of one file."""
    imported = outcome.imported
    if imported is None:
        return
    where = display_path(outcome.source)
    for note in imported.notes:
        place = f"{where}:{note.line}" if note.line and imported.document.numbered else where
        write(f"{place}: 导入说明 {note.message}")
    for note in imported.balance:
        write(f"{where}: 警告 {note.message}")


def findings_of(outputs: Sequence[Path], reports: Path) -> list[Finding]:
    """Validate the written files (with the other reports when they are among them: W1, S5) in one run."""
    if not outputs:
        return []
    inside = reports.is_dir() and all(o.resolve().is_relative_to(reports.resolve()) for o in outputs)
    result = validate([reports] if inside else list(outputs))
    shown = {display_path(o) for o in outputs}
    return [f for f in result.findings if f.file in shown]


EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def run_import(
    paths: Sequence[str], output: str | None, agency: Sequence[str], region: str | None, kind: str | None,
    mapping: str | None, reports: Path,
) -> int:
    """Run ``nianbao import``: one file as before, or many (folders, several files) into a folder."""
    from ..template import check_options

    try:
        single_id, patterns = agency_patterns(agency)
        if mapping:
            patterns = {**read_mapping(Path(mapping)), **patterns}
    except MappingError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    common = Options(single_id, region, kind)
    problems = check_options(single_id, region, kind) + [p for o in patterns.values() for p in check_options(o.agency, o.region, o.kind)]
    if problems:
        print("\n".join(dict.fromkeys(problems)), file=sys.stderr)
        return EXIT_USAGE
    sources, missing = input_files([Path(p) for p in paths])
    if missing and not sources:
        print("\n".join(missing), file=sys.stderr)
        return EXIT_USAGE
    one_file = len(paths) == 1 and len(sources) == 1 and Path(paths[0]).is_file()
    if one_file and not (output and (output.endswith(("/", "\\")) or Path(output).is_dir())):
        return _import_one(sources[0], output, options_for(sources[0], common, patterns), reports)
    if not sources:
        print(f"没有找到可导入的文件（{'、'.join(IMPORTABLE)}）：{' '.join(paths)}", file=sys.stderr)
        return EXIT_USAGE
    out_dir = Path(output) if output else reports
    outcomes = []
    for outcome in import_many(sources, out_dir, reports, common, patterns):
        print_notes(outcome, print)
        outcomes.append(outcome)
    for line in missing:
        print(line, file=sys.stderr)
    written = [o.output for o in outcomes if o.output is not None]
    findings = findings_of(written, reports)
    sys.stdout.write(format_text(findings, len(written)) + "\n")
    print("导入汇总：")
    for outcome in outcomes:
        print(summary_line(outcome))
    cells = [o.imported.cells for o in outcomes if o.imported is not None and o.output is not None]
    unbalanced = sum(len(o.imported.balance) for o in outcomes if o.imported is not None and o.output is not None)
    print(
        f"共 {len(outcomes)} 个文件：导入 {len(written)} 个，未导入 {len(outcomes) - len(written)} 个；"
        f"表格读出 {sum(c[0] for c in cells)} 格，待填 {sum(c[1] for c in cells)} 格，原报告不平衡 {unbalanced} 处"
    )
    failed = len(written) < len(outcomes) or missing
    return EXIT_FINDINGS if failed or any(f.is_error for f in findings) else EXIT_OK


def _import_one(source: Path, output: str | None, given: Options, reports: Path) -> int:
    """Import one file to ``output`` (default: ``<reports>/<id>-<year>.yaml``) and print its findings."""
    from ..template import default_output, refusal, schema_path_for

    try:
        imported = import_report(source, given.agency, given.region, given.kind)
    except UnreadableInput as exc:
        print(f"无法导入：{exc}", file=sys.stderr)
        return EXIT_FINDINGS
    agency_id, year = imported.meta.agency_id, imported.meta.year
    if output:
        target = Path(output)
    elif agency_id and year:
        target = default_output(reports, agency_id, year)
    else:
        target = source.with_suffix(".yaml")  # F6 then asks for the right name
    refused = refusal(target, reports, agency_id, year or 0)
    if refused:
        print(refused, file=sys.stderr)
        return EXIT_FINDINGS
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(imported.render(schema_path_for(target)), encoding="utf-8")
    print(f"已导入 {display_path(source)} → {display_path(target)}（{imported.format.name}）")
    outcome = Outcome(source, target, imported)
    print_notes(outcome, print)
    findings = findings_of([target], reports)
    sys.stdout.write(format_text(findings, 1) + "\n")
    print(summary_line(outcome))
    return EXIT_FINDINGS if any(f.is_error for f in findings) else EXIT_OK
