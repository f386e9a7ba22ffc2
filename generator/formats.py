"""The statutory report formats, defined once as data.

Every label, merged header cell and sum rule of the 2021 format (国办公开办函〔2021〕30号) and the
2019 试行 format (国办公开办函〔2019〕60号) lives here. Validation, the web tables, the PDF tables,
the importer and the data export all walk these definitions; none of them repeats a label.

A table is a list of blocks. A block has a header (a tree of column labels, rendered with merged
cells) and a body (a tree of row labels). Each data cell is addressed by its *key path*: the YAML
keys that lead to it below the table's key, which is also the open-data address (row label path
joined by ``/`` mapped to the column label).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property


class Kind(Enum):
    """What a data cell holds."""

    COUNT = "count"  # non-negative integer
    SIGNED = "signed"  # integer, may be negative (2019: 本年增/减)
    AMOUNT = "amount"  # non-negative decimal in 万元


@dataclass(frozen=True)
class Node:
    """A label in a header or row tree; leaves address data."""

    label: str
    children: tuple[Node, ...] = ()
    kind: Kind = Kind.COUNT
    total: bool = False  # derived by the program from its siblings; may be stated in a file

    @property
    def leaves(self) -> tuple[Node, ...]:
        if not self.children:
            return (self,)
        return tuple(leaf for child in self.children for leaf in child.leaves)

    @property
    def depth(self) -> int:
        return 1 + max((c.depth for c in self.children), default=0)


def leaf_paths(nodes: tuple[Node, ...], prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Node]]:
    """Yield (label path, leaf) for every leaf under ``nodes``, in reading order."""
    for node in nodes:
        path = prefix + (node.label,) if node.label else prefix
        if node.children:
            yield from leaf_paths(node.children, path)
        else:
            yield path, node


@dataclass(frozen=True)
class Block:
    """One rectangular part of a table: a header over a body."""

    caption: str | None  # e.g. 第二十条第（一）项, a row spanning the whole table
    corner: str  # the header's top-left cell
    columns: tuple[Node, ...]
    rows: tuple[Node, ...]
    corner_width: int = 1  # columns taken by the row labels
    by_column: bool = False  # key paths follow the column tree (table 3 has a single unnamed row)


@dataclass(frozen=True)
class CellDef:
    """One data cell of a table."""

    table: str  # 表一 / 表二 / 表三
    path: tuple[str, ...]  # YAML key path below the table key
    row: tuple[str, ...]  # row label path (with the block caption first in table 1)
    column: tuple[str, ...]  # column label path
    kind: Kind
    total: bool

    @property
    def row_label(self) -> str:
        return "/".join(self.path[:-1])

    @property
    def column_label(self) -> str:
        return self.path[-1]

    @property
    def name(self) -> str:
        """Name the cell in the form's own words, e.g. ``表二 第（七）总计 行 自然人 列``."""
        if self.table == "表三":
            return f"{self.table} {' '.join(self.path[:-1])} {self.path[-1]} 列"
        row = list(self.row)
        if self.table == "表一":
            return f"{self.table} {row[0]} {row[-1]} 行 {self.column_label} 列"
        # 表二: a numbered sub-row is named with its group: （三）不予公开 1.属于国家秘密
        words = row[-2:] if row[-1][:1].isdigit() else row[-1:]
        label = " ".join(words)
        if label.startswith("（"):
            label = "第" + label
        return f"{self.table} {label} 行 {self.column_label} 列"


@dataclass(frozen=True)
class SumRule:
    """``total`` must equal the sum of ``parts`` (a derived total)."""

    rule: str  # R2 / R3 / R4
    table: str
    total: tuple[str, ...]  # key path of the total cell
    parts: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class BalanceRule:
    """R1: the sum of ``left`` must equal the sum of ``right``."""

    rule: str
    table: str
    column: str
    left: tuple[tuple[str, ...], ...]
    right: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class TableDef:
    """A statutory table: its key, title and blocks."""

    id: str
    title: str
    blocks: tuple[Block, ...]

    @cached_property
    def width(self) -> int:
        return max(b.corner_width + sum(len(c.leaves) for c in b.columns) for b in self.blocks)

    @cached_property
    def cells(self) -> tuple[CellDef, ...]:
        out: list[CellDef] = []
        for block in self.blocks:
            prefix = (block.caption,) if block.caption else ()
            columns = list(leaf_paths(block.columns))
            for row_path, row in leaf_paths(block.rows):
                for col_path, col in columns:
                    if block.by_column:
                        path = prefix + col_path
                    else:
                        path = prefix + row_path + (col.label,)
                    out.append(
                        CellDef(
                            table=self.id,
                            path=path,
                            row=prefix + row_path,
                            column=col_path,
                            kind=col.kind if col.kind is not Kind.COUNT else row.kind,
                            total=col.total or row.total,
                        )
                    )
        return tuple(out)

    @cached_property
    def cell_by_path(self) -> dict[tuple[str, ...], CellDef]:
        return {c.path: c for c in self.cells}


