"""Choose among a section's readings with the template's arithmetic, or say it cannot.

Each row comes with its readings (ingestion.parser.readings). Readings that put the same
non-zero numbers in the same cells are one *class*: they differ only in where zeros and
blanks stand, which no sum can see. Per row, the row's own checks (row 总计) drop the
classes that break them, if any class keeps them. Then every combination of the remaining
classes is checked against the column rules (一+二 = （七）+四, the outcome sum, section
四's group totals): a row is decided when every combination that passes agrees on it. A
row that several passing combinations read differently is undecided: its cells that
differ between readings are uncertain (null), the cells all readings agree on stand. When
no combination passes, the rows searched are all uncertain: the cells their readings agree
on are part of what fails.

Within a decided class, readings may still differ in where zeros stand (a row printing
fewer cells than it has columns: is its 0 the 总计 or the 自然人?). No sum sees a zero, so
the cells that differ are uncertain: the fill pattern that once placed them in 总计 was a
guess about the form, not a proof.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from math import prod

from .readings import Reading
from .rules import holds
from .template import Check, TRow
from .values import Value, read

MAX_COMBINATIONS = 200_000
NO_READING = "no reading satisfies the template's sums"


@dataclass
class RowCase:
    trow: TRow
    readings: list[Reading]
    where: str  # for messages: the row's label and line/page
    reserve: list[Reading] = field(default_factory=list)  # readings tried only if the others break a sum
    # rows of one shape (delimited cells, labels in the same cells) share their grid: where
    # the sums put one row's columns, they stand in the others
    shape: tuple | None = None


@dataclass
class Decision:
    values: dict[str, Value] = field(default_factory=dict)
    printed: dict[str, str] = field(default_factory=dict)
    origin: dict[str, int] = field(default_factory=dict)  # field → document row, when read from another printing
    uncertain: dict[str, str] = field(default_factory=dict)  # field → why
    resolved: list[str] = field(default_factory=list)  # inferences made, and what confirmed them
    problems: list[str] = field(default_factory=list)  # ambiguities nothing could decide
    # rows whose printed cells the sums placed among more columns (a row that lost cells):
    # (where, fields) — that placement leans on the other rows the sums held with
    placed: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)


def _kinds(trow: TRow) -> dict[str, str]:
    return {f: c.kind for c, f in zip(trow.columns, trow.fields)}


def _values(reading: Reading, kinds: dict[str, str]) -> dict[str, Value]:
    return {f: read(t, kinds[f]) for f, t in reading.texts}


def _signature(values: dict[str, Value]) -> frozenset:
    return frozenset((f, v.value if not v.flagged else ("flag", v.note)) for f, v in values.items()
                     if v.flagged or (v.value not in (None, 0)))


def _sum(fields, values: dict[str, Value]) -> float | None:
    total = 0.0
    for f in fields:
        v = values.get(f)
        if v is not None and v.flagged:
            return None  # a flagged cell: the check cannot be evaluated
        total += (v.value or 0) if v is not None else 0
    return total


def check_passes(check: Check, values: dict[str, Value]) -> bool | None:
    e, a = _sum(check.expected, values), _sum(check.actual, values)
    if e is None or a is None:
        return None
    return holds(e, a)


class _Row:
    def __init__(self, case: RowCase):
        self.case = case
        kinds = _kinds(case.trow)
        self.parsed = [_values(r, kinds) for r in case.readings]
        classes: dict[frozenset, list[int]] = {}
        for i, vals in enumerate(self.parsed):
            classes.setdefault(_signature(vals), []).append(i)
        self.classes = list(classes.values())  # each: indexes of readings

    @property
    def fields(self) -> tuple[str, ...]:
        return self.case.trow.fields

    def rep(self, c: int) -> dict[str, Value]:
        return self.parsed[self.classes[c][0]]


def _drop_flagged(row: _Row) -> None:
    """A reading that leaves a printed cell unreadable (a split of 000 into 00|0, a digit
    string too long for one count) loses to readings that read every printed cell."""
    clean = [k for k in range(len(row.classes)) if not any(v.flagged for v in row.rep(k).values())]
    if clean and len(clean) < len(row.classes):
        row.classes = [row.classes[k] for k in clean]


def _local_filter(row: _Row, checks: list[Check]) -> tuple[str | None, list[Check]]:
    """Keep the classes that pass the row's own checks, if any does. Returns the rule that
    decided, and the row's own checks that fail in every reading: the report's own error
    (a 总计 with blank parts), which cannot tell readings apart and must not decide others."""
    if len(row.classes) < 2:
        return None, []
    fields = set(row.fields)
    own = [c for c in checks if c.expected[0] in fields and set(c.fields) <= fields]
    if not own:
        return None, []
    broken = [c for c in own if all(check_passes(c, row.rep(k)) is False for k in range(len(row.classes)))]
    usable = [c for c in own if c not in broken]
    passing = [k for k in range(len(row.classes))
               if all(check_passes(c, row.rep(k)) is not False for c in usable)]
    if usable and passing and len(passing) < len(row.classes):
        row.classes = [row.classes[k] for k in passing]
        return usable[0].rule, broken
    return None, broken


def _search(rows: list[_Row], ambiguous: list[int], checks: list[Check], fixed: dict[str, Value]):
    """For each ambiguous row, the classes it takes in the combinations that pass every
    check (an empty list: none passes), or None when there are too many to try. The walk
    stops once every row has two: nothing more could be decided."""
    if prod(len(rows[i].classes) for i in ambiguous) > MAX_COMBINATIONS:
        return None
    field_row = {f: pos for pos, i in enumerate(ambiguous) for f in rows[i].fields}
    trigger: dict[int, list[Check]] = {}
    for c in checks:
        involved = [field_row[f] for f in c.fields if f in field_row]
        if involved:
            trigger.setdefault(max(involved), []).append(c)
    picks: list[set[int]] = [set() for _ in ambiguous]
    values = dict(fixed)

    def walk(pos: int, chosen: tuple[int, ...]) -> bool:
        """False once nothing more can be learnt."""
        if pos == len(ambiguous):
            for p, k in enumerate(chosen):
                picks[p].add(k)
            return not all(len(p) >= 2 for p in picks)
        row = rows[ambiguous[pos]]
        go_on = True
        for k in range(len(row.classes)):
            values.update(row.rep(k))
            if all(check_passes(c, values) is not False for c in trigger.get(pos, [])):
                go_on = walk(pos + 1, chosen + (k,))
                if not go_on:
                    break
        for f in row.fields:
            values.pop(f, None)
        return go_on

    walk(0, ())
    return [] if not picks[0] and ambiguous else picks


def _place_zeros(row: _Row, members: list[int]) -> int | None:
    """Among readings that differ only in where zeros and blanks stand, the one they all
    are (a single distinct reading), or None: the differing cells are then uncertain."""
    distinct = {tuple((f, v.status, v.value) for f, v in sorted(row.parsed[m].items())): m for m in members}
    return members[0] if len(distinct) == 1 else None


def decide(cases: list[RowCase], checks: list[Check], unknown: set[str] = frozenset()) -> Decision:
    """`checks`: the section's checks; `unknown`: cells of rows that were not found (a check
    on them decides nothing). A row's reserve readings (a blank cell it may have lost) join
    its readings when the decision breaks a sum that row is part of: then either the sums
    choose, or the row is uncertain, never read as printed against its own arithmetic."""
    out = _decide(cases, checks, unknown)
    row_of = {f: i for i, c in enumerate(cases) for f in c.trow.fields}
    # a sum across rows (a row's own 总计 with blank parts breaks in every reading of it)
    across = [c for c in checks if len({row_of.get(f) for f in c.fields}) > 1 and not set(c.fields) & unknown]
    broken = {f for c in across if check_passes(c, out.values) is False for f in c.fields}
    widen = [c for c in cases if c.reserve and broken & set(c.trow.fields)]
    if not widen:
        return out
    return _decide([replace(c, readings=c.readings + c.reserve, reserve=[]) if c in widen else c for c in cases],
                   checks, unknown)


def _decide(cases: list[RowCase], checks: list[Check], unknown: set[str]) -> Decision:
    out = Decision()
    checks = [c for c in checks if not set(c.fields) & unknown]
    rows = [_Row(c) for c in cases if c.readings]
    for c in cases:
        if not c.readings:
            for f in c.trow.fields:
                out.uncertain[f] = f"{c.where}: the printed cells cannot be read into its columns"
    for row in rows:
        _drop_flagged(row)
        rule, broken = _local_filter(row, checks)
        checks = [c for c in checks if c not in broken]
        if rule and len(row.classes) == 1:
            out.resolved.append(f"{row.case.where}: read as the only reading its {rule} allows")
    chosen, why_not = _choose(rows, checks, out)
    grids = _grids(rows, chosen)
    for i, row in enumerate(rows):
        _settle(out, row, chosen[i], why_not.get(i), grids.get(row.case.shape))
    return out


def _grids(rows: list[_Row], chosen: dict[int, int | None]) -> dict[tuple, int]:
    """Per shape of delimited rows, where its first column stands, when every row of that
    shape whose reading is decided (by the count of its cells, or by the sums) puts it in
    the same place, and at least one row carries a number: a row of zeros alone proves
    nothing about where a zero stands."""
    seen: dict[tuple, set[int]] = {}
    for i, row in enumerate(rows):
        if row.case.shape is None or chosen.get(i) is None:
            continue
        members = row.classes[chosen[i]]
        starts = {row.case.readings[m].start for m in members}
        if len(starts) == 1 and -1 not in starts and any(v.value for v in row.rep(chosen[i]).values()):
            seen.setdefault(row.case.shape, set()).update(starts)
    return {shape: next(iter(s)) for shape, s in seen.items() if len(s) == 1}


def _choose(rows: list[_Row], checks: list[Check], out: Decision) -> tuple[dict[int, int | None], dict[int, str]]:
    """The class each row is read as (None: undecided), and why an undecided row is."""
    chosen: dict[int, int | None] = {i: 0 for i, r in enumerate(rows) if len(r.classes) == 1}
    fixed = {f: v for i in chosen for f, v in rows[i].rep(0).items()}
    ambiguous = [i for i, r in enumerate(rows) if len(r.classes) > 1]
    checked = [i for i in ambiguous if any(set(c.fields) & set(rows[i].fields) for c in checks)]
    why_not = {i: "several readings, and no sum checks these cells" for i in ambiguous if i not in checked}
    chosen.update(dict.fromkeys(why_not))
    if not checked:
        return chosen, why_not
    picks = _search(rows, checked, checks, fixed)
    why = ("too many readings to check" if picks is None else
           NO_READING if not picks else
           "several readings satisfy the template's sums")
    for pos, i in enumerate(checked):
        chosen[i] = next(iter(picks[pos])) if picks and len(picks[pos]) == 1 else None
        if chosen[i] is None:
            why_not[i] = why
        else:
            rules = sorted({c.rule for c in checks if set(c.fields) & set(rows[i].fields)})
            out.resolved.append(f"{rows[i].case.where}: the only reading {', '.join(rules)} allow")
    return chosen, why_not


def _settle(out: Decision, row: _Row, chosen: int | None, why_not: str | None, grid: int | None = None) -> None:
    """Take the row's reading: the chosen class when its readings agree on every cell, or
    the one that keeps the cells where the row's proven siblings stand (`grid`); else the
    cells every reading agrees on, the others uncertain."""
    members = row.classes[chosen] if chosen is not None else [m for cl in row.classes for m in cl]
    pick = _place_zeros(row, members) if chosen is not None else None
    if pick is None and chosen is not None and grid is not None:
        on_grid = [m for m in members if row.case.readings[m].start == grid]
        if len(on_grid) == 1:
            pick = on_grid[0]
            out.resolved.append(f"{row.case.where}: its cells read where they are printed, in the columns that the "
                                "sums prove for the rows of its shape (zeros no sum can place)")
    if pick is None and why_not == NO_READING:
        _take_none(out, row, why_not)  # the cells the readings agree on fail the sums too
        return
    if pick is None:
        _take_common(out, row, members, why_not or (
            "zeros could stand in several columns (no sum sees where a zero stands)" if chosen is not None
            else "the reading is ambiguous"))
        return
    how = row.case.readings[pick].how
    if row.case.readings[pick].unseen and len(row.classes) > 1:
        out.placed.append((row.case.where, row.fields))
    if "digits" in how:
        out.resolved.append(f"{row.case.where}: {how}, the only split its sums allow")
    if row.case.readings[pick].origin >= 0:
        out.resolved.append(f"{row.case.where}: printed more than once; read from {how}, the printing its sums allow")
    _take(out, row, pick)


UNSEEN = "nothing printed for it in a row that lost cells: a blank, or a value printed elsewhere"


def _take(out: Decision, row: _Row, pick: int) -> None:
    reading = row.case.readings[pick]
    for f, t in reading.texts:
        out.values[f] = row.parsed[pick][f]
        out.printed[f] = t
        if reading.origin >= 0:
            out.origin[f] = reading.origin
    for f in reading.unseen:
        out.uncertain[f] = f"{row.case.where}: {UNSEEN}"


def _take_common(out: Decision, row: _Row, members: list[int], why: str) -> None:
    """Keep the cells every reading agrees on; the rest are uncertain. In a row that lost
    cells, agreement is still a placement (it holds only if the row printed all it has
    here): the kept cells stand only where the sums confirm them (`placed`)."""
    unseen = {f for m in members for f in row.case.readings[m].unseen}
    if unseen:
        out.placed.append((row.case.where, row.fields))
    for f in row.fields:
        if f in unseen:
            out.values[f] = Value(None, "blank")
            out.uncertain[f] = f"{row.case.where}: {why}" if len(members) > 1 else f"{row.case.where}: {UNSEEN}"
            continue
        seen = {(row.parsed[m][f].status, row.parsed[m][f].value) for m in members}
        texts = {t for m in members for ff, t in row.case.readings[m].texts if ff == f}
        if len(seen) == 1:
            out.values[f] = row.parsed[members[0]][f]
            out.printed[f] = texts.pop() if len(texts) == 1 else ""
        else:
            out.values[f] = Value(None, "blank")
            out.uncertain[f] = f"{row.case.where}: {why}"
            if out.uncertain[f] not in out.problems:
                out.problems.append(out.uncertain[f])


def _take_none(out: Decision, row: _Row, why: str) -> None:
    for f in row.fields:
        out.values[f] = Value(None, "blank")
        out.uncertain[f] = f"{row.case.where}: {why}"
    if out.uncertain[row.fields[0]] not in out.problems:
        out.problems.append(out.uncertain[row.fields[0]])
