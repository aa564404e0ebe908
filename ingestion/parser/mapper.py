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

from dataclasses import dataclass, field, replace

from .align import (
    FOUND_GAIN,
    LABEL_MATCH,
    Line,
    best_alignment,
    best_similarity,
    doc_lines,
    line_gains,
    similarity,
)
from .document import Document
from .readings import row_readings
from .rules import passes
from .solve import Decision, RowCase, check_passes, decide
from .spec import field_names
from .structure import Structure, printed_width, structure
from .template import Template, TRow
from .textnorm import match_key
from .values import Value

SECTIONS = ("active", "applications", "review")
SECTION_NAMES = {"active": "二", "applications": "三", "review": "四"}
TRUNCATED = "truncated: "  # the note of a copy cut short (the loader keeps such a document out)
_HEADER_REACH = 12  # rows above a section's first row that may hold its header
_MIN_EVIDENCE = 4  # characters of a row's own label that can say it is another row
_LABEL_WRAPS = 3  # lines a section-二 label wraps over, above values printed on a line of their own
_NEXT_TO = 2  # document rows between a label-only row and numbers that may be its other piece


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
    order_rows: list[bool] = field(default_factory=list)  # rows of 三 grouped by reading order: confirmed?
    placed: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # rows the sums placed (solve.Decision)

    @property
    def doubtful(self) -> set[str]:
        """Cells no rule can judge: read with doubt, or printed as no number."""
        return set(self.uncertain) | set(self.flagged)

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


def _active(lines, pairs, template: Template, start: int, warnings: list[str],
            others: dict[str, list[Line]]) -> tuple[list[RowCase], list[tuple[str, set[str]]]]:
    """Section 二, block by block: each block's header row names its columns. A block of
    several columns whose header is not found cannot be read: no sum checks section 二."""
    cases, unconfirmed = [], []
    last = start
    for block in sorted({t.block for _, t, _ in pairs}):
        rows = [(ln, t, s) for ln, t, s in pairs if t.block == block]
        first = rows[0][0]
        header = _header_lines(lines, max(last, first.index - _HEADER_REACH), first.index)
        st = structure(header, rows[0][1].columns, (), "".join(first.labels))
        if st.note or not st.layouts:
            warnings.append(f"二 {template.active_captions[block]}: {st.note or st.evidence}")
        if len(rows[0][1].columns) > 1 and len(st.found) < 2:
            scope = {f for _, t, _ in rows for f in t.fields}
            unconfirmed.append((f"二 {template.active_captions[block]}: column header not found", scope))
        widest = _widest([ln for ln, _, _ in rows])
        for ln, t, _ in rows:
            cases.append(_row_case(t, ln, st, others, widest))
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


def _applications(lines, pairs, template: Template, start: int,
                  others: dict[str, list[Line]]) -> tuple[list[RowCase], Structure]:
    first = pairs[0][0]
    header = _header_lines(lines, max(start, first.index - _HEADER_REACH), first.index)
    # header words wrapped over lines one cell each (商业企 / 业: text in reading order) are
    # found in the header's lines joined, as in a flattened header
    flat = "".join(c for ln in header if ln.row.paired == "line" for c in ln.row.cells)
    st = structure(header, template.applicant_columns, template.group_labels, flat + "".join(first.labels))
    st = _by_count(st, pairs)
    widest = _widest([ln for ln, _, _ in pairs])
    cases = [_row_case(t, ln, st, others, widest) for ln, t, _ in pairs]
    return cases, st


def _note_layout(cm: CellMap, st: Structure) -> None:
    """Say which optional column the header shows is not printed (其他: other_org null),
    and what else about the header a reader should know."""
    if st.note:
        cm.warnings.append(f"table 三: {st.note}")
    if not st.layouts:
        cm.warnings.append(f"table 三: {st.evidence}: its rows cannot be read")
    if st.from_header:
        printed = {c.name for c in st.layouts[0]}
        for col in cm.template.applicant_columns:
            if col.name not in printed:
                cm.warnings.append(f"table 三: no {col.labels[0]} applicant column printed; its cells are null")


