"""Align the rows a reader found to the template's rows: printed order plus label similarity.

Every template row has its place in the printed order, and real reports keep that order
even where their labels are misspelt, wrapped, broken by spaces, glued to a neighbouring
cell or lost. So the mapper does not look labels up in a keyword list: it aligns the
sequence of observed rows to the template's sequence (a dynamic programme, like aligning
two strings) where a pair scores by how alike its labels are (edit distance on normalised
labels, rapidfuzz). A row with a typo still lands on its row; a row whose label is
unreadable lands by order and is marked so; a row that fits nowhere is left over and
reported. Which alignment wins is decided by the whole sequence, never row by row.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache


from .document import Document, Row
from .packed import could_be_packed, packed_widths
from .template import Template, TRow, load
from .textnorm import match_key, short_cache
from .values import looks_like_value

LABEL_MATCH = 0.75  # a pair at or above this similarity is "found by its label"
_MATCH_COST = 0.35  # a value row is worth matching when its label is this alike, or by order
FOUND_GAIN = LABEL_MATCH - _MATCH_COST  # the gain of a row of values whose label is found
_LABEL_ONLY_COST = 0.95  # a row without values matches only a label this alike (> 0.65)
_MIN_LABEL = 0.3  # a printed label less alike than this is some other row (or prose)
_ORDER_ONLY = 0.2  # the worth of a row of values without a label, placed by order alone (more than leaving it out)
_SKIP_VALUE_ROW = -0.2  # a row with values that fits no template row
_SKIP_TEMPLATE_ROW = -0.3  # a template row the document does not print (or we did not find)
_REVIEW_MIN_VALUES = 10  # section 四 printed as one row: its three groups side by side
_MAX_REMARK_CELLS = 2  # text cells after a row's numbers read as a remark, not its label


@dataclass
class Line:
    """One observed row as the aligner sees it."""
    index: int  # position in Document.rows
    row: Row
    labels: list[str]  # the non-empty label cells, in order
    values: list[str]  # the trailing value cells (blank ones included)
    options: tuple[str, ...]  # label texts to compare (match keys): innermost, joined, with context
    remark: str = ""  # text printed after the numbers (a 备注 cell), set aside
    values_at: int = -1  # index in row.cells of the first value cell (-1: none)

    def __post_init__(self) -> None:
        self.printed = [v for v in self.values if v.strip()]  # the value cells that print something
        self.filled = len(self.printed)
        self.has_values = self.filled > 0


def split_cells(cells: list[str]) -> tuple[list[str], list[str], str, int]:
    """(label cells, value cells, remark, index of the first value cell): the values are the
    trailing run of cells that could be values (numbers, blanks, placeholders, 5件, 约5 …);
    labels are the non-empty cells before them. Text after a run of numbers (a 备注 cell:
    含合并办理2件) is a remark, set aside, not the row's label."""
    start = _value_start(cells, len(cells))
    if not any(c.strip() for c in cells[start:]):
        last = max((i for i, c in enumerate(cells) if c.strip() and looks_like_value(c)), default=-1)
        tail = [c.strip() for c in cells[last + 1:] if c.strip()]
        lead = _value_start(cells, last + 1)
        if last >= 0 and 0 < len(tail) <= _MAX_REMARK_CELLS and sum(1 for c in cells[lead:last + 1] if c.strip()) >= 2:
            return [c for c in cells[:lead] if c.strip()], cells[lead:last + 1], " ".join(tail), lead
    return [c for c in cells[:start] if c.strip()], cells[start:], "", start


def _value_start(cells: list[str], end: int) -> int:
    start = end
    while start > 0 and looks_like_value(cells[start - 1]):
        start -= 1
    return start


def line_of(index: int, row: Row) -> Line:
    # the positions a merged cell covers are not cells of their own (they only hold the grid)
    covered = {j for i, last in row.spans.items() for j in range(i + 1, last + 1)}
    kept = [k for k in range(len(row.cells)) if k not in covered]
    labels, values, remark, at = split_cells([row.cells[k] for k in kept])
    if row.paired != "cell":  # a line of text tokens prints no blank cell: an empty one is no cell
        values = [v for v in values if v.strip()]
    joined = "".join(labels)
    options = [match_key(labels[-1]) if labels else "", match_key(joined)]
    # the label with more and more of the lines around it: the nearest line first
    for k in sorted({1, 2, 3, len(row.before)} & set(range(1, len(row.before) + 1))):
        options.append(match_key("".join(row.before[-k:]) + joined))
    for k in sorted({1, 2, 3, len(row.after)} & set(range(1, len(row.after) + 1))):
        options.append(match_key(joined + "".join(row.after[:k])))
    if row.before and row.after:
        options.append(match_key("".join(row.before) + joined + "".join(row.after)))
    return Line(index, row, labels, values, tuple(dict.fromkeys(o for o in options if o)), remark,
                kept[at] if at < len(kept) else -1)


