"""One file in, one parse result out: the `govinfo-annual-report/2` object.

`parse_file` never raises for bad input other than `RejectedDocument` (one-line reason);
every caller (CLI, pipeline) turns that into an exit status or a quarantine record.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

from . import PARSER_VERSION, SCHEMA
from ..resolve.agencies import resolve
from .align import doc_lines
from .document import Document, RejectedDocument
from .mapper import TRUNCATED, CellMap, map_cells
from .meta import AgencyUnknown, agency_and_year
from ..resolve.divisions import gazetteer
from .prose import compared, own_scope, statements
from .readers import read_document
from . import ocr
from .rules import holds, sides
from .several import check_one_report
from .template import Template, load, templates
from .textnorm import match_key

MIN_APPLICATION_ROWS = 4  # of table 三's rows; fewer means this is not a usable report
# warnings kept per document: a report says a few; thousands (a table of junk rows, each
# "unrecognised") say nothing more than the first of each kind, and would bloat every
# result, parse record and staging row
MAX_WARNINGS = 50
_VARIABLE = re.compile(r"'[^']*'|\"[^\"]*\"|\d+")  # what differs between warnings of one kind


def cap_warnings(warnings: list[str], limit: int = MAX_WARNINGS) -> list[str]:
    """At most `limit` warnings, then one line saying how many more. The first warning of
    each kind (its text without quoted labels and numbers) is kept before a second of any
    kind, so what is left out is more of what is shown; the order is the document's."""
    if len(warnings) <= limit:
        return warnings
    kind = [_VARIABLE.sub("", w) for w in warnings]
    first = list(dict.fromkeys(kind))
    keep = {kind.index(k) for k in first[:limit]}
    for i in range(len(warnings)):
        if len(keep) >= limit:
            break
        keep.add(i)
    kept = [w for i, w in enumerate(warnings) if i in keep]
    more = len(warnings) - len(kept)
    unseen = len(first) - min(len(first), limit)
    return kept + [f"… and {more} more warnings of the same kinds" if not unseen else
                   f"… and {more} more warnings ({unseen} kinds not shown)"]


def choose_template(doc: Document, year: int | None) -> tuple[Template, str, bool]:
    """The template whose section-二 header words the document prints; by the report year
    when it prints none of either (or as many of both). Returns (template, evidence,
    whether the headers decided)."""
    text = match_key(doc.text)
    hits = {t.version: sum(1 for m in t.markers if match_key(m) in text) for t in templates()}
    top = max(hits.values())
    leaders = [v for v, n in hits.items() if n == top]
    if top > 0 and len(leaders) == 1:
        chosen = load(leaders[0])
        return chosen, f"section 二 headers of the {chosen.version} format ({top} of its words)", True
    # 2020 reports used either format: the trial format is the one a year alone points to
    by_year = next((t for t in reversed(templates()) if year is not None and t.years[0] <= year <= t.years[1]),
                   load("2021"))
    return by_year, f"report year {year}: no section 二 header decides", False


def _doubt_format(cm: CellMap, year: int | None) -> None:
    """A format chosen by a year several formats were used in (2020) may be the wrong one:
    the section-二 cells of every such format are uncertain (三 and 四 are the same in all)."""
    used = [t for t in templates() if year is not None and t.years[0] <= year <= t.years[1]]
    if len(used) < 2:
        return
    why = (f"format chosen by the report year: {year} reports used the "
           f"{' and '.join(t.version for t in used)} formats and no section 二 header decides")
    for t in used:
        for row in t.section_rows("active"):
            for f in row.fields:
                cm.uncertain.setdefault(f, why)
                cm.cells[f] = None
    cm.problems.append(why)


def _checks_out(cm: CellMap) -> tuple[list[dict], list[dict]]:
    """(violations, unchecked): failing checks on certain cells are the agency's arithmetic;
    those touching an uncertain or flagged cell say nothing about the agency."""
    doubtful = cm.doubtful
    violations, unchecked = [], []
    for c in cm.template.checks():
        expected, actual = sides(c, cm.cells)
        if holds(expected, actual):
            continue
        item = {"rule": c.rule, "subject": c.subject, "expected": expected, "actual": actual}
        (unchecked if set(c.fields) & doubtful else violations).append(item)
    return violations, unchecked


def _own_scope(resolution) -> frozenset[str]:
    """The scope words a report may state its own numbers with (全市 in a city government's)."""
    division = gazetteer().divisions.get(resolution.division_code) if resolution.division_code else None
    name = division.name if division else None
    if resolution.kind and not resolution.kind.startswith("人民政府") and resolution.kind.endswith("人民政府"):
        name = resolution.kind[:-len("人民政府")]  # a zone: its own name (平潭综合实验区)
    return own_scope(resolution.kind, resolution.level, name)