def _review(lines, pairs, template: Template, start: int, others: dict[str, list[Line]]) -> tuple[list[RowCase], bool]:
    """Section 四: one row of 15 values, or one row of 5 per group; the header words say
    the values stand in the template's order."""
    first = pairs[0][0]
    header = _header_lines(lines, max(start, first.index - _HEADER_REACH), first.index)
    text = match_key("".join(c for h in header for c in h.row.cells) + "".join(first.labels) + "".join(first.row.before))
    named = sum(1 for w in template.review_header_words if match_key(w) in text)
    widest = _widest([ln for ln, _, _ in pairs])
    cases = [_row_case(t, ln, Structure([t.columns]), others, widest) for ln, t, _ in pairs]
    return cases, named >= 2


def _record(cm: CellMap, decision: Decision, pairs, others: dict[str, list[Line]]) -> None:
    line_of_field = {f: (ln, t) for ln, t, _ in pairs for f in t.fields}
    other_line = {ln.index: ln for alts in others.values() for ln in alts}
    for f, value in decision.values.items():
        if value.flagged:
            cm.flagged[f] = value.note
            cm.cells[f] = None
        else:
            cm.cells[f] = value.value
        ln, t = line_of_field[f]
        ln = other_line.get(decision.origin.get(f, -1), ln)
        col = t.columns[t.fields.index(f)]
        cm.provenance[f] = {"page": ln.row.page, "line": ln.row.line, "row_label": "".join(ln.labels)[:120],
                            "col_label": col.labels[0], "printed": decision.printed.get(f, "").strip()}
        if value.note and not value.flagged:
            cm.provenance[f]["note"] = value.note
        if ln.row.ocr is not None:  # a scanned row: its confidence and box, for the gate and the review page
            cm.provenance[f]["ocr"] = {"confidence": _ocr_confidence(ln.row, cm.provenance[f]["printed"]),
                                       "box": list(ln.row.ocr[1])}
    for f, why in decision.uncertain.items():
        cm.cells[f] = None
        cm.uncertain[f] = why


def _ocr_confidence(row, printed: str) -> float:
    """A scanned cell's confidence: the least of the row's cells printing the same text (a
    reading does not say which of them it took), else the row's least sure number."""
    same = [c for text, c in zip(row.cells, row.ocr[2]) if text.strip() == printed and printed]
    return round(min(same) if same else row.ocr[0], 4)


def _confirm(cm: CellMap, template: Template, fields_of: list[str], claim: str, scope: set[str],
             within: bool = False, evidence: bool = False) -> bool:
    """An inference stands if every check on the cells it placed passes (checks with
    uncertain or flagged cells cannot confirm anything); otherwise its cells are null.
    Some check must span cells the inference did not place, unless `within` (a row whose
    identity is not in question, whose own totals confirm the order of its cells); with
    `evidence`, one that holds with a number in it (a sum of zeros holds for any row of
    zeros), unless the section holds no number at all."""
    values = {f: _as_value(cm, f) for f in template.fields}
    involved = [c for c in template.checks() if set(c.fields) & set(fields_of)]
    doubtful = cm.doubtful
    judged = [c for c in involved if not (set(c.fields) & doubtful)]
    failed = [c for c in judged if check_passes(c, values) is False]
    # a check on the inferred cells alone (a row's own 总计) cannot confirm where they stand
    across = [c for c in judged if within or not set(c.fields) <= set(fields_of)]
    if evidence and any(values[f].value for c in involved for f in c.fields):
        across = [c for c in across if any(values[f].value for f in c.fields)]
    if involved and not failed and across:
        cm.verified.append(f"{claim}; confirmed by {', '.join(sorted({c.rule for c in judged}))}")
        return True
    why = f"{claim}; not confirmed by the template's sums" + (
        f" ({', '.join(sorted({c.rule + ':' + c.subject for c in failed}))} fail)" if failed else "")
    for f in scope:
        if f not in cm.uncertain:
            cm.uncertain[f] = why
            cm.cells[f] = None
    return False


def _as_value(cm: CellMap, f: str) -> Value:
    v = cm.cells.get(f)
    return Value(v, "number" if v is not None else "blank")


