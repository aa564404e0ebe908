"""A file that holds several reports (a bulk export, a crawl concatenated into one text) is
rejected: read as one report, its first title would name the agency and the other reports'
tables would be taken as other printings of the first one's rows.

What makes a report is read from the table structure, not from titles (a CMS page lists
the titles of other years' reports in its sidebar; a title may be lost, or printed twice):
every report prints its section-二 table before its section-三 table. So the file holds
several reports when it prints several *complete* section-三 tables (most of the section's
rows, found by their labels, in the template's order), each after section-二 rows of its
own, that print different numbers. Not several reports:

- a comparison table (last year's 三 before or after this year's), a row printed twice, a
  short table appended after section 四: no second section 二 before them, or no second
  complete 三 — one report, its other printings left to the arithmetic;
- the same report printed twice (a page that repeats its content, a duplicated line of
  crawled text): every copy prints the same numbers, which read as one.

Two reports whose section-三 tables print the same numbers (two agencies that received no
request) are therefore read as one: the price of never refusing a report printed twice.

It reads the rows the aligner reads (`align.doc_lines`) and labels them as the aligner does
(`align.line_gains`, cached), so it adds little to a report read whole.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache

from .align import _LABEL_ONLY_COST, _MATCH_COST, LABEL_MATCH, Line, line_gains
from .document import RejectedDocument
from .template import load

# a complete section-三 table names at least this share of the section's printed rows (23,
# counting （六）其他处理 as one row): a few rows compared, a short appended table, a table
# whose labels were lost is not one
COMPLETE_SHARE = 0.6
# another table starts at one of the section's first rows printed after a row well below
# it: a row printed a little out of order (two rows swapped, a row twice) or a header
# repeated on a new page (其他, 总计) starts none
_TOP = 4
_BACKSTEP = 3


@dataclass
class Run:
    """Section-三 rows printed one after another in the template's order."""
    first: int  # index of its first row in Document.rows
    places: set[int] = field(default_factory=set)  # the section's rows it prints (their places)
    printed: dict[int, tuple[str, ...]] = field(default_factory=dict)  # place → numbers, first printing
    at: int = -1  # place of the last row found


@cache
def _places() -> tuple[tuple[str, ...], tuple[int, ...], int]:
    """For each template row: its section, and its place among section 三's rows in printed
    order (（六）其他处理 as one row, and the two rows after its first, take the place of
    its first row); and how many places there are."""
    rows = load("2021").rows
    place: dict[str, int] = {}
    for t in rows:
        if t.section != "applications":
            continue
        if t.group == "other_single" or (t.group == "other_split" and t.name != "other_no_correction"):
            place[t.key] = place["applications.other_no_correction"]
        else:
            place[t.key] = len(set(place.values()))
    return tuple(t.section for t in rows), tuple(place.get(t.key, -1) for t in rows), len(set(place.values()))


def structure(lines: list[Line]) -> tuple[list[Run], list[int]]:
    """The runs of section-三 rows in printed order (a new run starts where one of the
    section's first rows follows a row well below it) and the indices of section-二 rows."""
    template = load("2021")
    section, place, _ = _places()
    runs: list[Run] = []
    active: list[int] = []
    best_of: dict[tuple, tuple[int, float]] = {}  # lines recur (the same labels, the same zeros)
    for ln in lines:
        if not (ln.labels or ln.has_values) or "。" in "".join(ln.labels):
            continue  # a sentence is no table row
        gains = line_gains(ln, template)
        if gains not in best_of:
            k = max(range(len(gains)), key=lambda j: -9.0 if gains[j] is None else gains[j])
            best_of[gains] = (k, -9.0 if gains[k] is None else gains[k])
        best, gain = best_of[gains]
        # the label's likeness, whether the row prints numbers or not (blank rows of 三)
        if gain + (_MATCH_COST if ln.has_values else _LABEL_ONLY_COST) < LABEL_MATCH:
            continue
        i = ln.index
        if section[best] == "active" and ln.has_values:
            active.append(i)
        elif section[best] == "applications":
            p = place[best]
            if not runs or p <= _TOP and p < runs[-1].at - _BACKSTEP:
                runs.append(Run(i))
            run = runs[-1]
            run.places.add(p)
            if ln.has_values:  # (a header word after it, 其他 or 总计, prints none)
                run.printed.setdefault(p, tuple(ln.printed))
            run.at = p
    return runs, active


def reports_held(lines: list[Line]) -> tuple[int, int]:
    """(reports, complete section-三 tables). A complete table starts a report when it is the
    first, or when section-二 rows are printed between the start of the complete table
    before it and its own (a run's end is loose: a later table's header words, 其他 and 总计,
    extend it); tables that print the same numbers are one report."""
    runs, active = structure(lines)
    need = COMPLETE_SHARE * _places()[2]
    complete = [r for r in runs if len(r.places) >= need]
    starts = [r for k, r in enumerate(complete)
              if k == 0 or bisect_right(active, complete[k - 1].first) < bisect_right(active, r.first)]
    return len({tuple(sorted(r.printed.items())) for r in starts}), len(complete)


def check_one_report(lines: list[Line]) -> None:
    """Raise `RejectedDocument` for a file that holds several reports (`lines`: its
    `align.doc_lines`)."""
    reports, tables = reports_held(lines)
    if reports > 1:
        raise RejectedDocument(f"holds {reports} reports ({tables} complete section 三 tables; {reports} print their "
                               "own numbers after a section 二 of their own): split it into one file per report")
