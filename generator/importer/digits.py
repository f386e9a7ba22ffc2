"""Split printed numbers into a row's cells, and let the balance rules choose among the splits.

A row may be printed with its cells run together (``1000001`` for seven cells), with blank cells
left out, or as it should be. Every way of reading the printed digits as the row's cells is a
candidate; the sum rules (R2, R4) within a row, then R1 and R3 across rows, keep the candidates that
balance. A cell on which all remaining candidates agree is determined; any other is left to the
editor. Nothing is guessed: when the rules leave two readings, the cell stays open.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ..formats import FormatDef, Kind
from ..model import Number

KeyPath = tuple[str, ...]
Reading = tuple[Number | None, ...]  # a row's cells; None for a cell nothing can determine
NODE_LIMIT = 200_000  # search steps before giving up on a row or a table: the cells stay open

_PATTERNS = {
    Kind.COUNT: re.compile(r"^(?:0|[1-9][0-9]*)$"),
    Kind.SIGNED: re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"),
    Kind.AMOUNT: re.compile(r"^(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$"),
}


class TooMany(Exception):
    """The search for readings went past NODE_LIMIT."""


def parse_value(text: str, kind: Kind) -> Number | None:
    """Return ``text`` as a number of ``kind``, or None; ``007`` is no number (a cell is never padded)."""
    if not _PATTERNS[kind].match(text):
        return None
    return Decimal(text) if kind is Kind.AMOUNT else int(text)


def literal_value(text: str) -> Number | None:
    """Return ``text`` as printed, even when it breaks R5 (validation then names the problem)."""
    try:
        return int(text) if re.fullmatch(r"[-+]?[0-9]+", text) else Decimal(text)
    except ArithmeticError:
        return None


def candidates(tokens: Sequence[str | None], kinds: Sequence[Kind], gaps: bool = False) -> list[Reading]:
    """Return every reading of ``tokens`` as the cells of a row with columns of ``kinds``.

    A token is a run of digits (one or more cells run together) or None, a blank cell (0). With
    ``gaps``, cells missing from the text are blank cells it dropped (0), at any place between
    tokens. Raises TooMany when the readings cannot be counted in reasonable time.
    """
    n = len(kinds)
    found: set[Reading] = set()
    steps = 0

    def place(col: int, ti: int, acc: Reading) -> None:
        nonlocal steps
        steps += 1
        if steps > NODE_LIMIT:
            raise TooMany
        left = len(tokens) - ti
        if left == 0:
            if col == n or gaps:
                found.add(acc + (0,) * (n - col))
            return
        if n - col < left:
            return
        if gaps and n - col > left:
            place(col + 1, ti, acc + (0,))
        token = tokens[ti]
        if token is None:
            place(col + 1, ti + 1, acc + (0,))
        else:
            split(col, ti, token, acc)

    def split(col: int, ti: int, rest: str, acc: Reading) -> None:
        later = len(tokens) - ti - 1  # tokens after this one need a column each
        for cut in range(1, len(rest) + 1):
            value = parse_value(rest[:cut], kinds[col])
            if value is None:
                continue
            if cut == len(rest):
                place(col + 1, ti + 1, acc + (value,))
            elif n - (col + 1) > later:
                split(col + 1, ti, rest[cut:], acc + (value,))

    place(0, 0, ())
    return sorted(found, key=lambda values: [str(v) for v in values])


@dataclass(frozen=True)
class Equation:
    """The cells of ``left`` sum to the cells of ``right`` (a sum rule or R1)."""

    rule: str
    left: tuple[KeyPath, ...]
    right: tuple[KeyPath, ...]

    def holds(self, value: Callable[[KeyPath], Number | None]) -> bool:
        """Return False only when every cell is known and the sums differ."""
        left, right = [value(p) for p in self.left], [value(p) for p in self.right]
        if any(v is None for v in left + right):
            return True
        return sum((v for v in left if v is not None), start=0) == sum((v for v in right if v is not None), start=0)


def equations(fmt: FormatDef, table: str) -> list[Equation]:
    """Return the balance rules of ``table`` (R1–R4) as equations on key paths."""
    out = [Equation(s.rule, (s.total,), s.parts) for s in fmt.sums if s.table == table]
    out += [Equation(b.rule, b.left, b.right) for b in fmt.balances if b.table == table]
    return out


@dataclass
class RowChoice:
    """The readings still possible for one row; no reading when the row was not found."""

    paths: tuple[KeyPath, ...]
    options: list[Reading] = field(default_factory=list)  # readings that use every cell printed
    fallback: list[Reading] = field(default_factory=list)  # readings with dropped blank cells
    readings: int = 0  # readings of the printed text before the rules chose

    def applies(self, rule: Equation, where: dict[KeyPath, tuple[int, int]], r: int) -> bool:
        return all(where.get(p, (-1, 0))[0] == r for p in rule.left + rule.right)


def _reader(reading: Reading, where: dict[KeyPath, tuple[int, int]]) -> Callable[[KeyPath], Number | None]:
    """Return the value of a cell of the row that ``reading`` reads."""
    return lambda path: reading[where[path][1]]


def narrow(rows: list[RowChoice], rules: list[Equation]) -> None:
    """Keep only the readings that balance, where some reading does (rows are changed in place).

    A row that balances no reading keeps them all: a printed report may really be out of balance,
    and then validation must say so rather than the importer hiding it.
    """
    where = {path: (r, c) for r, row in enumerate(rows) for c, path in enumerate(row.paths)}
    for r, row in enumerate(rows):
        own = [e for e in rules if row.applies(e, where, r)]
        # a blank cell the text dropped is assumed only when the printed cells cannot balance
        for tier in (row.options, row.fallback):
            kept = [o for o in tier if all(e.holds(_reader(o, where)) for e in own)]
            if kept:
                row.readings = len(tier)
                row.options = kept
                break
        else:
            row.readings = len(row.options or row.fallback)
            row.options = row.options or row.fallback
    ambiguous = [r for r, row in enumerate(rows) if len(row.options) > 1]
    if not ambiguous:
        return
    order = {r: i for i, r in enumerate(ambiguous)}
    checks: list[list[Equation]] = [[] for _ in ambiguous]
    for e in rules:
        cells = e.left + e.right
        if any(p not in where or not rows[where[p][0]].options for p in cells):
            continue  # a cell nobody knows: the rule cannot decide anything
        involved = [order[where[p][0]] for p in cells if where[p][0] in order]
        if involved:
            checks[max(involved)].append(e)
    chosen: dict[int, Reading] = {}
    used: list[set[Reading]] = [set() for _ in ambiguous]
    steps = 0

    def value(path: KeyPath) -> Number | None:
        r, c = where[path]
        return (chosen[r] if r in chosen else rows[r].options[0])[c]

    def search(i: int) -> None:
        nonlocal steps
        if i == len(ambiguous):
            for r in ambiguous:
                used[order[r]].add(chosen[r])
            return
        r = ambiguous[i]
        for option in rows[r].options:
            steps += 1
            if steps > NODE_LIMIT:
                raise TooMany
            chosen[r] = option
            if all(e.holds(value) for e in checks[i]):
                search(i + 1)
        del chosen[r]

    try:
        search(0)
    except TooMany:
        return
    if any(used):
        for r in ambiguous:
            rows[r].options = [o for o in rows[r].options if o in used[order[r]]]


def settled(row: RowChoice) -> list[Number | None]:
    """Return each cell's value where every remaining reading agrees, else None."""
    if not row.options:
        return [None] * len(row.paths)
    out: list[Number | None] = []
    for c in range(len(row.paths)):
        values = {o[c] for o in row.options}
        out.append(values.pop() if len(values) == 1 else None)
    return out