def _truncated(cm: CellMap) -> bool:
    """A copy cut short, wherever it stops (inside table 三, or before it: a stalled copy, a
    partial download), is that report read as far as it goes (uncertain, truncated), not a
    document without the table. A report whose sections after the tables are there but
    whose tables are not (printed as images) is not cut short: it is rejected."""
    return any(p.startswith(TRUNCATED) for p in cm.problems)


def _application_rows(cm: CellMap) -> int:
    return sum(1 for f in cm.provenance if f.startswith("applications.")) // len(cm.template.applicant_columns)


def _map(doc: Document, template: Template, lines, warnings: list[str]) -> CellMap:
    """The cells from the container's tables; when they hold no section 三 (a page or a
    Word file whose tables are paragraphs, a converter's output without tables), from its
    text, read as the text readers read any text: one reading path for any container."""
    cm = map_cells(doc, template, lines)
    if doc.format == "txt" or _application_rows(cm) >= MIN_APPLICATION_ROWS:
        return cm
    from .readers.text import rows_from_text

    as_text = replace(doc, rows=rows_from_text(doc.text))
    text_cm = map_cells(as_text, template)
    if _application_rows(text_cm) <= _application_rows(cm):
        return cm
    warnings.append(f"no table structure holds the report's tables: read from the {doc.format} file's text")
    return text_cm


def parse_file(path: str | Path) -> dict:
    path = Path(path)
    doc, data = read_document(path)
    warnings = list(doc.warnings)
    if "政府信息公开" not in doc.text:
        raise RejectedDocument("not a government information-disclosure annual report")
    lines = doc_lines(doc)
    check_one_report(lines)
    try:
        agency, year = agency_and_year(doc, warnings)
        unknown = None
    except AgencyUnknown as exc:  # said once the file is known to be a report (else: not a report)
        agency, year, unknown = None, None, exc
    template, why, decided = choose_template(doc, year)
    cm = _map(doc, template, lines, warnings)
    if not decided:
        _doubt_format(cm, year)
    ocr.gate(cm)
    warnings.extend(cm.warnings)
    # (a copy cut short is read as far as it goes, but a file that names no agency and holds
    # no table 三 is no report at all, whatever it says)
    if _application_rows(cm) < MIN_APPLICATION_ROWS and (unknown is not None or not _truncated(cm)):
        raise RejectedDocument("no section 三 table (依申请公开 applications) found: not a readable annual report")
    if unknown is not None:
        raise RejectedDocument(f"agency_unknown: {unknown}")
    if year is None:
        raise RejectedDocument("year_unknown: report year not found in the title or the statistics period")
    if year >= 2008 and not template.years[0] <= year <= template.years[1]:
        # (a year before the 条例 is a finding of its own: year_out_of_range)
        warnings.append(f"the {template.version} format in a {year} report ({why})")
    violations, unchecked = _checks_out(cm)
    resolution = resolve(agency, doc.text, year)
    said = statements(doc.text, year, set(template.fields), doc.page_starts, _own_scope(resolution))
    doubtful = cm.doubtful
    return {
        "schema": SCHEMA,
        "template": template.version,
        "agency": agency,
        "year": year,
        "agency_resolution": resolution.as_dict(),
        "cells": cm.cells,
        "violations": violations,
        "extraction": {
            "status": cm.status,
            "template_evidence": why,
            "verified": cm.verified,
            "uncertain": list(dict.fromkeys(cm.problems + sorted(set(cm.uncertain.values())) + [
                f"{f}: {note}" for f, note in sorted(cm.flagged.items())])),
            "uncertain_cells": sorted(doubtful),
            "unchecked_rules": unchecked,
        },
        # what the text says in numbers: compared with the cells it speaks of, or skipped (why)
        "prose": {"compared": [c | {"uncertain": bool(set(c["cells"]) & doubtful)} for c in compared(said, cm.cells)],
                  "skipped": [s.as_dict() for s in said if s.skipped]},
        "warnings": cap_warnings(list(dict.fromkeys(warnings))),  # a message said twice says nothing more
        "source": {"file": path.name, "sha256": hashlib.sha256(data).hexdigest(), "format": doc.format,
                   "bytes": len(data), "pages": doc.pages, "parser_version": PARSER_VERSION},
        "provenance": cm.provenance,
    }