def map_cells(doc: Document, template: Template, lines: list[Line] | None = None) -> CellMap:
    """`lines`: the document's `doc_lines`, when the caller has them already."""
    cells: dict[str, float | int | None] = dict.fromkeys(field_names())
    cells.update(dict.fromkeys(template.fields))
    cm = CellMap(template, cells)
    lines = doc_lines(doc) if lines is None else lines
    al = best_alignment(lines, template)
    others = _other_printings(al, template)
    start = -1
    for section in SECTIONS:
        pairs = [p for p in al.pairs if p[1].section == section]
        if pairs:
            _read_section(cm, section, pairs, lines, al, start, others)
            start = pairs[-1][0].index
    _active_by_order(cm, [p for p in al.pairs if p[1].section == "active"])
    _missing(cm, al)
    _placed_rows(cm)
    _warn_unmatched(cm, al, others)
    _wrapped_digits(cm, al, others)
    _cut_short(cm, doc)
    return cm


def _placed_rows(cm: CellMap) -> None:
    """A row that lost cells, its printed ones placed by the sums, stands only while the
    rows it was placed against stand: once every doubt is in, the sums across rows that hold
    its cells must still hold, with a number in them, on cells read with certainty."""
    for where, fields in cm.placed:
        if any(cm.cells.get(f) is not None for f in fields):
            _confirm(cm, cm.template, list(fields), f"{where}: its printed cells placed among its columns by the sums",
                     set(fields), evidence=True)


def _cut_short(cm: CellMap, doc: Document) -> None:
    """A document that ends before the sections after the tables (五、六) ends inside its
    tables (a stalled copy, a partial download): the table it stops in may end in a row
    or a number cut through, so none of its cells, nor any after it, is read."""
    template = cm.template
    text = match_key(doc.text)
    headings = (*template.active_heading, *template.applications_heading, *template.review_heading)
    tables_end = max((text.rfind(match_key(h)) for h in headings), default=-1)
    if any(match_key(h) in text[max(tables_end, 0):] for h in template.closing):
        return
    found = [s for s in SECTIONS if s in cm.sections_found]
    cut = SECTIONS.index(found[-1]) if found else 0
    where = f"inside table {SECTION_NAMES[SECTIONS[cut]]}" if found else "before its tables"
    why = (f"{TRUNCATED}the document ends {where} (nothing of the sections after the tables follows): "
           "the cells of that table and after it are not read")
    cm.problems.append(why)
    for section in SECTIONS[cut:]:
        for t in template.section_rows(section):
            for f in t.fields:
                cm.uncertain[f] = why
                cm.flagged.pop(f, None)
                cm.cells[f] = None


MAX_WRAPPED = 3  # digits of a wrapped cell printed alone on the next line: a few, never a row's worth


def _wrapped_digits(cm: CellMap, al, others: dict[str, list[Line]]) -> None:
    """A row of a text export followed by a line of a few bare digits and no label: a cell
    too narrow for its number printed the rest on the next line (pdftotext -layout: 21 as 2
    above 1), or the rest of a row's cells in reading order, so the row's numbers as read may
    be pieces of others. Unless the arithmetic confirms the row (a check on its cells holds,
    its other cells read with certainty, and none fails), its cells are uncertain."""
    claimed = {ln.index for alts in others.values() for ln in alts}
    after = {ln.index: ln for ln in al.unmatched if ln.index not in claimed and not ln.labels
             and 0 < ln.filled <= MAX_WRAPPED and not ln.row.grid}
    doubtful = cm.doubtful
    for ln, trow, _ in al.pairs:
        nxt = after.get(ln.index + 1)
        if nxt is None or not ln.has_values:
            continue
        involved = [c for c in cm.template.checks() if set(c.fields) & set(trow.fields)]
        judged = [c for c in involved if not set(c.fields) & doubtful]
        if judged and all(passes(c, cm.cells) for c in involved):
            continue
        why = (f"digits {' '.join(nxt.printed)} printed alone on the line after row {trow.key} (line {nxt.row.line}): "
               "a wrapped cell; the row's numbers cannot be read with certainty")
        cm.problems.append(why)
        for f in trow.fields:
            cm.uncertain.setdefault(f, why)
            cm.cells[f] = None


def _cases(cm: CellMap, section: str, pairs, lines, start: int,
           others: dict[str, list[Line]]) -> tuple[list[RowCase], list[tuple[str, set[str]]]]:
    """The section's rows with their readings, and the inferences its structure needed
    (with the cells each one placed), which the arithmetic must then confirm."""
    template = cm.template
    fields = {f for _, t, _ in pairs for f in t.fields}
    if section == "active":
        return _active(lines, pairs, template, start, cm.warnings, others)
    if section == "applications":
        cases, st = _applications(lines, pairs, template, start, others)
        _note_layout(cm, st)
        claims = [] if st.from_header else [
            (f"三: columns not named by a header ({st.evidence}); read by the count of values", fields)]
        return cases, claims
    cases, from_header = _review(lines, pairs, template, start, others)
    return cases, [] if from_header else [("四: header not found; 15 values read in the template's order", fields)]


