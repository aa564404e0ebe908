"""The ways one observed row can be read into its template row's cells.

A row read by grid position, or with exactly as many value cells as columns, has one
reading. Otherwise every reading that the printed cells allow is listed, and nothing is
chosen here: too many cells whose extra ones are empty (a trailing separator, an empty
label column) may drop them at either end; too few (blank cells a text export lost) may
stand in any columns, in order; a digit string may split in several ways (packed). The
solver picks among them with the template's arithmetic, or says it cannot.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import combinations
from math import comb

from . import packed
from .align import Line
from .structure import Structure, grid_cells
from .template import Column, TRow

MAX_PLACEMENTS = 1000  # more ways to place a row's printed cells than this: the row cannot be read


@dataclass(frozen=True)
class Reading:
    texts: tuple[tuple[str, str], ...]  # (field, printed text), "" for a blank cell
    how: str = ""  # what had to be inferred to read it this way ("" = nothing)
    origin: int = -1  # the document row it was read from when not the matched one (a row printed twice)
    # index in the row's cells where the first column stands, for a reading that keeps the
    # row's cells where they are printed (blank ones included); -1: the cells were moved
    start: int = -1
    # cells this reading leaves empty that nothing printed: a row that lost cells (text
    # drops blank cells) may have lost a blank there, or a value printed elsewhere
    unseen: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, str]:
        return dict(self.texts)


def _reading(trow: TRow, cols: tuple[Column, ...], texts: list[str], how: str = "") -> Reading:
    by_col = dict(zip((c.name for c in cols), texts))
    return Reading(tuple((f, by_col.get(c.name, "")) for c, f in zip(trow.columns, trow.fields)), how)


def by_count(trow: TRow, cols: tuple[Column, ...], values: list[str], narrow: bool = True, at: int = -1) -> list[Reading]:
    """`narrow`: the row prints fewer cells than the widest row of its table, so a blank
    cell may be lost even where it prints as many cells as there are columns. `at`: the
    index in the row's cells of values[0]."""
    n, k = len(values), len(cols)
    out = _dropping(trow, cols, values, at) if n >= k else []
    trimmed = _trim(values)
    if len(trimmed) < k and (n < k or (narrow and len(trimmed) < n)):
        # empty cells at the ends may be spacers or separators, and a blank cell lost:
        # the printed cells may also stand anywhere, in order
        out.extend(_placing(trow, cols, trimmed if n >= k else values))
    return out


def _trim(values: list[str]) -> list[str]:
    lo, hi = 0, len(values)
    while lo < hi and not values[lo].strip():
        lo += 1
    while hi > lo and not values[hi - 1].strip():
        hi -= 1
    return values[lo:hi]


def _dropping(trow: TRow, cols: tuple[Column, ...], values: list[str], at: int = -1) -> list[Reading]:
    """Too many cells (or just enough): the extra ones, empty, dropped at either end."""
    n, k = len(values), len(cols)
    empty_before = next((i for i, v in enumerate(values) if v.strip()), n)
    empty_after = next((i for i, v in enumerate(reversed(values)) if v.strip()), n)
    out = []
    # only the leads whose dropped cells are all empty (linear in the row, however wide)
    for lead in range(max(0, n - k - empty_after), min(empty_before, n - k) + 1):
        tail = n - k - lead
        kept = values[lead:n - tail]
        how = f"{n - k} empty cell(s) dropped ({lead} before, {tail} after)" if n > k else ""
        out.append(replace(_reading(trow, cols, kept, how), start=at + lead if at >= 0 else -1))
    return out


def _placing(trow: TRow, cols: tuple[Column, ...], values: list[str]) -> list[Reading]:
    """Too few cells (blank cells a text export lost): the printed ones in any columns, in order."""
    k = len(cols)
    filled = [v for v in values if v.strip()]
    if len(filled) < len(values):  # blank cells the export kept: still too few, place the printed ones
        values = filled
    n = len(values)
    if comb(k, n) > MAX_PLACEMENTS:
        return []  # too many ways to place them: the row cannot be read
    out = []
    field_of = dict(zip((c.name for c in trow.columns), trow.fields))
    for chosen in combinations(range(k), n):
        texts = [""] * k
        for pos, v in zip(chosen, values):
            texts[pos] = v
        # a row that lost cells may have lost one of a column its header leaves out too
        unseen = tuple(field_of[cols[i].name] for i in range(k) if i not in chosen) + tuple(
            f for c, f in zip(trow.columns, trow.fields) if c.name not in {x.name for x in cols})
        out.append(replace(_reading(trow, cols, texts, f"{n} of {k} cells printed: placed"), unseen=unseen))
    return out


def positional(trow: TRow, line: Line, structure: Structure) -> Reading | None:
    """The row read by the header's column positions, when the header places every column
    the layout prints (a column without a position would come out blank, unseen)."""
    pos = structure.positions.get(line.row.table)
    if pos is None or len(structure.layouts) != 1 or any(c.name not in pos.spans for c in structure.layouts[0]):
        return None
    by_col = grid_cells(line, pos)
    if by_col is None:
        return None
    return Reading(tuple((f, by_col.get(c.name, "")) for c, f in zip(trow.columns, trow.fields)))


def decoded(trow: TRow, cols: tuple[Column, ...], tokens: list[str]) -> list[Reading]:
    """Readings of digit strings whose cells ran together (packed), split by the arithmetic
    of the row (table 三: the applicants sum to 总计; 四: each group sums to its 总计)."""
    kinds = [c.kind for c in cols]
    try:
        if trow.section == "applications" and cols[-1].total:
            splits = packed.with_total(tokens, kinds)
        elif trow.section == "review":
            splits = packed.grouped(tokens, kinds, len(template_review_columns(cols)))
        else:
            splits = packed.plain(tokens, kinds)
    except packed.TooMany:
        return []
    how = f"digits {' '.join(tokens)} split into {len(cols)} cells"
    return [_reading(trow, cols, list(s), how) for s in splits]


def template_review_columns(cols: tuple[Column, ...]) -> list[Column]:
    """The columns of one section-四 group (the flat row repeats them per group)."""
    first = cols[0].name.split(".")[0]
    return [c for c in cols if c.name.split(".")[0] == first]


def row_readings(trow: TRow, line: Line, structure: Structure, narrow: bool = True) -> list[Reading]:
    """Every reading of one matched row under every layout the structure allows (`narrow`:
    see by_count)."""
    fixed = positional(trow, line, structure)
    if fixed is not None:
        return [fixed]
    out: list[Reading] = []
    filled = [v.strip() for v in line.values if v.strip()]
    for cols in structure.layouts:
        # only delimited cells stand where they are printed: tokens of a line of text do not
        at = line.values_at if line.row.paired == "cell" else -1
        out.extend(by_count(trow, cols, line.values, narrow, at))
        if packed.could_be_packed(filled, len(cols)):
            out.extend(decoded(trow, cols, filled))
    return list(dict.fromkeys(out))
