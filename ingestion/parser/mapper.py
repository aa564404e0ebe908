"""Map a document's table rows onto a template's cells, and say how sure the reading is.

The steps, each in its own module: align the observed rows to the template's rows
(align), find each section's printed columns from its header (structure), list every way
each row's printed cells can be read (readings), let the template's arithmetic choose
(solve). This module runs them section by section and keeps the account: which cells
were read by label and header alone, which needed an inference and what confirmed it,
which stay null because nothing could decide.

The extraction status of a document:
- exact: every template row found by its label, every column by its header, every printed
  cell in one place;
- verified: something was inferred (a row by its place, columns by the count of values, an
  ambiguous row, a packed digit string) and the arithmetic confirms it: listed;
- uncertain: rows or columns missing or ambiguous, or cells flagged: listed, and those
  cells are null, never a plausible guess.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .align import LABEL_MATCH, Line, best_alignment, line_of
from .document import Document
from .readings import row_readings
from .solve import Decision, RowCase, check_passes, decide
from .values import Value
from .spec import field_names
from .structure import Structure, structure
from .template import Template, TRow
from .textnorm import match_key

SECTIONS = ("active", "applications", "review")
SECTION_NAMES = {"active": "二", "applications": "三", "review": "四"}
_HEADER_REACH = 12  # rows above a section's first row that may hold its header


@dataclass
class CellMap:
    template: Template
    cells: dict[str, float | int | None]
    provenance: dict[str, dict] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    uncertain: dict[str, str] = field(default_factory=dict)  # field → why it is null
    flagged: dict[str, str] = field(default_factory=dict)  # field → what was printed
    verified: list[str] = field(default_factory=list)  # inferences the arithmetic confirms
    problems: list[str] = field(default_factory=list)  # why the document is uncertain
    sections_found: set[str] = field(default_factory=set)

    @property
    def status(self) -> str:
        if self.uncertain or self.flagged or self.problems:
            return "uncertain"
        return "verified" if self.verified else "exact"


def _where(line: Line, trow: TRow) -> str:
    label = "".join(line.labels)[:40] or "(no label)"
    at = f"page {line.row.page}" if line.row.page else f"line {line.row.line}" if line.row.line else ""
    return f"{SECTION_NAMES[trow.section]} {trow.name} ({label!r}{', ' + at if at else ''})"


def _is_prose(line: Line) -> bool:
    text = "".join(line.row.cells)
    return "。" in text or len(text) > 120


def _header_lines(lines: list[Line], lo: int, hi: int) -> list[Line]:
    return [ln for ln in lines if lo < ln.index < hi and not _is_prose(ln)]


def _section_checks(template: Template, fields: set[str]):
    return [c for c in template.checks() if set(c.fields) <= fields]


def _active(lines, pairs, template: Template, start: int) -> tuple[list[RowCase], list[tuple[str, set[str]]]]:
    """Section 二, block by block: each block's header row names its columns. A block of
    several columns whose header is not found cannot be read: no sum checks section 二."""
    cases, unconfirmed = [], []
    last = start
    for block in sorted({t.block for _, t, _ in pairs}):
        rows = [(ln, t, s) for ln, t, s in pairs if t.block == block]
        first = rows[0][0]
        header = _header_lines(lines, max(last, first.index - _HEADER_REACH), first.index)
        st = structure(header, rows[0][1].columns, (), "".join(first.labels))
        if len(rows[0][1].columns) > 1 and len(st.found) < 2:
            scope = {f for _, t, _ in rows for f in t.fields}
            unconfirmed.append((f"二 {template.active_captions[block]}: column header not found", scope))
        for ln, t, _ in rows:
            cases.append(RowCase(t, row_readings(t, ln, st), _where(ln, t)))
        last = rows[-1][0].index
    return cases, unconfirmed


def _by_count(st: Structure, pairs) -> Structure:
    """When the header does not say which columns are printed, the count of values does:
    the layout with as many columns as most rows print values (the rest may have blanks a
    text export dropped), if one layout fits more rows than the others."""
    if len(st.layouts) < 2:
        return st
    counts = [sum(1 for v in ln.values if v.strip()) for ln, _, _ in pairs if ln.filled]
    fits = {i: sum(1 for n in counts if n == len(layout)) for i, layout in enumerate(st.layouts)}
    best = max(fits.values())
    winners = [i for i, n in fits.items() if n == best]
    if best and len(winners) == 1:
        return Structure([st.layouts[winners[0]]], st.found, st.positions,
                         f"{len(st.layouts[winners[0]])} values in {best} of {len(counts)} rows")
    return st


def _applications(lines, pairs, template: Template, start: int) -> tuple[list[RowCase], Structure]:
    first = pairs[0][0]
    header = _header_lines(lines, max(start, first.index - _HEADER_REACH), first.index)
    st = structure(header, template.applicant_columns, template.group_labels, "".join(first.labels))
    st = _by_count(st, pairs)
    cases = [RowCase(t, row_readings(t, ln, st), _where(ln, t)) for ln, t, _ in pairs]
    return cases, st


def _note_layout(cm: CellMap, st: Structure) -> None:
    """Say which optional column the header shows is not printed (其他: other_org null)."""
    if st.from_header:
        printed = {c.name for c in st.layouts[0]}
        for col in cm.template.applicant_columns:
            if col.name not in printed:
                cm.warnings.append(f"table 三: no {col.labels[0]} applicant column printed; its cells are null")


def _review(lines, pairs, template: Template, start: int) -> tuple[list[RowCase], bool]:
    """Section 四: one row of 15 values, or one row of 5 per group; the header words say
    the values stand in the template's order."""
    first = pairs[0][0]
    header = _header_lines(lines, max(start, first.index - _HEADER_REACH), first.index)
    text = match_key("".join(c for h in header for c in h.row.cells) + "".join(first.labels) + "".join(first.row.before))
    named = sum(1 for w in template.review_header_words if match_key(w) in text)
    cases = [RowCase(t, row_readings(t, ln, Structure([t.columns])), _where(ln, t)) for ln, t, _ in pairs]
    return cases, named >= 2