def _read_section(cm: CellMap, section: str, pairs, lines, al, start: int, others: dict[str, list[Line]]) -> None:
    template = cm.template
    cm.sections_found.add(section)
    cases, unconfirmed = _cases(cm, section, pairs, lines, start, others)
    section_fields = {f for t in template.section_rows(section) for f in t.fields}
    missing = {f for t in al.missing() if t.section == section for f in t.fields}
    decision = decide(cases, _section_checks(template, section_fields), missing)
    _record(cm, decision, pairs, others)
    cm.placed.extend(decision.placed)
    cm.verified.extend(decision.resolved)
    cm.problems.extend(decision.problems)
    for claim, scope in unconfirmed:
        _confirm(cm, template, sorted(scope), claim, scope)
    if section != "active":
        _confirm_order(cm, section, pairs, al)
    for ln, t, sim in pairs:
        other = _reads_as(ln, t, sim, template)
        if other is not None:
            _doubt(cm, t.fields, f"{_where(ln, t)} matched by its place, but its label reads as {other.name}: "
                   "rows printed out of order")
        elif sim < LABEL_MATCH and not _anchored(ln, t, pairs, al):
            _doubt(cm, t.fields, f"{_where(ln, t)} matched by its place, but the rows around it found by their "
                   "labels leave room for another: its place does not say which row it is")
        elif sim < LABEL_MATCH:
            _confirm(cm, template, list(t.fields), f"{_where(ln, t)} matched by its place "
                     f"(label similarity {sim:.2f})", set(t.fields))
        elif _by_context(ln, t) and section == "applications":
            _confirm(cm, template, list(t.fields), f"{_where(ln, t)} matched by the label lines around it, none "
                     "on its own line: they may be a neighbour's", set(t.fields), evidence=True)
        elif _by_context(ln, t) and section == "review" and t.key != "review.all" and not _headed_by(ln, t):
            # a group's values, no label of their own, under the header's words: the header
            # names every group, so nothing says which group these are (四 has no sums
            # across its groups to tell)
            _doubt(cm, t.fields, f"{_where(ln, t)}: values without a label of their own, the line above not "
                   "naming their group: nothing says which group of section 四 they are")
    _merged_rows(cm, pairs, al, section)
    for ln, t, _ in pairs:
        if ln.remark:
            cm.warnings.append(f"{_where(ln, t)}: text after its numbers set aside as a remark: {ln.remark[:60]!r}")


def _anchored(ln: Line, trow: TRow, pairs, al) -> bool:
    """A row matched by its place is that row only when its place is fixed: between the
    nearest rows of numbers found by their labels (or the section's ends) stand exactly as
    many printed rows as the template has there, every one matched, none left over."""
    found = [(x, t) for x, t, sim in pairs if sim >= LABEL_MATCH and x.has_values]  # a label alone anchors no numbers
    before = [(x, t) for x, t in found if x.index < ln.index]
    after = [(x, t) for x, t in found if x.index > ln.index]
    lo, hi = (before[-1][0].index if before else -1), (after[0][0].index if after else 1 << 30)
    seq = [t for t in al.sequence if t.section == trow.section]
    t_lo = seq.index(before[-1][1]) if before else -1
    t_hi = seq.index(after[0][1]) if after else len(seq)
    between = {t.key for t in seq[t_lo + 1:t_hi]}
    matched = {t.key for x, t, _ in pairs if lo < x.index < hi}
    stray = any(lo < x.index < hi for x in al.unmatched)
    return between == matched and not stray