@dataclass(frozen=True)
class FormatDef:
    """One version of the national format: sections, tables and sum rules."""

    id: int  # 2021 or 2019
    name: str
    document: str  # the notice that issued it
    years: tuple[int, int]  # report years it applies to (inclusive)
    tables: tuple[TableDef, ...]
    sums: tuple[SumRule, ...] = ()
    balances: tuple[BalanceRule, ...] = ()
    sections: tuple[str, ...] = field(default=())

    @cached_property
    def table(self) -> dict[str, TableDef]:
        return {t.id: t for t in self.tables}


# ---------------------------------------------------------------------------------------------
# Labels shared by both versions

SECTIONS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
# Agency kinds and the deadline of their report for year Y, as (month, day) of Y+1 (条例 第四十九条):
# a 县级以上地方人民政府 by 31 March, its departments by 31 January; other bodies follow departments.
AGENCY_KINDS: dict[str, tuple[int, int]] = {
    "人民政府": (3, 31),
    "部门": (1, 31),
    "乡镇街道": (1, 31),
    "事业单位": (1, 31),
    "其他": (1, 31),
}

# The section that each table follows.
TABLE_SECTION = {"表一": SECTIONS[1], "表二": SECTIONS[2], "表三": SECTIONS[3]}

APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
LEGAL_PERSONS = APPLICANTS[1:]
TOTAL = "总计"
R1_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

ROW_NEW = "一、本年新收政府信息公开申请数量"
ROW_CARRIED_IN = "二、上年结转政府信息公开申请数量"
ROW_RESULTS = "三、本年度办理结果"
ROW_RESULTS_TOTAL = "（七）总计"
ROW_CARRIED_OUT = "四、结转下年度继续办理"
# The six kinds of result under 三、本年度办理结果, in the form's order.
DISCLOSED, PARTLY, WITHHELD, UNABLE, NOT_HANDLED, OTHER_HANDLING = RESULT_GROUPS = (
    "（一）予以公开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "（三）不予公开",
    "（四）无法提供",
    "（五）不予处理",
    "（六）其他处理",
)

OUTCOMES = ("结果维持", "结果纠正", "其他结果", "尚未审结")
# Table 1 (2021), block 第（一）项: documents issued, repealed and in force (W2 carries the stock on).
STOCK_BLOCK = "第二十条第（一）项"
ISSUED, REPEALED, IN_FORCE = "本年制发件数", "本年废止件数", "现行有效件数"
STOCK_ROWS = ("规章", "行政规范性文件")
REVIEW = "行政复议"
LITIGATION = "行政诉讼"
LITIGATION_KINDS = ("未经复议直接起诉", "复议后起诉")


def _n(label: str, *children: Node, kind: Kind = Kind.COUNT, total: bool = False) -> Node:
    return Node(label, tuple(children), kind, total)


def _leaves(*labels: str, kind: Kind = Kind.COUNT) -> tuple[Node, ...]:
    return tuple(Node(label, kind=kind) for label in labels)


def _table2(other_handling: Node) -> TableDef:
    columns = (
        _n(
            "申请人情况",
            _n(APPLICANTS[0]),
            _n("法人或其他组织", *_leaves(*LEGAL_PERSONS)),
            _n(TOTAL, total=True),
        ),
    )
    rows = (
        _n(ROW_NEW),
        _n(ROW_CARRIED_IN),
        _n(
            ROW_RESULTS,
            _n(DISCLOSED),
            _n(PARTLY),
            _n(
                WITHHELD,
                *_leaves(
                    "1.属于国家秘密",
                    "2.其他法律行政法规禁止公开",
                    "3.危及“三安全一稳定”",
                    "4.保护第三方合法权益",
                    "5.属于三类内部事务信息",
                    "6.属于四类过程性信息",
                    "7.属于行政执法案卷",
                    "8.属于行政查询事项",
                ),
            ),
            _n(
                UNABLE,
                *_leaves("1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"),
            ),
            _n(
                NOT_HANDLED,
                *_leaves(
                    "1.信访举报投诉类申请",
                    "2.重复申请",
                    "3.要求提供公开出版物",
                    "4.无正当理由大量反复申请",
                    "5.要求行政机关确认或重新出具已获取信息",
                ),
            ),
            other_handling,
            _n(ROW_RESULTS_TOTAL, total=True),
        ),
        _n(ROW_CARRIED_OUT),
    )
    block = Block(caption=None, corner=R1_NOTE, columns=columns, rows=rows, corner_width=3)
    return TableDef("表二", "收到和处理政府信息公开申请情况", (block,))


