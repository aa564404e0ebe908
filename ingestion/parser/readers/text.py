"""Plain-text reports: every shape text exports of these reports take.

Cell-separated shapes, read as rows of cells:
- one cell per line (Word export: each cell on a line starting with a TAB, rows separated
  by blank lines, wrapped labels continuing on lines without a TAB);
- TAB-separated rows (text copied out of a PDF or Word);
- pipe-separated rows (HTML or a PDF converted to Markdown).

Space- or nothing-separated shapes, read as a stream of label and value tokens:
- `pdftotext -layout` output: columns aligned by spaces, row labels wrapped over two or
  three lines (kept as `before`/`after` text of the value line they belong to), merged
  labels printed letter by letter down the margin, page numbers (`-3-`) between pieces;
- crawler text: a page flattened into one line, the cells of a table run together
  (`…申请数量713000074二、上年结转…`). A digit run is a value; its last digit is the
  enumerator of the next label where a `.` or `、` follows it (`00000002.其他…`); a digit
  run followed by a unit (年, 件, 条, %) is prose, not a cell.

Everything is NFKC-normalised on the way in. The mapper sees rows, never the shape.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from ..document import Document, RejectedDocument, Row
from ..textnorm import nfkc
from ..values import looks_like_value
from .bounds import check_length

_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*[,，/共]\s*共?\s*\d+\s*页)?"
                          r"|\d{1,3}\s*/\s*\d{1,3})\s*$")
# a digit run that is a cell: not followed by a unit (prose) or by a letter (an identifier)
_PIECES = re.compile(r"(?P<num>[+\-]?\d+(?:\.\d+)?(?:[+\-]\d+(?:\.\d+)?)*)(?P<after>[年月日号件条个次%％人份项余多万元起家期届批天小时岁ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_]?)")
_ENUM_NEXT = re.compile(r"^[.．、](?!\d)")
_RULE = re.compile(r"^:?-*:?$")
_SPACED = re.compile(r"\S[ \u3000]{2,}\S")  # cells laid out in columns (pdftotext -layout)
_SENTENCE_END = re.compile(r"[。；;!?！？]")
_MAX_LABEL_LINES = 5  # a row label wraps over at most this many lines, its first included
_CONTEXT_LINES = 12  # wrapped label lines kept above and below a value line (narrow columns wrap a lot)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (covers GBK and GB2312)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RejectedDocument(f"undecodable UTF-16 text ({exc.reason})") from None
    if b"\x00" in data[:4096]:
        raise RejectedDocument("binary data, not a text, PDF, DOCX, DOC or HTML document")
    for enc in ("utf-8-sig", "gb18030"):
        text = decode_whole(data, enc)
        if text is not None:
            return text
    raise RejectedDocument("undecodable text: neither UTF-8 nor GB18030")


def decode_whole(data: bytes, encoding: str) -> str | None:
    """The bytes decoded, or None when they are not in `encoding`. A file that ends inside
    a character (a copy cut short) is decoded up to it: the parser tells a report that
    stops early by what it lacks, not by its last byte."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.reason.startswith("unexpected end of data") or exc.start >= len(data) - 3 and exc.end == len(data):
            try:
                return data[:exc.start].decode(encoding)
            except UnicodeDecodeError:
                return None
        return None


def _split(line: str) -> tuple[str, list[str]]:
    """Classify a line: ('blank'|'pipe'|'tabrow'|'cell'|'text', cells)."""
    if "\t" not in line and line.strip(" \u3000\r") == "":
        return "blank", []
    if "|" in line:
        raw = line.split("|")
        # border pipes come in pairs (| a | b |): a row with a pipe at one end only opens
        # with a blank cell (|||| 0: four blanks, then a total), which the readings may
        # still drop as a spacer where the row has a cell too many
        bare = line.strip()
        if bare.startswith("|") and bare.endswith("|") and len(raw) > 2:
            raw = raw[1:-1]
        # where the row pads its cells (a | | b), nothing between two pipes (||, a closing
        # border) is a separator the export added, not a printed blank cell
        if " | " in line:
            raw = [c for c in raw if c]
        cells = [c.strip() for c in raw]
        if all(_RULE.match(c) for c in cells):
            return "blank", []  # a Markdown header rule |---|---|
        return "pipe", cells
    tabs = line.count("\t")
    if tabs >= 2 or (tabs == 1 and not line.startswith("\t")):
        return "tabrow", [c.strip() for c in line.split("\t")]
    if tabs == 1:
        return "cell", [line[1:].strip()]
    return "text", [line.strip()]