def _confirm_order(cm: CellMap, section: str, pairs, al) -> None:
    """Rows whose values were grouped under their label by reading order alone stand only
    where the sums confirm the grouping: its own total holds (a value lost or taken from
    a neighbour breaks it) and, of the sums across rows that hold its cells (each other
    row's cells grouped on their own), more hold than fail and at most one fails (a
    grouping shifted by a cell breaks most of them; one that fails beside others that hold
    is the report's own arithmetic). A sum of zeros holds for any grouping of zeros: it
    counts for nothing. Section 四 has no sums across rows, and its group totals cannot see
    where a part stands among the parts: its rows stand only on an order 三 proved (every
    reading-order row of 三 confirmed, at least three) with every group total of the row
    holding. A row is judged only against rows that stand: rows that fail are set aside and
    the rest judged again until none falls, so the order they come in decides nothing; each
    one's outcome is kept for section 二 to lean on."""
    rows = [(ln, t) for ln, t, _ in pairs if ln.row.paired == "order" and ln.has_values]
    if not rows:
        return
    if section == "review" and not _order_proven(cm):
        for ln, t in rows:
            _doubt(cm, t.fields, f"{_where(ln, t)}: its values follow its label in reading order, an order no row "
                   "of 三 proved, and its group totals cannot tell where a part stands")
        return
    values = {f: _as_value(cm, f) for f in cm.template.fields}
    # zeros are evidence of nothing unless every row of the section printed all its cells:
    # a blank cell prints nothing in reading order, and a zero read into it is no blank
    printed = [t for t in al.sequence if t.section == section]
    widths = {ln.filled for ln, _, _ in pairs}
    full = len(pairs) == len(printed) and len(widths) == 1 and all(
        ln.filled in (len(t.columns), len([c for c in t.columns if not c.optional])) for ln, t, _ in pairs)
    verdicts = _standing(cm, section, rows, values, full)
    for ln, t in rows:
        ok, why = verdicts[t.key]
        claim = f"{_where(ln, t)}: its values follow its label in reading order, with nothing else to say they are its row"
        if ok:
            cm.verified.append(f"{claim}; confirmed by {why}")
        else:
            _doubt(cm, t.fields, f"{claim}; not confirmed by the template's sums{why}")
        if section == "applications":  # 三's rows have sums across rows: what proves an order
            cm.order_rows.append(ok)


def _standing(cm: CellMap, section: str, rows, values: dict[str, Value], full: bool) -> dict[str, tuple[bool, str]]:
    """Each reading-order row's verdict, judged against the rows still standing until none
    falls. A row whose own total alone fails, every sum across rows holding, is the report's
    own arithmetic only if it is the one such row: a value read into a neighbour's row (the
    first column a row late) breaks two rows' totals and no column's sum."""
    unsure = cm.doubtful
    verdicts: dict[str, tuple[bool, str]] = {}
    standing = list(rows)
    while True:
        lone = [t.key for _, t in standing if _own_fails(cm.template, t, values, unsure)]
        fallen = []
        for ln, t in standing:
            verdicts[t.key] = _grouping_holds(cm.template, t, values, unsure, within=section == "review",
                                              lone=lone == [t.key], full=full)
            if not verdicts[t.key][0]:
                fallen.append(t)
        if not fallen:
            return verdicts
        standing = [(ln, t) for ln, t in standing if t not in fallen]
        unsure |= {f for t in fallen for f in t.fields}


def _own_fails(template: Template, trow: TRow, values: dict[str, Value], unsure: set[str]) -> bool:
    fields = set(trow.fields)
    return any(check_passes(c, values) is False for c in template.checks()
               if set(c.fields) <= fields and not set(c.fields) & unsure)


def _grouping_holds(template: Template, trow: TRow, values: dict[str, Value], unsure: set[str],
                    within: bool, lone: bool = False, full: bool = False) -> tuple[bool, str]:
    """Whether the template's rules confirm a reading of the row's cells, and which rules did
    (or, where they do not, which failed): every rule within the row holds (`within`, section
    四's groups); or none within it fails and those reaching beyond it hold more often than
    they fail, one failure at most; or (`lone`) its own total fails while two or more rules
    beyond it hold and none fails: the total is the report's own error."""
    ev = _Evidence.of(template, trow, values, unsure, full)
    if within and ev.own and len(ev.own) == len(ev.whole) and not ev.bad_own and not ev.across:
        return True, _rule_names(ev.own)
    if not ev.bad_own and len(ev.held) > len(ev.failed) and len(ev.failed) <= 1:
        return True, _rule_names(ev.own + ev.held)
    if ev.bad_own and lone and len(ev.held) >= 2 and not ev.failed:
        return True, _rule_names(ev.held)
    broken = ev.bad_own + ev.failed
    return False, f" ({', '.join(sorted({c.rule + ':' + c.subject for c in broken}))} fail)" if broken else ""


