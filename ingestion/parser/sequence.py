"""A section read from its values in reading order alone, when its rows cannot be told apart.

Text that a converter wrote in reading order (pdftotext without -layout, pdfminer) keeps a
table's numbers but not its rows: labels float away from their values, and the numbers
come in blocks of the page's text flow. What such converters do to a table is one kind of
thing: the table is cut into bands of rows, each band into strips of columns, and each
strip is read row by row (a whole table read row by row is one band and one strip; read
column by column, one band of one-column strips; pdftotext often puts a band's first
column, beside the labels, apart from the rest).

So every way the section's values can be laid out like that is a reading, and the
template's sums judge them: a cell is read when every reading in which every sum of the
section holds gives it the same value, and stays uncertain otherwise. Only a section
whose every cell is printed can be read this way (its value count is the count of its
cells); rows are the template's rows in the template's order, the order the official
form prints them in.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from .solve import check_passes
from .template import Check, Column, TRow
from .values import Value, read

MAX_READINGS = 64  # distinct partial readings kept per row boundary: more is too ambiguous to decide


@dataclass(frozen=True)
class Outcome:
    cells: dict[str, Value]  # the cells every passing reading agrees on
    undecided: set[str]  # cells the passing readings disagree on
    readings: int  # how many distinct passing readings


def _partitions(k: int) -> list[tuple[tuple[int, int], ...]]:
    """Ways to cut k columns into strips read one after another: one strip, one per
    column, and two or three strips (the first columns, the middle, the last)."""
    out = {((0, k),), tuple((c, c + 1) for c in range(k))}
    for a, b in combinations(range(1, k), 2):
        out.add(((0, a), (a, b), (b, k)))
    for a in range(1, k):
        out.add(((0, a), (a, k)))
    return sorted(out)


def _band(values: list[Value], r0: int, r1: int, k: int, strips) -> list[tuple[Value, ...]]:
    """The band's rows when its values (from the band's first value on) are read strip by
    strip, each strip row by row."""
    rows: list[list[Value | None]] = [[None] * k for _ in range(r1 - r0)]
    at = r0 * k
    for c0, c1 in strips:
        for r in range(r1 - r0):
            for c in range(c0, c1):
                rows[r][c] = values[at]
                at += 1
    return [tuple(row) for row in rows]  # type: ignore[arg-type]


def _row_ok(row: tuple[Value, ...], trow: TRow, columns: tuple[Column, ...], own: list[Check]) -> bool:
    cells = dict(zip(_fields(trow, columns), row))
    return not any(v.flagged for v in row) and all(check_passes(c, cells) is not False for c in own)


def read_section(tokens: list[str], rows: tuple[TRow, ...], columns: tuple[Column, ...],
                 checks: list[Check]) -> Outcome | None:
    """The section's cells from its printed values in reading order (`rows` in printed
    order, each printing `columns`), or None when they cannot be laid out (another count
    of values), no layout passes every sum, or too many do to decide."""
    k = len(columns)
    if not rows or len(tokens) != len(rows) * k:
        return None
    values = [read(t, "count") for t in tokens]  # every cell of 三 and 四 is a count
    fields = [f for r in rows for f in _fields(r, columns)]
    own = [[c for c in checks if set(c.fields) <= set(_fields(r, columns))] for r in rows]
    bands = _bands(values, rows, columns, own)
    partial: list[set[tuple]] = [set() for _ in range(len(rows) + 1)]
    partial[0].add(())
    for r0 in range(len(rows)):
        for r1 in range(r0 + 1, len(rows) + 1):
            for band in bands.get((r0, r1), ()):
                partial[r1].update(p + band for p in partial[r0])
            if len(partial[r1]) > MAX_READINGS:
                return None
    passing = []
    for reading in partial[len(rows)]:
        cells = dict(zip(fields, (v for row in reading for v in row)))
        if all(check_passes(c, cells) is not False for c in checks):
            passing.append(cells)
    if not passing:
        return None
    agreed = {f: passing[0][f] for f in fields if len({(p[f].status, p[f].value) for p in passing}) == 1}
    return Outcome(agreed, set(fields) - set(agreed), len(passing))


def _bands(values: list[Value], rows: tuple[TRow, ...], columns: tuple[Column, ...],
           own: list[list[Check]]) -> dict[tuple[int, int], set[tuple]]:
    """Per band of rows [r0, r1): the distinct readings of its values, over every way of
    cutting it into strips, in which every row's own sums hold."""
    k = len(columns)
    parts = _partitions(k)
    out: dict[tuple[int, int], set[tuple]] = {}
    for r0 in range(len(rows)):
        for r1 in range(r0 + 1, len(rows) + 1):
            found = set()
            for strips in (parts if r1 - r0 > 1 else parts[:1]):  # one row reads the same in any strips
                band = _band(values, r0, r1, k, strips)
                if all(_row_ok(row, rows[r0 + i], columns, own[r0 + i]) for i, row in enumerate(band)):
                    found.add(tuple(band))
            if found:
                out[(r0, r1)] = found
    return out


def _fields(trow: TRow, columns: tuple[Column, ...]) -> list[str]:
    by_col = dict(zip((c.name for c in trow.columns), trow.fields))
    return [by_col[c.name] for c in columns]