def tokens(chunk: str) -> list[tuple[str, str]]:
    """A chunk of text → [('label'|'value', text)]: whitespace-separated tokens, and digit
    runs glued to labels split out of them."""
    out: list[tuple[str, str]] = []
    for tok in chunk.split():
        if looks_like_value(tok):
            out.append(("value", tok))
            continue
        pos = 0
        for m in _PIECES.finditer(tok):
            if m.group("after"):
                continue  # prose: 2022年, 75件
            num, start, end = m.group("num"), m.start(), m.end()
            if _ENUM_NEXT.match(tok[end:]):
                if len(num) == 1:
                    continue  # an enumerator starting a label: 1.属于…
                num, end = num[:-1], end - 1  # 00000002.其他…: the 2 numbers the next label
            if tok[pos:start]:
                out.append(("label", tok[pos:start]))
            out.append(("value", num))
            pos = end
        if tok[pos:]:
            out.append(("label", tok[pos:]))
    return out


def _stream_rows(chunk: str) -> list[tuple[list[str], list[str]]]:
    """(label cells, values) of a chunk: the label pieces (space-separated, or cut apart by a
    digit run) followed by their values, one row each."""
    rows: list[tuple[list[str], list[str]]] = []
    labels: list[str] = []
    values: list[str] = []
    for kind, text in tokens(chunk):
        if kind == "label":
            if values:
                rows.append((labels, values))
                labels, values = [], []
            labels.append(text)
        else:
            values.append(text)
    if labels or values:
        rows.append((labels, values))
    return rows


def _text_rows(text_lines: list[tuple[int, str]], table: int) -> list[Row]:
    """Rows of a run of plain text lines (layout or crawler text); label-only lines become
    rows too (a header, a wrapped label) and give the value lines around them context."""
    rows: list[Row] = []
    for n, line in text_lines:
        if _PAGE_NUMBER.match(line):
            continue
        for chunk in _SENTENCE_END.split(line):
            for labels, values in _stream_rows(chunk):
                if not values and (not labels or len("".join(labels)) > 60):
                    continue
                rows.append(Row(cells=[*labels, *values] if labels else ["", *values], table=table, line=n,
                                paired="line"))
    spaced = {n for n, line in text_lines if _SPACED.search(line.strip())}
    rows = _reading_order(_finish_rows(_join_letters(rows), spaced))
    has_values = [any(looks_like_value(c) and c.strip() for c in r.cells) for r in rows]
    for i, row in enumerate(rows):
        if not has_values[i]:
            # a label printed without numbers (a blank row), wrapped over the lines below it
            # until the next enumerated label
            row.after = tuple("".join(r.cells) for r in _continuations(rows, has_values, i))
            continue
        below = []
        for k in range(i + 1, min(len(rows), i + 1 + _CONTEXT_LINES)):
            if has_values[k]:
                break
            below.append("".join(rows[k].cells))
        above = []
        j = i - 1
        while j >= 0 and not has_values[j] and len(above) < _CONTEXT_LINES:
            above.insert(0, "".join(rows[j].cells))
            j -= 1
        if row.paired != "order":  # a reading-order row's label lines are found by _label_groups
            row.before, row.after = tuple(above), tuple(below)
    return rows


def _labels_and_values(row: Row) -> tuple[list[str], list[str]]:
    cells = [c for c in row.cells if c.strip()]
    return [c for c in cells if not looks_like_value(c)], [c for c in cells if looks_like_value(c)]


def _letter(row: Row) -> str:
    """The row's text when it is a single character that is not a value, else ""."""
    text = "".join(row.cells).strip()
    return text if len(text) == 1 and not looks_like_value(text) else ""


def _join_letters(rows: list[Row]) -> list[Row]:
    """A label printed one character per line (a narrow merged cell, a vertical header:
    三 / 、/ 本 / 年 …) read as one label line: consecutive lines of one character each."""
    out: list[Row] = []
    run = False  # the last row out is a run of such lines
    for row in rows:
        letter = _letter(row)
        if letter and run and out[-1].line is not None and row.line is not None and out[-1].line < row.line:
            out[-1].cells = [out[-1].cells[0] + letter]
            continue
        run = bool(letter)
        out.append(Row(cells=[letter], table=row.table, line=row.line, paired=row.paired) if letter else row)
    return out