def _rule_names(checks) -> str:
    return ", ".join(sorted({c.rule for c in checks}))


@dataclass
class _Evidence:
    """The template's rules on a row's cells that no doubtful cell enters: `own` (all its
    cells in the row) and `across` (reaching beyond it), `bad_own` (own ones that fail),
    `held` and `failed` (across ones), and `whole` (every rule within the row, doubtful
    cells or not)."""
    own: list
    across: list
    bad_own: list
    held: list
    failed: list
    whole: list

    @classmethod
    def of(cls, template: Template, trow: TRow, values: dict[str, Value], unsure: set[str], full: bool) -> _Evidence:
        fields = set(trow.fields)
        judged = [c for c in template.checks() if set(c.fields) & fields and not set(c.fields) & unsure]
        verdict = {id(c): check_passes(c, values) for c in judged}  # each rule judged once
        own = [c for c in judged if set(c.fields) <= fields]
        across = [c for c in judged if not set(c.fields) <= fields]
        empty = full and _section_empty(template, fields, values)
        held = [c for c in across if verdict[id(c)] is True and (empty or any(values[f].value for f in c.fields))]
        return cls(own=own, across=across, bad_own=[c for c in own if verdict[id(c)] is False], held=held,
                   failed=[c for c in across if verdict[id(c)] is False],
                   whole=[c for c in template.checks() if set(c.fields) <= fields])


def _section_empty(template: Template, fields: set[str], values: dict[str, Value]) -> bool:
    """No number in any cell of the rules the row enters. A sum of zeros holds whatever row
    its zeros came from: no evidence for a grouping, unless the section holds no other
    number and every row printed all its cells (then no grouping of it reads otherwise)."""
    section = {f for c in template.checks() if set(c.fields) & fields for f in c.fields}
    return not any(values[f].value for f in section)


def _paired_by_order(ln: Line) -> bool:
    """Section 二: the row's values are not on its label's own line or cell (a reading-order
    group, or a line of values whose label is only on the lines around it)."""
    return ln.row.paired == "order" or not ln.labels


PROVEN_ORDER_ROWS = 3  # rows of 三 grouped by reading order and confirmed that prove the order


def _order_proven(cm: CellMap) -> bool:
    """The document's reading order puts a row's values after its label: proved where at
    least three rows of 三 read that way stand on their sums and they are at least two in
    three of such rows (the rest may be the report's own arithmetic, which no grouping
    mends)."""
    confirmed = sum(cm.order_rows)
    return confirmed >= PROVEN_ORDER_ROWS and confirmed >= 2 * (len(cm.order_rows) - confirmed)


def _active_by_order(cm: CellMap, pairs) -> None:
    """Section 二 has no sums, so a value there is its label's by layout evidence only: the
    same line or the same cell, or the reading order the document proved on rows that have
    sums (every row of 三 and 四 grouped by it confirmed) — and then only where the row's
    own label line heads its values and no other row's label stands among the lines before
    it (a block of labels apart from their values says the order broke there). Otherwise
    its cells are null."""
    proven = _order_proven(cm)
    rows = cm.template.section_rows("active")
    for ln, t, _ in pairs:
        if not ln.has_values or not _paired_by_order(ln) or not any(cm.cells.get(f) is not None for f in t.fields):
            continue
        block = _in_block(cm.template, ln.row.before)
        wrapped = block[-1:] if ln.labels and _own_similarity(ln, t) < LABEL_MATCH else ()  # 其他对外管理服务事 / 项
        if not ln.labels and len(block) <= _LABEL_WRAPS:  # 其他对外管理服务事 / 项 / 58 0 37: the label is the block
            wrapped = block
        own = match_key("".join(wrapped) + "".join(ln.labels))
        headed = bool(own) and max(similarity(own, match_key(lb)) for lb in t.labels) >= LABEL_MATCH and not any(
            similarity(match_key(b), match_key(lb)) >= LABEL_MATCH for b in block[:len(block) - len(wrapped)]
            for r in rows if r.key != t.key for lb in r.labels)
        if proven and headed:
            cm.verified.append(f"{_where(ln, t)}: its values follow its label in reading order, the order "
                               f"{len(cm.order_rows)} rows of 三/四 prove by their sums")
        else:
            _doubt(cm, t.fields, f"{_where(ln, t)}: its values follow the label in reading order alone "
                   "(not on its line or in its cell), and no sum checks section 二")