def doc_lines(doc: Document) -> list[Line]:
    """The document's rows that print something, as the aligner sees them."""
    return [line_of(i, r) for i, r in enumerate(doc.rows) if any(c.strip() for c in r.cells)]


@short_cache(maxsize=1 << 18)
def similarity(observed: str, label: str) -> float:
    """How alike two match keys are, 0..1: the better of the whole-string ratio (catches
    doubled, dropped and swapped characters) and the best substring match, weighted by how
    much of the label it covers (junk glued around a label costs a little; a fragment of a
    label counts only for the part it covers)."""
    if not observed or not label:
        return 0.0
    if observed == label:
        return 1.0
    if len(label) >= 2 and observed.endswith(label):
        return 0.97  # text glued in front of a label (a flattened header, a margin letter)
    if len(label) >= 4 and observed.startswith(label):
        return 0.95  # a label with the header of its table after it (a heading over a table)
    from rapidfuzz import fuzz  # loaded by the first label that is not an exact match

    whole = fuzz.ratio(observed, label) / 100
    part = fuzz.partial_ratio(observed, label) / 100
    lo, lt = len(observed), len(label)
    part *= (0.7 + 0.3 * lt / lo) if lo >= lt else lo / lt
    return max(whole, part)


@short_cache(maxsize=1 << 16)
def _label_keys(labels: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(match_key(label) for label in labels)


def row_similarity(line: Line, trow: TRow) -> float:
    return best_similarity(line.options, trow.labels)


@short_cache(maxsize=1 << 18)
def best_similarity(options: tuple[str, ...], labels: tuple[str, ...]) -> float:
    keys = _label_keys(labels)
    return max((similarity(o, k) for o in options for k in keys), default=0.0)


def _review_similarity(line: Line, template: Template) -> float:
    """Section 四's data row has no label of its own: what is left of its label once the
    section's header words and heading are taken out must be (nearly) nothing."""
    if len(line.values) < _REVIEW_MIN_VALUES and not could_be_packed(line.values, _REVIEW_MIN_VALUES):
        return -1.0
    rest = match_key("".join(line.labels))
    columns = [label for c in template.review_columns for label in c.labels]
    words = {*template.review_header_words, *columns, *template.review_heading, "政府信息公开", "情况"}
    for word in sorted(words, key=len, reverse=True):
        rest = rest.replace(match_key(word), "")
    # a header printed down narrow columns and read across them (结结果果维纠…) is its
    # words' characters in another order: still nothing but the header
    soup = set(rest) <= {ch for w in words for ch in match_key(w)}
    return 1.0 if len(rest) <= 4 or soup else 0.2


def _fits(line: Line, trow: TRow) -> bool:
    """Can this row's values stand in this template row's columns at all?"""
    return line.filled <= len(trow.columns) or could_be_packed(line.printed, len(trow.columns))


def match_score(line: Line, trow: TRow, template: Template) -> float | None:
    """The gain of matching a line to a template row, or None when they cannot match."""
    if trow.section == "review" and trow.name == "all":
        s = _review_similarity(line, template)
        return None if s < 0 or not line.has_values else s - _MATCH_COST
    if not _fits(line, trow):
        return None
    if trow.section == "review" and not line.has_values:
        return None  # a group's row has numbers; its label alone is the section's header
    s = row_similarity(line, trow)
    if line.has_values:
        if not line.labels:
            return max(s, _ORDER_ONLY) - _MATCH_COST  # values whose label was lost: by place
        return s - _MATCH_COST if s >= _MIN_LABEL else None  # a label unlike this row's: not it
    return s - _LABEL_ONLY_COST if line.labels else None


@dataclass
class Alignment:
    score: float
    pairs: list[tuple[Line, TRow, float]]  # (line, template row, label similarity)
    unmatched: list[Line]  # rows with values that fit no template row
    sequence: tuple[TRow, ...] = ()  # the template rows aligned to (one choice of alternatives)

    def missing(self) -> list[TRow]:
        found = {t.key for _, t, _ in self.pairs}
        return [t for t in self.sequence if t.key not in found]


def align(lines: list[Line], sequence: tuple[TRow, ...], template: Template,
          gains: list[list[float | None]] | None = None) -> Alignment:
    """The best alignment of the lines to one row sequence (dynamic programme; on a tie a
    match wins over skipping). `gains` (line × sequence row) may be given when several
    sequences share the rows."""
    n, m = len(lines), len(sequence)
    if gains is None:
        gains = [[match_score(ln, t, template) for t in sequence] for ln in lines]
    score, left, diag = _table(gains, [ln.has_values for ln in lines], m)
    pairs, unmatched = [], []
    i, j = n, m
    while (i, j) != (0, 0):
        if left[i][j]:
            j -= 1
        elif diag[i][j]:
            line, trow = lines[i - 1], sequence[j - 1]
            sim = 1.0 if trow.key == "review.all" else row_similarity(line, trow)
            pairs.append((line, trow, sim))
            i, j = i - 1, j - 1
        else:
            if lines[i - 1].has_values:
                unmatched.append(lines[i - 1])
            i -= 1
    return Alignment(score, pairs[::-1], unmatched[::-1], sequence)


_NONE = float("-inf")


def _table(gains: list[list[float | None]], has_values: list[bool], m: int):
    """The DP over lines × template rows: the best score, and per cell whether it came from
    the left (template row skipped) or the diagonal (matched); else from above (line
    skipped). A row of the table is the running best of `cand - steps` plus `steps`, so a
    run of skipped template rows is found in one pass. Plain Python: at 30-70 template rows
    it is faster than numpy's per-row calls, and a parse does not import numpy."""
    steps = [j * _SKIP_TEMPLATE_ROW for j in range(m + 1)]
    prev = steps
    left = [[False] + [True] * m]
    diag = [[False] * (m + 1)]
    for g, valued in zip(gains, has_values):
        add = _SKIP_VALUE_ROW if valued else 0.0
        row, lrow, drow = [0.0] * (m + 1), [False] * (m + 1), [False] * (m + 1)
        acc = _NONE
        for j in range(m + 1):
            down = prev[j] + add
            match = prev[j - 1] + (_NONE if g[j - 1] is None else g[j - 1]) if j else _NONE
            take = match >= down
            cand = match if take else down
            v = cand - steps[j]
            if j == 0 or v > acc:
                acc = v
            row[j] = best = acc + steps[j]
            lrow[j] = came_left = best > cand + 1e-12
            drow[j] = take and not came_left
        prev = row
        left.append(lrow)
        diag.append(drow)
    return prev[m], left, diag


@short_cache(maxsize=1 << 15)
def _gains(options: tuple[str, ...], labels: tuple[str, ...], values: tuple[str, ...],
           version: str) -> tuple[float | None, ...]:
    """A line's gains against every template row; lines recur across reports (the same
    labels, the same zeros), so they are computed once."""
    template = load(version)
    line = Line(-1, Row(cells=[], table=-1), list(labels), list(values), options)
    return tuple(match_score(line, t, template) for t in template.rows)


@cache
def _widths(version: str) -> tuple[int, ...]:
    """The row widths `match_score` asks whether a line's values could be packed into."""
    return tuple(sorted({len(t.columns) for t in load(version).rows} | {_REVIEW_MIN_VALUES}))


_SHAPES: dict[tuple, tuple[str, ...]] = {}  # a line's value shape → the first values seen with it


def _same_shape(line: Line, version: str) -> tuple[str, ...]:
    """Values with the line's value shape, the first ever seen with it: `match_score` reads
    values only through their count, how many print something and, per row width, whether
    they could be cells run together (`could_be_packed`). So rows that differ only in their
    numbers (every new report's) share one cache entry of their gains. Shapes are few (counts
    of cells times the widths), so this map stays small."""
    return _SHAPES.setdefault(_shape(len(line.values), tuple(line.printed), version), tuple(line.values))


@short_cache(maxsize=1 << 16)
def _shape(cells: int, printed: tuple[str, ...], version: str) -> tuple:
    return cells, len(printed), version, packed_widths(printed, _widths(version))


def line_gains(line: Line, template: Template) -> tuple[float | None, ...]:
    """The line's gains against each of `template.rows` (cached across lines and reports,
    and kept on the line: the several-reports check, the alignment and the search for other
    printings each ask)."""
    kept = line.__dict__.setdefault("gains", {})
    got = kept.get(template.version)
    if got is None:
        got = kept[template.version] = _gains(line.options, tuple(line.labels), _same_shape(line, template.version),
                                              template.version)
    return got


def best_alignment(lines: list[Line], template: Template) -> Alignment:
    """The best alignment over the template's variants (on a tie within rounding, the one
    that places more rows). Where every row of values is found whole, in order, on one
    variant (`_exact`), the DP runs only on the variants that could still score as much:
    none, unless a line without values gains something and a variant is longer (it then
    has rows to spare for such lines)."""
    lines, table, position, candidates = _prepared(lines, template)
    exact = [a for seq in candidates if (a := _exact(lines, table, seq, position)) is not None]
    if len(exact) != 1:
        return dp_alignment(lines, table, position, candidates, template)
    found = exact[0]
    labels_gain = any(not ln.has_values and any(x is not None and x > 0 for x in g) for ln, g in zip(lines, table))
    rivals = [seq for seq in candidates if seq is found.sequence or (labels_gain and len(seq) > len(found.sequence))]
    return dp_alignment(lines, table, position, rivals, template, found)


def _prepared(lines: list[Line], template: Template):
    """(lines, their gains, template row → its column in the gains, the variants worth
    aligning). Lines that cannot match any row are left out: they would only be skipped."""
    rows = template.rows
    table = [list(line_gains(ln, template)) for ln in lines]
    keep = [i for i, g in enumerate(table) if lines[i].has_values or any(x is not None for x in g)]
    lines, table = [lines[i] for i in keep], [table[i] for i in keep]
    position = {t.key: k for k, t in enumerate(rows)}
    # a layout whose own rows no line can match (section 四 by group, where it is printed
    # as one row) is not worth aligning
    plausible = {t.group for k, t in enumerate(rows)
                 if t.group and any(g[k] is not None and g[k] >= FOUND_GAIN for g in table)}
    variants = [seq for seq in template.variants()
                if not any(t.group and t.group not in plausible and t.section == "review" for t in seq)]
    return lines, table, position, variants or list(template.variants())


def dp_alignment(lines: list[Line], table, position: dict[str, int], candidates, template: Template,
                 known: Alignment | None = None) -> Alignment:
    """The DP's best alignment over the candidate variants (`_prepared`); `known`: the
    alignment of one of them, found without it."""
    best = None
    for seq in candidates:
        if known is not None and seq is known.sequence:
            a = known
        else:
            cols = [position[t.key] for t in seq]
            a = align(lines, seq, template, [[g[c] for c in cols] for g in table])
        if best is None or (round(a.score, 6), len(a.pairs)) > (round(best.score, 6), len(best.pairs)):
            best = a
    return best


_BEST_VALUE_GAIN = 1.0 - _MATCH_COST  # what a row of values gains at most (its label found whole)
_TIE = 1e-6  # gains closer than this to what they are weighed against could tie in the DP


def _exact(lines: list[Line], table: list[list[float | None]], seq: tuple[TRow, ...],
           position: dict[str, int]) -> Alignment | None:
    """The common case without the DP: the rows of values, in order, are the sequence's rows
    one for one, each found whole by its label; lines without values are left out. Each
    row of values then gains the most any line can, and no template row is skipped. Any
    other alignment that pairs k lines without values (each gains at most
    1 - _LABEL_ONLY_COST) has no template row left for k rows of values (each losing
    _BEST_VALUE_GAIN - _SKIP_VALUE_ROW), and one that pairs the same rows of values
    otherwise or skips any scores less: so this is the DP's answer on this variant. None
    where that does not hold, or where a line without values gains nothing either way (a
    tie the DP's rules would decide). Across variants: `best_alignment`."""
    pairs: list[tuple[Line, TRow, float]] = []
    score, j = 0.0, 0
    for ln, g in zip(lines, table):
        if not ln.has_values:
            top = max((x for x in g if x is not None), default=None)
            if top is None or abs(top) < _TIE:
                return None
            continue
        gain = g[position[seq[j].key]] if j < len(seq) else None
        if gain is None or gain < _BEST_VALUE_GAIN - _TIE:
            return None
        trow = seq[j]
        pairs.append((ln, trow, 1.0 if trow.key == "review.all" else row_similarity(ln, trow)))
        score += gain
        j += 1
    return Alignment(score, pairs, [], seq) if j == len(seq) else None