def _finish_rows(rows: list[Row], spaced: set[int]) -> list[Row]:
    """A row whose label line (or first line below its label) holds only its first values,
    the rest on the lines below it (pdfium's text: （一）予以公开 131 17 / 6 / 0 / 5 11 170): when the lines of bare values
    that follow bring it to exactly the width most rows of the document print, they are its
    cells in reading order (`paired="order"`: the sums must confirm it). Not where the
    label line is laid out in columns (runs of spaces): there a bare number below a row is
    the wrapped rest of one of its cells."""
    counts = Counter(n for n in _blocks(rows) if n >= 3)
    width = max(counts, key=lambda n: (counts[n], n), default=0)
    out: list[Row] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        labels, values = _labels_and_values(row)
        headed = bool(labels) or bool(out) and not _labels_and_values(out[-1])[1]  # its label, or label lines above
        more = _rest_of_row(rows, i, width - len(values)) if headed and 0 < len(values) < width \
            and row.line not in spaced and row.paired == "line" else None
        if more is None:
            out.append(row)
            i += 1
            continue
        out.append(replace(row, cells=[*row.cells, *(c for r in rows[i + 1:i + 1 + more] for c in r.cells if c.strip())],
                           paired="order"))
        i += 1 + more
    return out


def _blocks(rows: list[Row]) -> list[int]:
    """The number of values in each run of rows of values, a run starting at a row with a
    label or after a line of labels: the widths the document's rows print, however a
    converter cut them into lines."""
    out: list[int] = []
    had_values = False
    for row in rows:
        labels, values = _labels_and_values(row)
        if values and (labels or not had_values):
            out.append(0)
        if values:
            out[-1] += len(values)
        had_values = bool(values)
    return out


def _rest_of_row(rows: list[Row], i: int, missing: int) -> int | None:
    """How many rows after row i, each bare values on a later line, hold exactly `missing`
    values; None when a label or too many values come first."""
    got = 0
    for k in range(i + 1, len(rows)):
        labels, values = _labels_and_values(rows[k])
        if labels or not values or not all(map(_one_cell, values)) or rows[k].line is None \
                or rows[k].line <= rows[k - 1].line:
            return None
        got += len(values)
        if got >= missing:
            return k - i if got == missing else None
    return None


def _reading_order(rows: list[Row]) -> list[Row]:
    """Text whose table cells come one per line (a PDF read in reading order: pdftotext
    without -layout, PyMuPDF, LibreOffice's text of a page): a line that holds a single
    value and no label joins the row before it, as reading order puts a row's cells after
    its label. Such a row is marked `paired="order"`: nothing but order says these values
    are that label's, so the mapper lets only the sums confirm it. Its label is then found
    by the form's enumerators (`_label_group`)."""
    out: list[Row] = []
    mixed: set[int] = set()  # rows whose first line holds a label and a value
    for row in rows:
        labels, values = _labels_and_values(row)
        if not labels and values and all(map(_one_cell, values)) and out and (
                len(values) == 1 and _takes_more(out[-1], row) or _goes_on(out[-1], row)):
            out[-1].cells = [*out[-1].cells, *values]
            out[-1].paired = "order"
            continue
        if labels and values:
            mixed.add(len(out))
        out.append(row)
    return _unstack(_label_groups(out, mixed))


def _unstack(rows: list[Row]) -> list[Row]:
    """A reading-order row holding the values of several rows (their labels printed
    elsewhere, as pdftotext prints a block of merged-cell labels apart): when the
    document's rows mostly hold w values and this one holds a multiple of w, it is that
    many rows in reading order, the label's first, the others without labels (the
    aligner places them between the rows found by their labels; the sums confirm them)."""
    counts = Counter(len(_labels_and_values(r)[1]) for r in rows if r.paired == "order")
    width = max((n for n in counts if n >= 3), key=lambda n: (counts[n], n), default=0)
    if not width or counts[width] < 3:
        return rows
    out: list[Row] = []
    for row in rows:
        labels, values = _labels_and_values(row)
        if row.paired != "order" or len(values) < 2 * width or len(values) % width:
            out.append(row)
            continue
        out.append(replace(row, cells=labels + values[:width]))
        out.extend(Row(cells=["", *values[k:k + width]], table=row.table, line=row.line, page=row.page, paired="order")
                   for k in range(width, len(values), width))
    return out


def _one_cell(value: str) -> bool:
    """A value that can be one cell's: not a crawler's run of cells (0112400, a leading zero;
    more digits than any count has)."""
    digits = value.strip()
    return not (digits.isdigit() and (len(digits) > 8 or len(digits) > 1 and digits[0] == "0"))


def _goes_on(prev: Row, row: Row) -> bool:
    """A line of values goes on a row already grouped in reading order (0 / 1 0 0 0 1 / 2:
    a converter that wrote some of a row's cells on one line)."""
    return prev.paired == "order" and prev.line is not None and row.line is not None and prev.line < row.line