def _in_block(template: Template, before: tuple[str, ...]) -> tuple[str, ...]:
    """The label lines above a section-二 row since its block's caption (第二十条第（五）项)
    or the section's heading: what stands above them is another block's, or prose."""
    marks = [match_key(m) for m in (*template.active_captions, *template.active_heading)]
    last = max((i for i, b in enumerate(before) if any(m and m in match_key(b) for m in marks)), default=-1)
    return before[last + 1:]


def _shape(ln: Line) -> tuple[int, int]:
    """Rows of one shape print their labels in the same cells: (first label cell, label
    cells). Not the table: a text export may make each row a table of its own."""
    first = next((i for i, c in enumerate(ln.row.cells) if c.strip()), 0)
    return first, len(ln.labels)


def _widest(lines: list[Line]) -> dict[tuple[int, int], int]:
    """Per row shape that two or more rows of the section share, the most cells one prints
    (trailing blanks not counted)."""
    widths: dict[tuple[int, int], list[int]] = {}
    for ln in lines:
        widths.setdefault(_shape(ln), []).append(printed_width(ln.row.cells))
    return {shape: max(w) for shape, w in widths.items() if len(w) > 1}


def _row_case(trow: TRow, ln: Line, st: Structure, others: dict[str, list[Line]],
              widest: dict[tuple[int, int], int]) -> RowCase:
    """The row's readings, with those of any other printing of it (a row printed twice, a
    comparison table, a row's numbers left on the page before its label): the sums choose.
    A row narrower than another of its shape may have lost a blank cell: it is also read
    that way. A row of a shape of its own cannot be compared: the readings of a lost
    blank are held in reserve, for when its printed reading breaks a sum."""
    readings, reserve = [], []
    for line, origin in [(ln, None)] + [(o, o) for o in others.get(trow.key, ())]:
        width, shared = printed_width(line.row.cells), widest.get(_shape(line))
        found = row_readings(trow, line, st, narrow=shared is not None and width < shared)
        known = set(found)  # a set: a row read as section 四's 15 cells may have thousands of readings
        extra = [r for r in row_readings(trow, line, st, narrow=True) if r not in known] if shared is None else []
        if origin is not None:
            at = f"page {origin.row.page}" if origin.row.page else f"line {origin.row.line}"
            found, extra = ([replace(r, origin=origin.index, how=f"the printing at {at}" + (f"; {r.how}" if r.how else ""))
                             for r in group] for group in (found, extra))
        readings += found
        reserve += extra
    readings = list(dict.fromkeys(readings))
    have = set(readings)
    return RowCase(trow, readings, _where(ln, trow), [r for r in dict.fromkeys(reserve) if r not in have],
                   (ln.row.table if ln.row.grid else -1, *_shape(ln)) if ln.row.paired == "cell" else None)


def _other_printings(al, template: Template) -> dict[str, list[Line]]:
    """Rows of numbers the alignment left over that are another printing of a matched row:
    their label is that row's (and no other's), or they stand next to a matched row that
    printed no numbers (a row broken over a page, its label piece on the next)."""
    matched = {t.key: ln for ln, t, _ in al.pairs}
    out: dict[str, list[Line]] = {}
    for ln in al.unmatched:
        if ln.filled < 2 or _is_prose(ln) or ln.row.paired == "order":
            # a number in a sentence (全年新增公开规章1件) is no table row; in reading order,
            # values the alignment left over belong to no label for certain
            continue
        gains = sorted(((g, t) for g, t in zip(line_gains(ln, template), template.rows, strict=True) if g is not None),
                       key=lambda x: -x[0])
        if gains and gains[0][0] >= FOUND_GAIN and (len(gains) == 1 or gains[1][0] < gains[0][0]) \
                and gains[0][1].key in matched and _own_similarity(ln, gains[0][1]) >= LABEL_MATCH:
            out.setdefault(gains[0][1].key, []).append(ln)
            continue
        for key, m in matched.items():
            if not m.has_values and m.row.paired != "order" and abs(m.index - ln.index) <= _NEXT_TO:
                out.setdefault(key, []).append(ln)
    return out


def _by_context(ln: Line, trow: TRow) -> bool:
    """A row of values with no label text of its own, matched by the label lines around
    it: a label between two rows of values may be either's (a block of labels away from
    their values, as pdfminer writes them). A row with a piece of its label on its own line
    (a wrapped label's first or middle line) is anchored by it."""
    return ln.has_values and not ln.labels and not ln.row.grid and ln.row.paired != "order"