def _table3() -> TableDef:
    def outcome_group(label: str) -> Node:
        return _n(label, *_leaves(*OUTCOMES), _n(TOTAL, total=True))

    review = outcome_group(REVIEW)
    litigation = _n(LITIGATION, *(outcome_group(k) for k in LITIGATION_KINDS))
    block = Block(caption=None, corner="", columns=(review, litigation), rows=(_n(""),), corner_width=0, by_column=True)
    return TableDef("表三", "政府信息公开行政复议、行政诉讼情况", (block,))


def _sum_rules(table2: TableDef, table3: TableDef) -> tuple[tuple[SumRule, ...], tuple[BalanceRule, ...]]:
    sums: list[SumRule] = []
    balances: list[BalanceRule] = []
    block = table2.blocks[0]
    row_paths = [p for p, _ in leaf_paths(block.rows)]
    # R2: per row, 总计 = the six applicant columns.
    for row in row_paths:
        sums.append(SumRule("R2", "表二", row + (TOTAL,), tuple(row + (c,) for c in APPLICANTS)))
    # R3: per column, （七）总计 = every numbered result row above it.
    result_rows = [p for p in row_paths if p[0] == ROW_RESULTS and p[-1] != ROW_RESULTS_TOTAL]
    for column in APPLICANTS + (TOTAL,):
        sums.append(SumRule("R3", "表二", (ROW_RESULTS, ROW_RESULTS_TOTAL, column), tuple(r + (column,) for r in result_rows)))
        # R1: 一 + 二 = 三（七）总计 + 四, printed in the form itself.
        balances.append(
            BalanceRule(
                "R1",
                "表二",
                column,
                left=((ROW_NEW, column), (ROW_CARRIED_IN, column)),
                right=((ROW_RESULTS, ROW_RESULTS_TOTAL, column), (ROW_CARRIED_OUT, column)),
            )
        )
    # R4: table 3, 总计 = the four outcomes, for 行政复议 and both kinds of 行政诉讼.
    for group in ((REVIEW,),) + tuple((LITIGATION, k) for k in LITIGATION_KINDS):
        sums.append(SumRule("R4", "表三", group + (TOTAL,), tuple(group + (o,) for o in OUTCOMES)))
    return tuple(sums), tuple(balances)


def _format_2021() -> FormatDef:
    info = "信息内容"
    decided = "本年处理决定数量"
    table1 = TableDef(
        "表一",
        "主动公开政府信息情况",
        (
            Block(STOCK_BLOCK, info, _leaves(ISSUED, REPEALED, IN_FORCE), _leaves(*STOCK_ROWS)),
            Block("第二十条第（五）项", info, _leaves(decided), _leaves("行政许可")),
            Block("第二十条第（六）项", info, _leaves(decided), _leaves("行政处罚", "行政强制")),
            Block("第二十条第（八）项", info, _leaves("本年收费金额（单位：万元）", kind=Kind.AMOUNT), _leaves("行政事业性收费")),
        ),
    )
    other = _n(
        OTHER_HANDLING,
        *_leaves(
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "3.其他",
        ),
    )
    table2 = _table2(other)
    table3 = _table3()
    sums, balances = _sum_rules(table2, table3)
    return FormatDef(
        2021,
        "2021 年版格式",
        "国办公开办函〔2021〕30号",
        (2021, 9999),
        (table1, table2, table3),
        sums,
        balances,
        SECTIONS,
    )


def _format_2019() -> FormatDef:
    info = "信息内容"
    items = (Node("上一年项目数量"), Node("本年增/减", kind=Kind.SIGNED), Node("处理决定数量"))
    table1 = TableDef(
        "表一",
        "主动公开政府信息情况",
        (
            Block("第二十条第（一）项", info, _leaves("本年新制作数量", "本年新公开数量", "对外公开总数量"), _leaves("规章", "规范性文件")),
            Block("第二十条第（五）项", info, items, _leaves("行政许可", "其他对外管理服务事项")),
            Block("第二十条第（六）项", info, items, _leaves("行政处罚", "行政强制")),
            Block("第二十条第（八）项", info, items[:2], _leaves("行政事业性收费")),
            Block(
                "第二十条第（九）项",
                info,
                (Node("采购项目数量"), Node("采购总金额", kind=Kind.AMOUNT)),
                _leaves("政府集中采购"),
            ),
        ),
    )
    table2 = _table2(_n(OTHER_HANDLING))
    table3 = _table3()
    sums, balances = _sum_rules(table2, table3)
    return FormatDef(
        2019,
        "2019 年试行格式",
        "国办公开办函〔2019〕60号",
        (2019, 2020),
        (table1, table2, table3),
        sums,
        balances,
        SECTIONS,
    )


FORMATS: dict[int, FormatDef] = {f.id: f for f in (_format_2021(), _format_2019())}
