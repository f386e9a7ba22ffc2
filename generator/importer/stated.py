"""The published report's own balance: R1–R4 on the numbers it states, before anyone edits them.

The importer keeps every number as printed, even when the printed table does not balance (a real
report stated 总计 0 beside 10 + 1): changing it would be a guess. The editor must hear at import that
the source itself is out of balance, so that the finding is not taken for an import error.
"""

from __future__ import annotations

from typing import Any

from ..formats import FormatDef
from ..model import Number
from .text import Note

KeyPath = tuple[str, ...]


def source_balance(fmt: FormatDef, tables: dict[str, dict[KeyPath, Any]]) -> list[Note]:
    """Return a note for every balance rule the stated numbers of ``tables`` break."""
    notes: list[Note] = []

    def value(table: str, path: KeyPath) -> Number | None:
        found = tables.get(table, {}).get(path)
        return None if found is None or isinstance(found, str) else found  # a str is 待填

    def name(table: str, path: KeyPath) -> str:
        return fmt.table[table].cell_by_path[path].name

    for rule in fmt.sums:
        total = value(rule.table, rule.total)
        parts = [value(rule.table, p) for p in rule.parts]
        if total is None or any(p is None for p in parts):
            continue
        expected = sum((p for p in parts if p is not None), start=0)
        if expected != total:
            notes.append(
                Note(
                    f"原报告本身不平衡（{rule.rule}）：{name(rule.table, rule.total)} 印为 {total}，"
                    f"而各分项之和为 {expected}；已照原文导入，请向原报告的编制单位核实后改正"
                )
            )
    for balance in fmt.balances:
        left = [value(balance.table, p) for p in balance.left]
        right = [value(balance.table, p) for p in balance.right]
        if any(v is None for v in left + right):
            continue
        lsum = sum((v for v in left if v is not None), start=0)
        rsum = sum((v for v in right if v is not None), start=0)
        if lsum != rsum:
            notes.append(
                Note(
                    f"原报告本身不平衡（{balance.rule}）：{balance.table}“{balance.column}”列 一、本年新收 + 二、上年结转 = {lsum}，"
                    f"而 三、（七）总计 + 四、结转下年度继续办理 = {rsum}；已照原文导入，请向原报告的编制单位核实后改正"
                )
            )
    return notes