def _headed_by(ln: Line, trow: TRow) -> bool:
    """The label line right above the row is the row's own label (行政复议 / |||| 0)."""
    above = match_key(ln.row.before[-1]) if ln.row.before else ""
    return bool(above) and max(similarity(above, match_key(lb)) for lb in trow.labels) >= LABEL_MATCH


def _own_similarity(ln: Line, trow: TRow) -> float:
    """How alike the line's own label (without the lines around it) is to the row's."""
    if trow.key == "review.all":
        return 1.0
    return best_similarity(_own_keys(ln), trow.labels)


def _own_keys(ln: Line) -> tuple[str, ...]:
    """The match keys of the line's own label: its last label cell, and all of them joined
    (kept on the line: asked for every row of its section)."""
    keys = ln.__dict__.get("own_keys")
    if keys is None:
        keys = tuple(sorted({match_key(ln.labels[-1]), match_key("".join(ln.labels))} - {""})) if ln.labels else ()
        ln.own_keys = keys
    return keys


def _reads_as(ln: Line, trow: TRow, sim: float, template: Template) -> TRow | None:
    """Another row of the section whose label this line's own label is, more than it is the
    row it was matched to (`sim`, the lines around it included): a row matched by its place
    or by a label much like its neighbour's (一、本年新收… / 二、上年结转…) may be that row,
    printed out of order, and no sum sees two rows swapped. A short label fragment (其他,
    the first line of a wrapped label) is no evidence."""
    own = _own_keys(ln)
    if sim >= 1.0 or not any(len(k) >= _MIN_EVIDENCE for k in own):
        return None  # (no row's likeness exceeds a label matched whole)
    best = max(((_own_similarity(ln, t), t) for t in template.section_rows(trow.section)
                if t.key != trow.key and t.labels and t.group != "review_one_row"), key=lambda x: x[0],
               default=(0.0, None))
    return best[1] if best[0] >= LABEL_MATCH and best[0] > sim else None


def _doubt(cm: CellMap, fields, why: str) -> None:
    for f in fields:
        cm.uncertain.setdefault(f, why)
        cm.cells[f] = None


def _warn_unmatched(cm: CellMap, al, others: dict[str, list[Line]]) -> None:
    """A row with numbers between the tables' first and last rows that fits no template row
    (prose around the tables is not a table row), or that is another printing of one."""
    inside = (al.pairs[0][0].index, al.pairs[-1][0].index) if al.pairs else (0, -1)
    also = {ln.index: key for key, alts in others.items() for ln in alts}
    for ln in al.unmatched:
        where = f"{' / '.join(ln.labels)[:80]!r} (line {ln.row.line}, page {ln.row.page})"
        if ln.index in also:
            cm.warnings.append(f"table row {where} read as another printing of {also[ln.index]}")
        elif inside[0] < ln.index < inside[1]:
            cm.warnings.append(f"unrecognised table row {where}")


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
    uncertain, never silently blank. A whole section missing is said once. The rows of a
    form the document does not print (（六） as three rows where it printed one) are blank
    only where the form it does print was read (its rows found and not in doubt): otherwise
    which one it printed is not known, and they are uncertain too."""
    for trow in al.missing():
        why = (f"section {SECTION_NAMES[trow.section]} not found" if trow.section not in cm.sections_found
               else f"{SECTION_NAMES[trow.section]} row {trow.name} not found")
        for f in trow.fields:
            cm.uncertain.setdefault(f, why)
            cm.cells[f] = None
    found = {t.key: sim for _, t, sim in al.pairs}
    printed = {t.key for t in al.sequence}
    for groups in cm.template.alternatives:
        chosen = [t for t in al.sequence if t.group in groups]
        others = [t for t in cm.template.rows if t.group in groups and t.key not in printed
                  and not set(t.fields) & {f for c in chosen for f in c.fields}]
        if not chosen or not others or all(t.key in found and not set(t.fields) & set(cm.uncertain) for t in chosen):
            continue  # the form it prints was read: its rows found, by label or confirmed in their place
        why = f"{SECTION_NAMES[chosen[0].section]}: its rows do not say which of its forms the report prints"
        for t in others:
            for f in t.fields:
                cm.uncertain.setdefault(f, why)