def _record(cm: CellMap, decision: Decision, pairs) -> None:
    line_of_field = {f: (ln, t) for ln, t, _ in pairs for f in t.fields}
    for f, value in decision.values.items():
        if value.flagged:
            cm.flagged[f] = value.note
            cm.cells[f] = None
        else:
            cm.cells[f] = value.value
        ln, t = line_of_field[f]
        col = t.columns[t.fields.index(f)]
        cm.provenance[f] = {"page": ln.row.page, "line": ln.row.line, "row_label": "".join(ln.labels)[:120],
                            "col_label": col.labels[0], "printed": decision.printed.get(f, "").strip()}
        if value.note and not value.flagged:
            cm.provenance[f]["note"] = value.note
    for f, why in decision.uncertain.items():
        cm.cells[f] = None
        cm.uncertain[f] = why


def _confirm(cm: CellMap, template: Template, fields_of: list[str], claim: str, scope: set[str]) -> None:
    """An inference stands if every check on the cells it placed passes (checks with
    uncertain or flagged cells cannot confirm anything); otherwise its cells are null."""
    values = {f: _as_value(cm, f) for f in template.fields}
    involved = [c for c in template.checks() if set(c.fields) & set(fields_of)]
    judged = [c for c in involved if not (set(c.fields) & (set(cm.uncertain) | set(cm.flagged)))]
    failed = [c for c in judged if check_passes(c, values) is False]
    # a check on the inferred cells alone (a row's own 总计) cannot confirm where they stand
    across = [c for c in judged if not set(c.fields) <= set(fields_of)]
    if involved and not failed and across:
        cm.verified.append(f"{claim}; confirmed by {', '.join(sorted({c.rule for c in judged}))}")
        return
    why = f"{claim}; not confirmed by the template's sums" + (
        f" ({', '.join(sorted({c.rule + ':' + c.subject for c in failed}))} fail)" if failed else "")
    for f in scope:
        if f not in cm.uncertain:
            cm.uncertain[f] = why
            cm.cells[f] = None


def _as_value(cm: CellMap, f: str) -> Value:
    v = cm.cells.get(f)
    return Value(v, "number" if v is not None else "blank")


