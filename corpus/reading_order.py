"""Reports as text in reading order, disturbed the ways reading-order extractors disturb a
table, drawn at random: for the hostile test of a kind, not of one tool.

A reading-order extractor (pdftotext without -layout, PyMuPDF, pdfminer, a browser's copy
of a page) writes each text run of a table on a line of its own: blank cells vanish, a
label wrapped in its cell comes as several lines, a merged cell's text comes once. What
differs between tools is the order, and this draws it:
- a wrapped label all before its values, or its first line beside the first value and the
  rest after the values;
- a merged label (三、本年度办理结果, （三）不予公开) at its first row or in the middle of
  the rows it spans, letter by letter or in pieces;
- the first value column read with the labels, a row late;
- a run of rows whose labels come as a block after their values;
- a band of rows read column by column;
- a row's values in runs of several to a line, the first run beside the label's last line
  (pdfium: （一）予以公开 131 17 / 6 / 0 / 5 11 170).
The parser may leave such a table uncertain; it must never read a wrong number from it.
"""
from __future__ import annotations

import random

from .render import Style, blocks
from .tables import TableModel, active_table, application_table, review_table
from .truth import Report

_MODELS = {"active": active_table, "applications": application_table, "review": review_table}
KINDS = ("wrap_before", "wrap_after", "first_column_late", "labels_after", "band_by_column", "letters", "runs")


def _is_value(text: str) -> bool:
    return text.replace(".", "", 1).lstrip("-").isdigit()


def _pieces(text: str, rng: random.Random) -> list[str]:
    """A label as a narrow cell wraps it: pieces of 3 to 9 characters."""
    out, i = [], 0
    while i < len(text):
        n = rng.randint(3, 9)
        out.append(text[i:i + n])
        i += n
    return out


def _runs(values: list[str], rng: random.Random) -> list[str]:
    """Values as runs of one to four to a line."""
    out, i = [], 0
    while i < len(values):
        n = rng.randint(1, 4)
        out.append(" ".join(values[i:i + n]))
        i += n
    return out


def _label_then_values(label_lines: list[str], values: list[str], rng: random.Random, kinds: set[str]) -> list[str]:
    if "runs" not in kinds:
        return [*label_lines, *values]
    runs = _runs(values, rng)
    if label_lines and rng.random() < 0.6:
        return [*label_lines[:-1], f"{label_lines[-1]} {runs[0]}", *runs[1:]]
    return [*label_lines, *runs]


def _table_lines(model: TableModel, rng: random.Random, kinds: set[str]) -> list[str]:
    rows: dict[int, list] = {}
    for cell in model.cells:
        rows.setdefault(cell.row, []).append(cell)
    merged = {}  # (row to print at) -> label text of a merged label cell
    per_row: list[tuple[list[str], list[str]]] = []  # (label pieces, values) per table row
    for r in range(model.n_rows):
        labels, values = [], []
        for cell in sorted(rows.get(r, []), key=lambda c: c.col):
            if not cell.text:
                continue
            if _is_value(cell.text):
                values.append(cell.text)
            elif cell.rowspan > 1 and cell.col == 0 and r > 2:
                at = cell.row + (cell.rowspan // 2 if rng.random() < 0.5 else 0)
                merged[at] = cell.text
            else:
                labels.append(cell.text)
        per_row.append((labels, values))
    late_first = "first_column_late" in kinds
    band = sorted(rng.sample(range(model.n_rows), 2)) if "band_by_column" in kinds and model.n_rows > 6 else None
    labels_after = sorted(rng.sample(range(model.n_rows), 2)) if "labels_after" in kinds and model.n_rows > 6 else None
    out: list[str] = []
    pending_first: list[str] = []
    held_labels: list[str] = []
    for r, (labels, values) in enumerate(per_row):
        if r in merged:
            text = merged[r]
            out.extend(list(text) if "letters" in kinds else _pieces(text, rng))
        label_lines = [p for lab in labels for p in (_pieces(lab, rng) if len(lab) > 9 else [lab])]
        if labels_after and labels_after[0] <= r <= labels_after[1] and values:
            held_labels += label_lines
            label_lines = []
        elif labels_after and r == labels_after[1] + 1:
            out.extend(held_labels)
            held_labels = []
        if band and band[0] <= r <= band[1] and values:
            if r == band[0]:
                cols = max(len(per_row[k][1]) for k in range(band[0], band[1] + 1))
                out.extend(label_lines)
                for c in range(cols):
                    out.extend(per_row[k][1][c] for k in range(band[0], band[1] + 1) if c < len(per_row[k][1]))
            else:
                out.extend(label_lines)
            continue
        if not values:
            out.extend(label_lines)
            continue
        if late_first and r > 3 and len(values) > 2:
            first, values = values[0], values[1:]
            out.extend(label_lines)
            out.extend(pending_first)
            pending_first = [first]
            out.extend(values)
            continue
        if "wrap_after" in kinds and len(label_lines) > 1:
            out.append(f"{label_lines[0]} {values[0]}")
            out.extend(values[1:])
            out.extend(label_lines[1:])
        else:
            out.extend(_label_then_values(label_lines, values, rng, kinds))
    out.extend(pending_first + held_labels)
    return out


def reading_order_text(r: Report, style: Style, rng: random.Random, kinds: set[str] | None = None) -> str:
    """The report in reading order with `kinds` of disturbance (drawn when None)."""
    kinds = kinds if kinds is not None else {k for k in KINDS if rng.random() < 0.3}
    out: list[str] = []
    for kind, value in blocks(r, style, rng):
        if kind == "table":
            out.extend(_table_lines(_MODELS[value](r, style), rng, kinds))
        else:
            out.append(value)
    return "\n".join(out) + "\n"
