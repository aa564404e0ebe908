"""A section's columns, from its header rows: which template columns are printed, and where.

Headers come in every form: two levels with merged cells, one level with qualified names
(法人或其他组织:商业企业), words wrapped over lines (商业\\n企业), words broken into
letters by pdftotext. A header cell names a column when, once the group labels above the
columns are taken out (法人或其他组织 holds 其他, itself a column), the column's label is
in it. Two results: the *set* of printed columns, which picks among the template's
column layouts (the 其他 column is optional), and, where header and data rows share a
grid, each column's *position*, so a blank cell keeps its column.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


from .align import Line, similarity
from .template import Column
from .textnorm import match_key, short_cache
from .values import looks_like_value

HEADER_MATCH = 0.75  # a header cell this alike to one column's label names it


@dataclass
class Structure:
    """The column layouts a section may have, and how they were found."""
    layouts: list[tuple[Column, ...]]  # candidate printed columns, in printed order
    found: set[str] = field(default_factory=set)  # column names the header names
    positions: dict[int, "Positions"] = field(default_factory=dict)  # by table index
    evidence: str = ""  # header | header words | no header
    note: str = ""  # something about the header a reader should know (columns reordered)

    @property
    def from_header(self) -> bool:
        return self.evidence == "header"


@dataclass
class Positions:
    """Where each column stands in a grid: column name → (first, last) cell index."""
    spans: dict[str, tuple[int, int]]
    width: int  # cells in the header rows (text rows must have as many to share the grid)

    def column_at(self, index: int) -> str | None:
        return next((c for c, (a, b) in self.spans.items() if a <= index <= b), None)

    @property
    def first(self) -> int:
        return min(a for a, _ in self.spans.values())


def _fuzz():
    from rapidfuzz import fuzz  # loaded where a header needs likeness, not at import

    return fuzz


def _strip_groups(key: str, group_labels: tuple[str, ...]) -> str:
    for g in group_labels:
        key = key.replace(match_key(g), "")
    return key


def names_in(cell: str, columns: tuple[Column, ...], group_labels: tuple[str, ...]) -> list[str]:
    """Columns a header cell names: usually one, several in a flattened header. A label is
    found inside the cell, or the whole cell is close to one label (a typo: 本年度止件数)."""
    key = _strip_groups(match_key(cell), group_labels)
    if not key:
        return []
    out = []
    for c in columns:
        for label in c.labels:
            lk = match_key(label)
            if lk and lk in key:
                out.append(c.name)
                key = key.replace(lk, "", 1)
                break
    if out:
        if len(key) >= 8:
            # a flattened header (one cell, several names) with a misspelt name left: by substring likeness
            for c in columns:
                if c.name not in out and any(len(match_key(lb)) >= 4 and _fuzz().partial_ratio(match_key(lb), key) >= 80
                                             for lb in c.labels):
                    out.append(c.name)
        return out
    if len(key) < 2:
        return out
    scored = [(max(similarity(key, match_key(label)) for label in c.labels), c.name) for c in columns]
    best = max(scored)
    close = [name for score, name in scored if score >= HEADER_MATCH]
    return [best[1]] if best[0] >= HEADER_MATCH and len(close) == 1 else []


def printed_width(cells: list[str]) -> int:
    """Cells up to the last printed one: trailing separators are not cells."""
    n = len(cells)
    while n and not cells[n - 1].strip():
        n -= 1
    return n


class _HeaderRow(NamedTuple):
    """What the column search reads of a header row."""
    table: int
    cells: list[str]
    spans: dict[int, int]


def _positions(header: list[_HeaderRow], columns: tuple[Column, ...], group_labels) -> dict[int, Positions]:
    """Column positions per table, from header rows whose cells each name one column."""
    by_table: dict[int, dict[str, tuple[int, int]]] = {}
    widths: dict[int, int] = {}
    for row in header:
        for i, cell in enumerate(row.cells):
            names = names_in(cell, columns, group_labels)
            if len(names) == 1:
                by_table.setdefault(row.table, {}).setdefault(names[0], (i, row.spans.get(i, i)))
                widths.setdefault(row.table, printed_width(row.cells))
    out = {}
    order = [c.name for c in columns]
    for table, spans in by_table.items():
        named = sorted(spans, key=order.index)
        starts = [spans[n][0] for n in named]
        if len(named) >= 2 and starts == sorted(set(starts)):  # distinct, in the printed order
            out[table] = Positions(spans, widths[table])
    return out


def _named_sequence(cells: list[str], columns: tuple[Column, ...], group_labels) -> list[str]:
    """The columns a header line names, in the order it prints them (within one cell, a
    flattened header, by where each name stands in the text). A cell where a name's place
    cannot be found says nothing about the order: its names are left out."""
    out: list[str] = []
    for cell in cells:
        key = _strip_groups(match_key(cell), group_labels)  # 法人或其他组织 holds 其他
        places = _places(key, names_in(cell, columns, group_labels), columns)
        if None in places.values():
            continue
        out.extend(n for n in sorted(places, key=places.get) if n not in out)
    return out


def _places(key: str, names: list[str], columns: tuple[Column, ...]) -> dict[str, int | None]:
    """Where each name starts in the key: its label's first exact occurrence; for a
    misspelt name (本年制件发数), the best likeness in the text the exact names leave, or
    None when nothing there is alike enough."""
    labels = {c.name: [match_key(lb) for lb in c.labels if match_key(lb)] for c in columns}
    places: dict[str, int | None] = {}
    masked = key
    for name in names:
        hits = [(key.find(lb), lb) for lb in labels[name] if lb in key]
        if hits:
            at, lb = min(hits)
            places[name] = at
            masked = masked[:at] + "\0" * len(lb) + masked[at + len(lb):]
    for name in names:
        if name not in places:
            found = [_fuzz().partial_ratio_alignment(lb, masked, score_cutoff=80) for lb in labels[name] if len(lb) >= 4]
            found = [f for f in found if f is not None]
            places[name] = max(found, key=lambda f: f.score).dest_start if found else None
    return places


def printed_order(columns: tuple[Column, ...], sequences: list[list[str]]) -> tuple[Column, ...] | None:
    """The columns in the order the header prints them, or None when header lines disagree.
    Only columns under the same header cell (法人或其他组织's five, or the top level) keep
    an order across a header line: a two-level header printed flat puts 总计 before 商业企业."""
    order = [c.name for c in columns]
    under = {c.name: c.under for c in columns}
    moved: set[str] = set()
    for seq in sequences:
        for level in {under[n] for n in seq}:
            names = [n for n in seq if under[n] == level]
            slots = sorted(order.index(n) for n in names)
            if [order[i] for i in slots] == names:
                continue
            if moved & set(names):
                return None  # another line printed these columns in another order
            for n, i in zip(names, slots):
                order[i] = n
            moved.update(names)
    by_name = {c.name: c for c in columns}
    return tuple(by_name[n] for n in order)


def structure(header: list[Line], columns: tuple[Column, ...], group_labels: tuple[str, ...],
              extra_text: str = "") -> Structure:
    """The section's possible column layouts. `extra_text`: label text that may hold a
    flattened header (crawler text glues it to the first data row). What it reads of the
    header rows (their table, cells and merged cells) is the key of a cache: reports of one
    publisher print the same headers. The result is shared: read it, never change it."""
    rows = tuple((ln.row.table, tuple(ln.row.cells), tuple(ln.row.spans.items())) for ln in header)
    return _structure(rows, columns, group_labels, extra_text)


@short_cache(maxsize=1 << 12)
def _structure(rows: tuple, columns: tuple[Column, ...], group_labels: tuple[str, ...], extra_text: str) -> Structure:
    header = [_HeaderRow(table, list(cells), dict(spans)) for table, cells, spans in rows]
    texts = [row.cells for row in header] + ([[extra_text]] if extra_text else [])
    sequences = [_named_sequence(cells, columns, group_labels) for cells in texts]
    found = {n for cells in texts for cell in cells for n in names_in(cell, columns, group_labels)}
    ordered = printed_order(columns, sequences)
    if ordered is None:
        return Structure([], found, {}, "header lines print the columns in different orders")
    note = "" if ordered == columns else "header prints the columns in another order: read in its order"
    columns = ordered
    required = {c.name for c in columns if not c.optional}
    positions = _positions(header, columns, group_labels)
    if required <= found or any(c.optional and c.name in found for c in columns):
        # the header names the columns: an optional one is printed only if it is named
        layout = tuple(c for c in columns if not c.optional or c.name in found)
        return Structure([layout], found, positions, "header", note)
    layouts = [tuple(columns)]
    if any(c.optional for c in columns):
        layouts.append(tuple(c for c in columns if not c.optional))
    return Structure(layouts, found, positions, "header words" if found else "no header", note)


def grid_cells(line: Line, pos: Positions) -> dict[str, str] | None:
    """A row read by column position: column → printed text, or None when the row does not
    share the header's grid (a text row of another width, or label text where the columns
    stand). Cells covered by a span from the left belong to the span's column."""
    row = line.row
    if not row.grid and printed_width(row.cells) != pos.width:
        return None
    covered = {j for i, last in row.spans.items() for j in range(i + 1, last + 1)}
    out: dict[str, str] = {c: "" for c in pos.spans}
    for i, cell in enumerate(row.cells):
        if i in covered or not cell.strip():
            continue
        col = pos.column_at(i)
        if col is None:
            if i >= pos.first:
                return None  # something printed where no column stands
            continue
        if not row.grid and not looks_like_value(cell):
            return None  # a label inside the value columns: this text row is shifted
        if out[col]:
            return None  # two printed cells in one column
        out[col] = cell
    return out