def _takes_more(prev: Row, row: Row) -> bool:
    """Can a value on its own line be the next cell of `prev` in reading order: `prev` is
    on an earlier line, has a label, and is not a row that printed its cells on its line."""
    labels, values = _labels_and_values(prev)
    return (prev.line is not None and row.line is not None and prev.line < row.line and bool(labels)
            and (len(values) <= 1 or prev.paired == "order"))


def _enumerated(row: Row) -> bool:
    return bool(_STARTS_LABEL.match(row.cells[0] if row.cells else ""))


def _label_groups(rows: list[Row], mixed: set[int]) -> list[Row]:
    """Each reading-order row's label, from the label lines around its values. A row label
    of the form starts with its enumerator (一、 （二） 3.), and a label wrapped over lines goes
    on without one. Converters put the rest of a wrapped label either before the values
    (PyMuPDF: the whole label, then the values) or after them (pdftohtml: the label's first
    line beside the first value, the rest below the values): which one a document does is
    read off its enumerated rows (`_label_side`), never assumed row by row.

    A row's label is then the last enumerated line before its values (its head) with the
    lines between it and the values, and, where the rest comes after the values, the
    unenumerated lines after them up to the next head. Enumerated lines before the head are
    the merged labels above it (三、本年度办理结果, （三）不予公开): kept as context, never the
    label tail of the row before. The lines of a row's label up to its values are not rows
    of their own; the lines after them stay (they may be the next block's header)."""
    has_values = [bool(_labels_and_values(r)[1]) for r in rows]
    groups = _groups(rows, has_values, mixed)
    after = _label_side(rows, groups, mixed) == "after"
    consumed: set[int] = set()
    for n, group in enumerate(groups):
        prev = groups[n - 1][0] if n and groups[n - 1][0] == _previous_values(has_values, group[0]) else None
        consumed.update(_label_one(rows, group, prev, after, mixed))
    if after and groups and rows[groups[-1][0]].paired == "order":
        _last_rest(rows, groups[-1][0], has_values)
    return [r for i, r in enumerate(rows) if i not in consumed]


def _label_one(rows: list[Row], group, prev: int | None, after: bool, mixed: set[int]) -> list[int]:
    """One row's label (`_label_groups`); gives the lines it took into the row. The
    unenumerated lines right after the previous row's values are that label's rest where the
    document prints rests after values, and wherever this row's label begins at an
    enumerated head (they cannot be the start of this label)."""
    g, between, head, lead = group
    row = rows[g]
    before = [i for i in between if i < head]
    enumerated_head = _enumerated(rows[head]) or head in mixed and bool(_STARTS_LABEL.match(rows[head].cells[0]))
    tail = _unenumerated_prefix(rows, before) if (after or enumerated_head) and prev is not None else []
    if tail and rows[prev].paired == "order":
        _append_after(rows[prev], [rows[i] for i in tail])
    if row.paired != "order":
        return []
    row.cells = [c for i in lead for c in rows[i].cells if c.strip()] + row.cells
    row.before = tuple("".join(rows[i].cells) for i in before if i not in tail)[-_CONTEXT_LINES:]
    return lead


def _last_rest(rows: list[Row], last: int, has_values: list[bool]) -> None:
    """The last row's label lines after its values, where nothing with values follows."""
    if all(not has_values[i] for i in range(last + 1, len(rows))):
        rest = [i for i in range(last + 1, len(rows)) if not has_values[i]]
        _append_after(rows[last], [rows[i] for i in _unenumerated_prefix(rows, rest)])


def _previous_values(has_values: list[bool], g: int) -> int | None:
    return next((i for i in range(g - 1, -1, -1) if has_values[i]), None)


def _groups(rows: list[Row], has_values: list[bool], mixed: set[int]) -> list[tuple[int, list[int], int, list[int]]]:
    """Per reading-order row: (its index, the label-only lines since the previous row of
    values, the index of its label's head, the lines from the head up to its values)."""
    out = []
    last_values = -1
    for g, row in enumerate(rows):
        if not has_values[g]:
            continue
        between = list(range(last_values + 1, g))
        last_values = g
        if row.paired != "order":
            if g in mixed:  # a row printed on its line: only its label's start, at the line
                out.append((g, between, g, []))
            continue
        heads = [i for i in between if _enumerated(rows[i])]
        lead = [i for i in between if heads and i >= heads[-1]]
        if _enumerated(row) or g in mixed or not heads or len(lead) >= _MAX_LABEL_LINES:
            out.append((g, between, g, []))  # (more lines than a label wraps over: a heading and a header)
        else:
            out.append((g, between, heads[-1], lead))
    return out


