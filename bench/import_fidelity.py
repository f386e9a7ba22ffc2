"""Fidelity of ``nianbao import`` on the corpus of tests/fixtures/import_corpus/ (its true cells in truth.json).

Every file is imported as an editor would (agency id, region and kind given); each cell of tables 2
and 3 (and, apart, table 1) is scored right, wrong (a number that is not the published one) or 待填,
and the metadata the text states (agency, year, contact, 署名, 日期) right or not. Prints one line per
file, the totals per form and overall, and exits 1 on any wrong cell or any file that does not import.

    .venv/bin/python bench/import_fidelity.py [--corpus DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.importer import UnreadableInput, import_report  # noqa: E402
from generator.writer import MISSING  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "import_corpus"
SCORED = ("表二", "表三")


@dataclass
class Score:
    """Cells right / wrong / 待填 of one file (tables 2 and 3, and table 1 apart) and its metadata."""

    name: str
    form: str
    imported: bool = True
    right: int = 0
    wrong: int = 0
    open: int = 0
    t1_right: int = 0
    t1_wrong: int = 0
    t1_open: int = 0
    meta_right: int = 0
    meta_total: int = 0
    prose_right: int = 0  # paragraphs of the lead and sections imported exactly as published
    prose_total: int = 0
    seconds: float = 0.0
    wrong_cells: list[str] = field(default_factory=list)
    error: str = ""


def _value(value: Any) -> str | None:
    return None if value == MISSING else str(value)


def score_file(path: Path, truth: dict[str, Any]) -> Score:
    """Import ``path`` and compare it with its ``truth``."""
    score = Score(path.name, truth["form"])
    start = time.perf_counter()
    try:
        imported = import_report(path, "corpus-agency", "省/市", "部门")
    except UnreadableInput as exc:
        score.imported, score.error = False, str(exc)
        score.prose_total = sum(len(_paragraphs(t)) for t in truth["prose"].values())
        for table, cells in truth["cells"].items():
            if table in SCORED:
                score.open += len(cells)
            else:
                score.t1_open += len(cells)
        return score
    score.seconds = time.perf_counter() - start
    tables = imported.data["tables"]
    for table, cells in truth["cells"].items():
        got = {"/".join(k): v for k, v in tables.get(table, {}).items()}
        for key, want in cells.items():
            value = _value(got.get(key, MISSING))
            which = "" if table in SCORED else "t1_"
            if value is None:
                setattr(score, f"{which}open", getattr(score, f"{which}open") + 1)
            elif value == want and f"{table}/{key}" not in truth["open"]:
                setattr(score, f"{which}right", getattr(score, f"{which}right") + 1)
            else:
                setattr(score, f"{which}wrong", getattr(score, f"{which}wrong") + 1)
                score.wrong_cells.append(f"{table}/{key}: {value} (真值 {want})")
    meta = imported.meta
    checks = [
        meta.agency == truth["agency"],
        meta.year == truth["year"],
        meta.signature == truth["signature"],
        (meta.date.isoformat() if meta.date else None) == truth["date"],
        *(meta.contact.get(k) == v for k, v in truth["contact"].items()),
    ]
    score.meta_right, score.meta_total = sum(checks), len(checks)
    for key, text in truth["prose"].items():
        want = _paragraphs(text)
        got = set(_paragraphs(str(imported.data.get(key) or "")))
        score.prose_total += len(want)
        score.prose_right += sum(1 for p in want if p in got)
    return score


def _paragraphs(markdown: str) -> list[str]:
    return [p.strip().removeprefix("## ") for p in markdown.split("\n\n") if p.strip() and p.strip() != MISSING]


def _pct(right: int, total: int) -> str:
    return f"{100 * right / total:5.1f}%" if total else "   – "


def report(scores: list[Score]) -> None:
    head = f"{'file':<24} {'form':<8} {'表二+表三 right/wrong/待填':>26} {'right%':>7} {'表一 r/w/待填':>14} {'metadata':>9} {'prose':>7} {'s':>5}"
    print(head)
    print("-" * len(head))
    for s in scores:
        status = "" if s.imported else f"  不能导入：{s.error[:40]}"
        print(
            f"{s.name:<24} {s.form:<8} {s.right:>12}/{s.wrong}/{s.open:<10} {_pct(s.right, s.right + s.wrong + s.open):>7}"
            f" {s.t1_right:>6}/{s.t1_wrong}/{s.t1_open:<5} {s.meta_right:>4}/{s.meta_total:<4} {s.prose_right:>3}/{s.prose_total:<3} {s.seconds:5.2f}{status}"
        )
        for cell in s.wrong_cells[:5]:
            print(f"    wrong: {cell}")
    print("-" * len(head))
    forms: dict[str, list[Score]] = {}
    for s in scores:
        forms.setdefault(s.form, []).append(s)
    for form, group in [*forms.items(), ("total", scores)]:
        r, w, o = (sum(getattr(s, k) for s in group) for k in ("right", "wrong", "open"))
        t1 = [sum(getattr(s, k) for s in group) for k in ("t1_right", "t1_wrong", "t1_open")]
        mr, mt = sum(s.meta_right for s in group), sum(s.meta_total for s in group)
        pr, pt = sum(s.prose_right for s in group), sum(s.prose_total for s in group)
        ok = sum(s.imported for s in group)
        print(
            f"{form:<24} {f'{ok}/{len(group)} imported':<8} {r:>8}/{w}/{o:<10} {_pct(r, r + w + o):>7}"
            f" {t1[0]:>6}/{t1[1]}/{t1[2]:<5} {mr:>4}/{mt:<4} {pr:>3}/{pt:<3}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--json", type=Path, default=None, help="also write the scores as JSON")
    args = parser.parse_args()
    truths = json.loads((args.corpus / "truth.json").read_text(encoding="utf-8"))
    scores = [score_file(args.corpus / name, truth) for name, truth in sorted(truths.items())]
    report(scores)
    if args.json:
        args.json.write_text(json.dumps([asdict(s) for s in scores], ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if any(s.wrong or not s.imported for s in scores) else 0


if __name__ == "__main__":
    sys.exit(main())