def map_cells(doc: Document, template: Template) -> CellMap:
    cells: dict[str, float | int | None] = dict.fromkeys(field_names())
    cells.update(dict.fromkeys(template.fields))
    cm = CellMap(template, cells)
    lines = [line_of(i, r) for i, r in enumerate(doc.rows) if any(c.strip() for c in r.cells)]
    al = best_alignment(lines, template)
    start = -1
    for section in SECTIONS:
        pairs = [p for p in al.pairs if p[1].section == section]
        if pairs:
            _read_section(cm, section, pairs, lines, al, start)
            start = pairs[-1][0].index
    _missing(cm, al)
    _warn_unmatched(cm, al)
    return cm


def _cases(cm: CellMap, section: str, pairs, lines, start: int) -> tuple[list[RowCase], list[tuple[str, set[str]]]]:
    """The section's rows with their readings, and the inferences its structure needed
    (with the cells each one placed), which the arithmetic must then confirm."""
    template = cm.template
    fields = {f for _, t, _ in pairs for f in t.fields}
    if section == "active":
        return _active(lines, pairs, template, start)
    if section == "applications":
        cases, st = _applications(lines, pairs, template, start)
        _note_layout(cm, st)
        claims = [] if st.from_header else [
            (f"三: columns not named by a header ({st.evidence}); read by the count of values", fields)]
        return cases, claims
    cases, from_header = _review(lines, pairs, template, start)
    return cases, [] if from_header else [("四: header not found; 15 values read in the template's order", fields)]


def _read_section(cm: CellMap, section: str, pairs, lines, al, start: int) -> None:
    template = cm.template
    cm.sections_found.add(section)
    cases, unconfirmed = _cases(cm, section, pairs, lines, start)
    section_fields = {f for t in template.section_rows(section) for f in t.fields}
    missing = {f for t in al.missing() if t.section == section for f in t.fields}
    decision = decide(cases, _section_checks(template, section_fields), template.fill_pattern, missing)
    _record(cm, decision, pairs)
    cm.verified.extend(decision.resolved)
    cm.problems.extend(decision.problems)
    for claim, scope in unconfirmed:
        _confirm(cm, template, sorted(scope), claim, scope)
    for ln, t, sim in pairs:
        if sim < LABEL_MATCH:
            _confirm(cm, template, list(t.fields), f"{_where(ln, t)} matched by its place "
                     f"(label similarity {sim:.2f})", set(t.fields))
    _merged_rows(cm, pairs, al, section)


def _warn_unmatched(cm: CellMap, al) -> None:
    """A row with numbers between the tables' first and last rows that fits no template row
    (prose around the tables is not a table row)."""
    inside = (al.pairs[0][0].index, al.pairs[-1][0].index) if al.pairs else (0, -1)
    for ln in al.unmatched:
        if inside[0] < ln.index < inside[1]:
            cm.warnings.append(f"unrecognised table row {' / '.join(ln.labels)[:80]!r}"
                               f" (line {ln.row.line}, page {ln.row.page})")


def _merged_rows(cm: CellMap, pairs, al, section: str) -> None:
    """A printed row whose label holds the label of another template row that was not found
    is two rows read as one (a ruling line lost, two lines of a cell): its cells hold both
    rows' numbers run together, so they are uncertain, never read as one row's."""
    missing = [t for t in al.missing() if t.section == section and t.labels]
    for ln, t, _ in pairs:
        label = match_key("".join(ln.labels))
        own = [match_key(x) for x in t.labels]
        for other in missing:
            keys = [match_key(x) for x in other.labels if len(match_key(x)) >= 3]
            if any(k in label and not any(k in o for o in own) for k in keys):
                for f in t.fields:
                    cm.uncertain[f] = (f"{_where(ln, t)}: its label also holds {other.labels[0]}: two rows read as one, "
                                       "their numbers run together")
                    cm.cells[f] = None
                break


def _missing(cm: CellMap, al) -> None:
    """Template rows the document does not show (or we could not find): their cells are
    uncertain, never silently blank. A whole section missing is said once."""
    for trow in al.missing():
        why = (f"section {SECTION_NAMES[trow.section]} not found" if trow.section not in cm.sections_found
               else f"{SECTION_NAMES[trow.section]} row {trow.name} not found")
        for f in trow.fields:
            cm.uncertain.setdefault(f, why)
            cm.cells[f] = None