def _label_side(rows: list[Row], groups, mixed: set[int]) -> str:
    """"before" when the document prints a wrapped label's rest before the values (an
    enumerated head, then more label lines, then the values), "after" when it prints it
    after them (a head right at the values, then unenumerated label lines, then the next
    head); by which its rows do more often, "before" on a tie."""
    before = after = 0
    groups = [group for group in groups if rows[group[0]].paired == "order"]
    for n, (g, _, head, lead) in enumerate(groups):
        if lead:
            before += 1
            continue
        nxt = groups[n + 1] if n + 1 < len(groups) else None
        following = [i for i in (nxt[1] if nxt else []) if i < (nxt[2] if nxt else 0)]
        if head == g and (_enumerated(rows[g]) or g in mixed) and _unenumerated_prefix(rows, following):
            after += 1
    return "after" if after > before else "before"


def _unenumerated_prefix(rows: list[Row], indexes: list[int]) -> list[int]:
    out = []
    for i in indexes:
        if _enumerated(rows[i]):
            break
        out.append(i)
    return out


def _append_after(row: Row, lines: list[Row]) -> None:
    row.after = (*row.after, *("".join(r.cells) for r in lines))[:_CONTEXT_LINES]


_STARTS_LABEL = re.compile(r"^\s*(?:[(（][一二三四五六七八九十\d]{1,2}[)）]|[一二三四五六七八九十]{1,2}、|\d{1,2}[.．、](?!\d))")


def _continuations(rows: list[Row], has_values: list[bool], i: int) -> list[Row]:
    out = []
    for k in range(i + 1, min(len(rows), i + 1 + _CONTEXT_LINES)):
        if has_values[k] or _STARTS_LABEL.match(rows[k].cells[0]):
            break
        out.append(rows[k])
    return out


def rows_from_text(text: str) -> list[Row]:
    rows: list[Row] = []
    table = -1
    after_prose = True
    group: list[str] | None = None
    group_line = 0
    plain: list[tuple[int, str]] = []

    def emit(cells: list[str], line_no: int) -> None:
        nonlocal table, after_prose
        if after_prose:
            table += 1
            after_prose = False
        rows.append(Row(cells=cells, table=table, line=line_no))

    def close_group() -> None:
        nonlocal group
        if group is not None:
            emit(group, group_line)
            group = None

    def close_plain() -> None:
        nonlocal table
        if plain:
            table += 1
            rows.extend(_text_rows(plain, table))
            plain.clear()

    for n, line in enumerate(text.splitlines(), start=1):
        kind, cells = _split(line)
        if kind == "cell":
            close_plain()
            if group is None:
                group, group_line = [], n
            group.append(cells[0])
            continue
        # a wrapped cell: Word exports the rest of a cell on a line without a TAB (a number
        # is never continued)
        if kind == "text" and group and (not group[-1] or not looks_like_value(group[-1])):
            group[-1] += cells[0]
            continue
        close_group()
        if kind in ("pipe", "tabrow"):
            close_plain()
            if any(cells):
                emit(cells, n)
        elif kind == "text":
            plain.append((n, line))
        elif kind == "blank":
            after_prose = True  # a blank line between tab rows: a new table piece (page break)
    close_group()
    close_plain()
    _label_context(rows)
    return rows


def _label_context(rows: list[Row]) -> None:
    """A row of values without a label of its own (a Markdown table whose labels were lost
    to loose lines, a section-四 group under its heading) gets the label-only lines around
    it as context, as layout text rows do."""
    def label_only(r: Row) -> bool:
        return not any(looks_like_value(c) and c.strip() for c in r.cells)

    for i, row in enumerate(rows):
        if (row.before or row.after or label_only(row) or row.paired == "order"
                or any(c.strip() and not looks_like_value(c) for c in row.cells)):
            continue  # (a reading-order row's label lines are found by _label_groups, none around it)
        above = []
        j = i - 1
        while j >= 0 and label_only(rows[j]) and len(above) < _CONTEXT_LINES:
            above.insert(0, "".join(rows[j].cells))
            j -= 1
        below = []
        for r in rows[i + 1:i + 1 + _CONTEXT_LINES]:
            if not label_only(r):
                break
            below.append("".join(r.cells))
        row.before, row.after = tuple(above), tuple(below)


def read(data: bytes) -> Document:
    text = decode(data)
    check_length(text)  # before anything costs more than the decoding
    text = nfkc(text).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise RejectedDocument("empty document (no text)")
    bad = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n"))
    if bad > max(20, len(text) // 100):
        raise RejectedDocument("text is garbled (too many undecodable or control characters)")
    return Document(format="txt", text=text, rows=rows_from_text(text))
