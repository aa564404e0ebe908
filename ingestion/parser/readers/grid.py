"""Span grids: turn table cells with colspan/rowspan into rows of printed cells.

The convention every reader follows: a merged cell's text stands in its top-left grid
position and every other position it covers is an empty string, so a row reads as a
printed row does (labels first, then one cell per column).
"""
from __future__ import annotations

MAX_SPAN = 64  # a span larger than any real report table is a malformed page


def grid_rows(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """rows of (text, colspan, rowspan) → rows of strings, spans expanded."""
    return [cells for cells, _ in grid_rows_with_spans(rows)]


def grid_rows_with_spans(rows: list[list[tuple[str, int, int]]]) -> list[tuple[list[str], dict[int, int]]]:
    """rows of (text, colspan, rowspan) → (row of strings, {first index: last index} of the
    cells spanning several columns), spans expanded."""
    out: list[tuple[list[str], dict[int, int]]] = []
    pending: dict[int, int] = {}  # column → rows still covered by a rowspan from above

    def covered(col: int) -> bool:
        if pending.get(col, 0) > 0:
            pending[col] -= 1
            return True
        return False

    for cells in rows:
        row: list[str] = []
        spans: dict[int, int] = {}
        col = 0
        for text, colspan, rowspan in cells:
            while covered(col):
                row.append("")
                col += 1
            colspan = max(1, min(colspan, MAX_SPAN))
            rowspan = max(1, min(rowspan, MAX_SPAN))
            if colspan > 1:
                spans[col] = col + colspan - 1
            for k in range(colspan):
                row.append(text if k == 0 else "")
                if rowspan > 1:
                    pending[col + k] = rowspan - 1
            col += colspan
        while any(c >= col and n > 0 for c, n in pending.items()):
            covered(col)
            row.append("")
            col += 1
        out.append((row, spans))
    return out
