"""A standing hostile-input test of `govinfo parse` (issue 11, part 6).

Hypothesis draws documents the parser reads and mutates them: real-looking reports from
`corpus` (plain text in the `cells`, `tabs` and `pipes` shapes, crawler text, HTML pages in
UTF-8 and GBK) with lines deleted, duplicated, swapped and repeated, hostile text inserted
(control characters, NUL, bidi marks, BOMs, NFKC-expanding characters, any unicode), numbers
replaced by hostile ones (1e30, -5, 99999999999 …), very long lines, HTML spans, nesting and
charsets that lie, truncation, flipped and inserted bytes, wrong encodings (GBK or UTF-16
bytes in a .txt, half UTF-8 half GBK); besides, token soups of report pieces, random text and
random bytes behind the magic numbers the sniffer knows, and byte-damaged DOCX files.

The property, for every input: `parse_file` returns a result whose every non-null cell is a
number in its range (counts 0..10,000,000, `signed_count` cells -10,000,000..10,000,000,
amounts 0..10,000,000), whose agency is a plausible, visible name and year a printed year,
and which the CLI can print; or it raises `RejectedDocument` with a one-line message. Never
another exception, never a hang (hypothesis `deadline` per example, and a hard SIGALRM
limit), never a jump of the process's peak memory by MAX_PEAK_GROWTH. A few inputs go
through the real `govinfo parse` command: exit 0 or 2, no traceback, no "internal parser
error", one stderr line when rejected.

Bugs the fuzz found stand in OPEN_BUGS (each with its minimal input, tested xfail strict,
and a test by which the fuzz skips other inputs that hit it) and FIXED_BUGS (their inputs
tested as plain regressions). Whoever fixes an open bug moves its entry.

CI runs the `fuzz-ci` profile: derandomized (the same examples on every run: hypothesis is
pinned in pyproject.toml), no example database, ~900 examples in all, ~35 s on one core. A longer local
run (20x the examples, random seeds, failing examples kept in the system's temp folder,
govinfo-fuzz-examples/, and replayed first on the next run):

    HYPOTHESIS_PROFILE=long .venv/bin/pytest -q -p no:xdist --hypothesis-show-statistics tests/library/test_fuzz.py

GOVINFO_FUZZ_STATS=FILE appends the slowest input of the run and the one that raised the
process's peak memory most to FILE.
"""
from __future__ import annotations

import json
import math
import os
import random
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, reject, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from corpus.render import QUIRKS, SHAPES, TITLE_FORMS, Style, render
from corpus.truth import series
from corpus.writers import crawl_text, to_docx, to_html
from ingestion.parser.document import Document, RejectedDocument
from ingestion.parser.meta import SPAM_MARK
from ingestion.parser.parse import parse_file
from ingestion.parser.readers import read_bytes, sniff
from ingestion.parser.spec import all_fields, field_names
from ingestion.parser.values import looks_like_value

MAX_COUNT = 10_000_000  # expectations/suites.py MAX_COUNT: the range the GX gate enforces
MAX_AMOUNT = 10_000_000
# growth of the process's peak resident memory while parsing one (at most ~1 MB) input
MAX_PEAK_GROWTH = 256 * 1024 * 1024
HARD_LIMIT_S = 60  # an example still running after this is a hang (the deadline is far lower)
UNITS = {f.field: f.unit for f in all_fields()}
ROOT = Path(__file__).resolve().parents[2]

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
           HealthCheck.large_base_example, HealthCheck.function_scoped_fixture]
settings.register_profile("fuzz-ci", max_examples=25, derandomize=True, database=None,
                          deadline=timedelta(seconds=5), suppress_health_check=_HEALTH, print_blob=True)
settings.register_profile("fuzz-long", max_examples=500, derandomize=False,
                          database=DirectoryBasedExampleDatabase(Path(tempfile.gettempdir()) / "govinfo-fuzz-examples"),
                          deadline=timedelta(seconds=5), suppress_health_check=_HEALTH, print_blob=True)
PROFILE = settings.get_profile("fuzz-" + os.environ.get("HYPOTHESIS_PROFILE", "ci").removeprefix("fuzz-"))


def fuzz_settings(weight: float) -> settings:
    """The profile with `weight` times its base number of examples."""
    return settings(PROFILE, max_examples=max(1, round(PROFILE.max_examples * weight)))


# --- what hostile documents are made of ------------------------------------------------------

HOSTILE_NUMBERS = (
    "1e30", "1E+30", "-5", "－5", "−5", "+5", "-0", "99999999999", "10000001", "10000000", "9999999",
    "-10000001", "-10000000", "18446744073709551617", "9" * 400, "1" + "0" * 5000, "0.5", "5.", ".5",
    "1,000,000,000", "1,0,0", "0x1F", "NaN", "nan", "inf", "Infinity", "-inf", "007", "٣٣", "१२", "１２３",
    "𝟗𝟗𝟗𝟗𝟗𝟗𝟗𝟗𝟗", "²³", "½", "Ⅻ", "五", "约5", "（5）", "(-5)", "5件", "5万元", "-5件", "1e30件", "5-3",
    "1+1", "3.5.1", "--5", "5%", "5e", "e5", "1_000", "1 000", "2147483648", "-2147483649", "1e-30",
)
HOSTILE_CHARS = (
    "\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1c", "\x1e", "\x7f", "\x85", "\xa0", "\xad",
    "\u2028", "\u2029", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c",
    "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u061c", "\ufeff", "\ufffd", "\ufffe",
    "\uffff", "\u3000", "\r", "\r\n", "\n\n", "\t", "|", "｜", "¦", "\ue000", "\U0010ffff", "\U0001f600",
    "\ufdfa", "\u3392", "\ufb03", "︱", "〡", "Ⅷ", "⑤", "⒌", "㈤", "\u0301", "\u0300" * 50,
)
MARKUP = (
    "<td>", "</td>", "<tr>", "</tr>", "<table>", "</table>", "<th colspan='3'>", "<td rowspan='9999'>",
    "<!--", "-->", "<![CDATA[", "]]>", "<?xml version='1.0' encoding='gbk'?>", "<script>", "</script>",
    "<style>", "</html>", "<body>", "&#0;", "&#xD800;", "&#99999999;", "&#x1F600;", "&nbsp;", "&", "<",
    "<br>", "<p>", "<meta charset='utf-16'>", "<meta charset='gb2312'>", "<td>发布机构</td><td>本局</td>",
)
ATTRS = (
    "colspan='99999999999999999999'", "rowspan='99999999999999999999'", "colspan='0'", "rowspan='0'",
    "colspan='-7'", "rowspan='-1'", "colspan='1e9'", "colspan=''", "rowspan='abc'", "colspan='２'",
    "colspan='\u0663'", "rowspan=' 2 3 '", "colspan=64", "rowspan=65", "colspan='3' colspan='5'",
)
CHARSETS = (
    "utf-8", "gbk", "gb2312", "gb18030", "big5", "shift_jis", "euc-kr", "latin-1", "cp1252", "utf-16",
    "utf-16-le", "utf-32", "utf-7", "ascii", "idna", "punycode", "unicode_escape", "raw_unicode_escape",
    "base64", "hex", "rot13", "uu", "zlib", "bz2", "mbcs", "utf-8-sig", "cp65001", "koi8-r", "cp037",
    "palmos", "undefined", "", "x" * 300, "utf\u00e9",
)
BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00",
        b"\xef\xbb\xbf\xef\xbb\xbf", b"\x2b\x2f\x76\x38", b"\x84\x31\x95\x33")
MAGICS = (b"", b"%PDF-1.7\n", b"%PDF", b"PK\x03\x04", b"PK\x05\x06", b"<html>", b"<!DOCTYPE html>",
          b"<?xml version='1.0'?>", b"{\\rtf1", b"\x89PNG\r\n\x1a\n", b"\x1f\x8b\x08")
TEXT_ENCODINGS = ("utf-8", "utf-8", "utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le",
                  "utf-16-be", "utf-32", "big5", "shift_jis", "latin-1", "cp1252", "mixed-gbk")
SUFFIXES = (".txt", ".txt", ".txt", "", ".TXT", ".htm", ".html", ".md", ".pdf", ".docx", ".doc")
LONG_KINDS = ("digits", "cells", "tabs", "label", "spaces", "runs", "expanding", "nested_parens")
_DIGIT_RUN = re.compile(r"\d+")

index = st.integers(0, 1 << 20)
snippets = st.one_of(
    st.sampled_from(HOSTILE_NUMBERS),
    st.sampled_from(HOSTILE_CHARS),
    st.text(max_size=24),  # any code point but surrogates: controls, unassigned, private use …
    st.lists(st.sampled_from(HOSTILE_CHARS + HOSTILE_NUMBERS), max_size=8).map("".join),
)
line_ops = st.one_of(
    st.tuples(st.just("delete"), index),
    st.tuples(st.just("duplicate"), index),
    st.tuples(st.just("swap"), index, index),
    st.tuples(st.just("insert"), index, index, snippets),
    st.tuples(st.just("replace"), index, snippets),
    st.tuples(st.just("number"), index, st.sampled_from(HOSTILE_NUMBERS)),
    st.tuples(st.just("long"), index, st.sampled_from(LONG_KINDS), st.integers(100, 200_000)),
    st.tuples(st.just("repeat"), index, st.integers(1, 40), st.integers(2, 30)),
    st.tuples(st.just("separator"), index, st.sampled_from(["|", "\t", " ", "", "｜", "\u3000", "||", "\t\t"])),
    st.tuples(st.just("truncate"), index),
)
damage_ops = st.one_of(
    st.tuples(st.just("flip"), index, st.integers(0, 255)),
    st.tuples(st.just("insert"), index, st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("delete"), index, st.integers(1, 64)),
    st.tuples(st.just("truncate"), index),
)
byte_ops = st.one_of(damage_ops, st.tuples(st.just("prefix"), st.sampled_from(BOMS + MAGICS)))
html_ops = st.one_of(
    line_ops,
    st.tuples(st.just("markup"), index, st.sampled_from(MARKUP)),
    st.tuples(st.just("attr"), index, st.sampled_from(ATTRS)),
    st.tuples(st.just("charset"), st.sampled_from(CHARSETS)),
    st.tuples(st.just("nest"), index, st.sampled_from(["table", "div", "td", "tr", "b"]), st.integers(1, 3000)),
)


def _long_line(kind: str, n: int) -> str:
    return {
        "digits": lambda: "9" * n,
        "cells": lambda: "|" + "|".join(["1"] * (n // 2)) + "|",
        "tabs": lambda: "\t".join(["0"] * (n // 2)),
        "label": lambda: ("三、本年度办理结果（一）予以公开" * n)[:n],
        "spaces": lambda: "1 " * (n // 2),
        "runs": lambda: "申请0" * (n // 3),
        "expanding": lambda: "\ufdfa" * (n // 20),  # NFKC makes each one 18 characters
        "nested_parens": lambda: "（" * (n // 2) + "5" + "）" * (n // 2),
    }[kind]()


def _lines(whole: str) -> list[str]:
    return whole.split("\n")


def _tags(whole: str) -> list[str]:
    return re.split(r"(?=<)", whole)


def apply_line_op(parts: list[str], op: tuple, joiner: str = "\n") -> list[str]:
    """One mutation of a document cut into parts: lines of text (joined by a newline), or the
    tags of a page (joined by nothing)."""
    kind, args = op[0], op[1:]
    cut = _lines if joiner else _tags
    n = len(parts)
    if n == 0:
        return [str(args[-1])] if kind in ("insert", "replace") else parts
    i = args[0] % n
    if kind == "delete":
        return parts[:i] + parts[i + 1:]
    if kind == "duplicate":
        return parts[:i + 1] + parts[i:]
    if kind == "swap":
        j = args[1] % n
        parts = list(parts)
        parts[i], parts[j] = parts[j], parts[i]
        return parts
    if kind == "insert":
        pos, text = args[1] % (len(parts[i]) + 1), args[2]
        return parts[:i] + [parts[i][:pos] + text + parts[i][pos:]] + parts[i + 1:]
    if kind == "replace":
        return parts[:i] + [args[1]] + parts[i + 1:]
    if kind == "number":
        whole = joiner.join(parts)
        runs = list(_DIGIT_RUN.finditer(whole))
        if not runs:
            return parts
        m = runs[args[0] % len(runs)]
        return cut(whole[:m.start()] + args[1] + whole[m.end():])
    if kind == "long":
        return parts[:i] + [_long_line(args[1], args[2])] + parts[i:]
    if kind == "repeat":
        block = parts[i:i + args[1]]
        return parts[:i] + block * args[2] + parts[i + len(block):]
    if kind == "separator":
        cells = re.split(r"\s*[|\t]\s*|\s{2,}", parts[i])
        return parts[:i] + [args[1].join(cells)] + parts[i + 1:]
    if kind == "truncate":
        whole = joiner.join(parts)
        return cut(whole[:args[0] % (len(whole) + 1)])
    raise AssertionError(kind)


def apply_byte_op(data: bytes, op: tuple) -> bytes:
    kind, args = op[0], op[1:]
    if kind == "prefix":
        return args[0] + data
    if not data:
        return data
    i = args[0] % len(data)
    if kind == "flip":
        return data[:i] + bytes([args[1]]) + data[i + 1:]
    if kind == "insert":
        return data[:i] + args[1] + data[i:]
    if kind == "delete":
        return data[:i] + data[i + args[1]:]
    if kind == "truncate":
        return data[:i]
    raise AssertionError(kind)


def apply_html_op(page: str, op: tuple) -> str:
    kind, args = op[0], op[1:]
    if kind == "charset":
        declared = re.sub(r"charset=[\w-]+", "charset=" + args[0], page, count=1)
        return declared if declared != page else f"<meta charset='{args[0]}'>" + page
    tags = [m.start() for m in re.finditer(r"<", page)] or [0]
    at = tags[args[0] % len(tags)]
    if kind == "markup":
        return page[:at] + args[1] + page[at:]
    if kind == "attr":
        cells = [m.end() for m in re.finditer(r"<t[dh]\b", page)]
        if not cells:
            return page
        at = cells[args[0] % len(cells)]
        return page[:at] + " " + args[1] + page[at:]
    if kind == "nest":
        tag, depth = args[1], args[2]
        return page[:at] + f"<{tag}>" * depth + "政府信息公开" + f"</{tag}>" * depth + page[at:]
    # the line operations on the page's tags (a page is mostly one long line)
    return "".join(apply_line_op(_tags(page), op, joiner=""))


def encode(text: str, encoding: str) -> bytes:
    """The text in an encoding, the way a wrong export writes it (characters it cannot hold
    replaced); `mixed-gbk`: the second half in GBK, the first in UTF-8."""
    if encoding == "mixed-gbk":
        half = len(text) // 2
        return text[:half].encode("utf-8") + text[half:].encode("gbk", "replace")
    return text.encode(encoding, "replace")


# --- strategies ----------------------------------------------------------------------------------

@st.composite
def reports(draw):
    """A real-looking report as the corpus generator makes one: (report, style, rng)."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    year = draw(st.sampled_from((2019, 2020, 2021, 2022, 2023, 2024)))
    template = "2019" if year == 2019 or (year == 2020 and draw(st.booleans())) else "2021"
    report = series(rng, [year], templates={year: template})[0]
    quirks = set(draw(st.sets(st.sampled_from(QUIRKS), max_size=4)))
    if template == "2019":
        quirks.add("fold_other")
    style = Style(draw(st.sampled_from(SHAPES)), quirks, draw(st.sampled_from(("",) + TITLE_FORMS)), seed)
    return report, style, rng


@st.composite
def bytes_of(draw, text: str, ops_max: int = 3) -> bytes:
    data = encode(text, draw(st.sampled_from(TEXT_ENCODINGS)))
    for op in draw(st.lists(byte_ops, max_size=ops_max)):
        data = apply_byte_op(data, op)
    return data


@st.composite
def text_documents(draw):
    """A plain-text report (cells, tabs or pipes), mutated line by line, then as bytes."""
    report, style, rng = draw(reports())
    lines = render(report, style, rng).split("\n")
    for op in draw(st.lists(line_ops, max_size=6)):
        lines = apply_line_op(lines, op)
    text = "\n".join(lines)
    if draw(st.booleans()):
        return draw(bytes_of(text)), draw(st.sampled_from(SUFFIXES))
    return text.encode("utf-8"), ".txt"


@st.composite
def html_documents(draw):
    """An HTML page in CMS chrome (UTF-8 or GBK), mutated by tags, spans, charsets and bytes."""
    report, style, rng = draw(reports())
    encoding = draw(st.sampled_from(("utf-8", "gbk")))
    page = to_html(report, style, rng, encoding).decode("utf-8" if encoding == "utf-8" else "gb18030")
    for op in draw(st.lists(html_ops, max_size=6)):
        page = apply_html_op(page, op)
    if draw(st.booleans()):
        data = encode(page, encoding)
        for op in draw(st.lists(byte_ops, max_size=3)):
            data = apply_byte_op(data, op)
    else:
        data = draw(bytes_of(page))
    return data, draw(st.sampled_from((".html", ".htm", ".html", ".txt", "")))


@st.composite
def crawled_documents(draw):
    """Crawler text (table cells run together) of a report page, mutated line by line."""
    report, style, rng = draw(reports())
    lines = crawl_text(to_html(report, style, rng), rng).decode("utf-8").split("\n")
    for op in draw(st.lists(line_ops, max_size=5)):
        lines = apply_line_op(lines, op)
    return draw(bytes_of("\n".join(lines), ops_max=2)), ".txt"


@st.composite
def token_soups(draw):
    """The pieces of a real report (labels, numbers, title, prose) in a random order, joined by
    random separators: almost tables, for the aligner and the arithmetic."""
    report, style, rng = draw(reports())
    pieces = [p for p in re.split(r"[\t|\n]+", render(report, style, rng)) if p.strip()]
    picks = draw(st.lists(st.integers(0, len(pieces) - 1), min_size=1, max_size=400))
    seps = draw(st.lists(st.sampled_from(["\t", " | ", "\n", "\n\t", "  ", "", "\n\n"]), min_size=1, max_size=8))
    # keep the title in front so the soup reaches the mapper rather than the agency check
    title = "\n".join(pieces[:2])
    body = "".join(pieces[k] + seps[n % len(seps)] for n, k in enumerate(picks))
    return (title + "\n" + body).encode("utf-8"), ".txt"


@st.composite
def random_documents(draw):
    """Random bytes and random text, behind the magic number of any format, with a report's
    key words or without."""
    head = draw(st.sampled_from(MAGICS + BOMS))
    body = draw(st.one_of(
        st.binary(max_size=4096),
        st.text(max_size=2000).map(lambda t: t.encode("utf-8")),
        st.text(st.sampled_from("政府信息公开工作年度报告局市县一二三四五六七八九十、（）0123456789|\t\n -."),
                max_size=3000).map(lambda t: t.encode("utf-8")),
        st.tuples(st.sampled_from(TEXT_ENCODINGS), st.text(max_size=1000)).map(
            lambda et: encode("某市民政局2022年政府信息公开工作年度报告\n" + et[1], et[0])),
    ))
    return head + body, draw(st.sampled_from(SUFFIXES))


@st.composite
def docx_documents(draw):
    """A real DOCX with bytes flipped, inserted, deleted or cut off."""
    report, style, rng = draw(reports())
    data = to_docx(report, style, rng)
    for op in draw(st.lists(damage_ops, min_size=1, max_size=3)):
        data = apply_byte_op(data, op)
    return data, ".docx"


any_document = st.one_of(text_documents(), html_documents(), crawled_documents(), token_soups(), random_documents())


# --- the property --------------------------------------------------------------------------------

class Hang(Exception):
    """An example ran past its hard limit."""


@contextmanager
def hard_limit(seconds: float):
    """Interrupt a runaway parse (SIGALRM; the regex engine checks for signals too)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def ring(signum, frame):
        raise Hang(f"parse still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


WORST = {"time": (0.0, None), "memory": (0, None)}


def _peak_rss() -> int:
    """The process's peak resident memory in bytes (a high-water mark: an example that needs
    much more memory than any before it raises it; tracemalloc would slow the parser ~3-9x)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _record(data: bytes, suffix: str, seconds: float, peak: int) -> None:
    if seconds > WORST["time"][0]:
        WORST["time"] = (seconds, (len(data), suffix, data[:120]))
    if peak > WORST["memory"][0]:
        WORST["memory"] = (peak, (len(data), suffix, data[:120]))


@pytest.fixture(scope="module", autouse=True)
def worst_case_report():
    yield
    out = os.environ.get("GOVINFO_FUZZ_STATS")
    if out:
        with open(out, "a", encoding="utf-8") as f:
            f.write(f"slowest: {WORST['time'][0]:.3f} s {WORST['time'][1]!r}\n"
                    f"largest growth of peak memory: {WORST['memory'][0] / 1e6:.1f} MB {WORST['memory'][1]!r}\n")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """Where each example's file is written, after one parse of each format read here (the
    first parse imports the readers and loads the templates: not an example's time)."""
    out = tmp_path_factory.mktemp("fuzz")
    rng = random.Random(0)
    report = series(rng, [2022])[0]
    for data, suffix in ((render(report, Style("tabs"), rng).encode("utf-8"), ".txt"),
                         (to_html(report, Style("cells"), rng), ".html"),
                         (to_docx(report, Style("cells"), rng), ".docx")):
        parse_file(write(out, data, suffix))
    return out


def write(workdir: Path, data: bytes, suffix: str) -> Path:
    path = workdir / f"doc{suffix}"
    path.write_bytes(data)
    return path


def check_rejection(exc: RejectedDocument) -> None:
    msg = str(exc)
    assert msg.strip(), "a rejection says why"
    assert len(msg.splitlines()) == 1 and "\n" not in msg and "\r" not in msg, f"not one line: {msg!r}"
    msg.encode("utf-8")  # the CLI prints it (JSON Lines on stdout for several files)


def visible(name: str) -> bool:
    """No control, format (bidi marks, zero-width joiners, soft hyphen), private-use,
    unassigned or space character: an agency name is a key the warehouse groups by."""
    return not any(unicodedata.category(ch)[0] in "CZ" for ch in name)


def check_result(result: dict) -> None:
    cells = result["cells"]
    assert set(field_names()) <= set(cells), "every contract cell is present"
    unknown = set(cells) - set(UNITS)
    assert not unknown, f"cells the spec does not name: {sorted(unknown)[:5]}"
    for name, value in cells.items():
        if value is None:
            continue
        unit = UNITS[name]
        assert isinstance(value, (int, float)) and not isinstance(value, bool), (name, value)
        assert math.isfinite(value), (name, value)
        if unit in ("count", "signed_count"):
            assert value == int(value), (name, value)
            low = -MAX_COUNT if unit == "signed_count" else 0
            assert low <= value <= MAX_COUNT, (name, value)
        else:
            assert 0 <= value <= MAX_AMOUNT, (name, value)
    agency = result["agency"]
    assert isinstance(agency, str) and 2 <= len(agency) <= 60, f"implausible agency {agency!r}"
    assert not SPAM_MARK.search(agency), f"spam in the agency {agency!r} (the raw_documents suite refuses it)"
    assert visible(agency), f"invisible characters in the agency {agency!r}"
    # the year as printed (four digits): a year before 2008 or in the future is the
    # warehouse's finding (year_out_of_range), not a parser error
    year = result["year"]
    assert isinstance(year, int) and not isinstance(year, bool) and 0 <= year <= 9999, f"year {year!r}"
    for v in result["violations"]:
        assert all(isinstance(v[k], (int, float)) and abs(v[k]) < 1e12 for k in ("expected", "actual")), v
    json.dumps(result, ensure_ascii=False, allow_nan=False).encode("utf-8")  # what the CLI prints


def check_parse(workdir: Path, data: bytes, suffix: str, limit: float = HARD_LIMIT_S,
                tolerate: tuple = ()) -> dict | None:
    """The property on one input. `tolerate` (the fuzz): open bugs whose results it skips;
    the fuzz's examples are the ones WORST keeps."""
    path = write(workdir, data, suffix)
    peak_before = _peak_rss()
    start = time.perf_counter()
    try:
        with hard_limit(limit):
            result = parse_file(path)
    except RejectedDocument as exc:
        check_rejection(exc)
        return None
    finally:
        seconds = time.perf_counter() - start
        growth = _peak_rss() - peak_before
        if tolerate:
            _record(data, suffix, seconds, growth)
        assert growth < MAX_PEAK_GROWTH, f"peak memory grew {growth / 1e6:.0f} MB on a {len(data)}-byte input"
    if any(bug.in_result and bug.in_result(result) for bug in tolerate):
        reject()
    check_result(result)
    return result


# --- bugs the fuzz found, open until the parser is fixed ---------------------------------------
#
# Each has its minimal input, tested on its own by `test_open_bug_regression` (xfail strict:
# it fails once the bug is fixed; whoever fixes it then moves the entry to FIXED_BUGS, where its
# input keeps being tested as a plain regression), and a test of the input or of the result by
# which the fuzz skips other examples that hit the same bug (else every run finds it again and
# nothing new).

@dataclass(frozen=True)
class KnownBug:
    name: str
    reason: str
    make: Callable[[], tuple[bytes, str]]  # the minimal input: (bytes, file suffix)
    in_input: Callable[[bytes, str, Document | None], bool] | None = None
    in_result: Callable[[dict], bool] | None = None
    # how long its input may take: far above the fixed parser's time on a loaded CI machine,
    # far below the broken one's
    seconds: float = 5


def _read_quietly(data: bytes, suffix: str) -> Document | None:
    fmt = sniff(data, suffix.lower())
    if fmt not in ("txt", "html"):
        return None
    try:
        return read_bytes(data, fmt)
    except Exception:  # noqa: BLE001 - a reader's own failure is the property's business, not the filter's
        return None


def _placeable_row(data: bytes, suffix: str, doc: Document | None) -> bool:
    """A row printing 4, 5, 10 or 11 values: read as section 四's row, each of the
    C(15, n) placements of its values is a reading (455 to 3,003)."""
    return any(sum(1 for c in row.cells if c.strip() and looks_like_value(c)) in (4, 5, 10, 11)
               for row in (doc.rows if doc else ()))


def _huge_digit_run(data: bytes, suffix: str, doc: Document | None) -> bool:
    return bool(doc and re.search(r"\d{4301}", doc.text))


_TITLE = "嘉兴市民政局\n2022年政府信息公开工作年度报告\n"
_REVIEW_HEAD = "四、政府信息公开行政复议、行政诉讼情况\n行政复议\t行政诉讼\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n"


def _report_with_marked_agency() -> tuple[bytes, str]:
    """A generated tabs report (宝鸡市公安局, 2022) whose one-line title has U+202E after the place."""
    rng = random.Random(7)
    report = series(rng, [2022])[0]
    text = render(report, Style("tabs", title="one_line"), rng)
    return text.replace(report.place, report.place + "\u202e", 1).encode("utf-8"), ".txt"


OPEN_BUGS: tuple[KnownBug, ...] = ()  # none open: the memory kept by the caches is tested below
# hostile inputs that broke the parser and were fixed (commits 61dccde, cee25fe, ff1b238): still tested
FIXED_BUGS = (
    KnownBug(
        "int_digit_limit",
        "values._number calls int() on a cell of more than 4,300 digits: Python's integer string "
        "conversion limit raises ValueError ('Exceeds the limit (4300 digits) for integer string "
        "conversion'), not a flag on the cell (`govinfo parse`: internal parser error, exit 2)",
        lambda: ((_TITLE + "9" * 4301 + "\n").encode("utf-8"), ".txt"),
        in_input=_huge_digit_run),
    KnownBug(
        "review_placements",
        "mapper._row_case: `[r for r in row_readings(...) if r not in found]` tests each reading "
        "against a list: quadratic in a row's readings. A row of 10 values read as section 四's "
        "15 cells has C(15,10) = 3,003 placements: ~1.3 s for one such row (a 230-byte text), "
        "+1 s for each other printing of it (16 printings: 15 s; a mutated 9 KB HTML page: 35-42 s)",
        lambda: ((_TITLE + _REVIEW_HEAD + "3\t0\t0\t7\t1\t0\t0\t0\t0\t8\n" * 16).encode("utf-8"), ".txt"),
        in_input=_placeable_row),
    KnownBug(
        "agency_invisible_chars",
        "meta.agency_and_year keeps format and control characters of the title in the agency name "
        "(U+202E, U+200E/F, U+202A-E, U+2066-9, U+061C, soft hyphen, ZWJ/ZWNJ, U+2060, U+0001, "
        "U+007F, private use): '宝鸡市\\u202e公安局' is another agency than 宝鸡市公安局",
        _report_with_marked_agency,
        in_result=lambda result: not visible(result["agency"])),
    KnownBug(
        "html_control_char",
        "an HTML text node holding a C0 control character (or U+FFFE/U+FFFF) after a cell or block "
        "made lxml raise ValueError 'All strings must be XML compatible' in readers/html.py _text_lines",
        lambda: (b"<html><body><table><tr><td>a</td>\x01x<td>b</td></tr></table></body></html>", ".html")),
    KnownBug(
        "html_noncharacter", "the same with U+FFFF",
        lambda: ("<html><body><p>a</p>\uffff</body></html>".encode("utf-8"), ".html")),
    KnownBug(
        "html_undefined_charset",
        "a declared charset whose codec decodes nothing ('undefined') raised UnicodeError",
        lambda: ("<html><head><meta charset='undefined'></head><body>政府信息公开</body></html>".encode(), ".html")),
    KnownBug(
        "packed_digit_run",
        "packed._split enumerated every split of a digit run into section 四's 15 cells: "
        "exponential (24 digits never finished; now cut at 200,000 ways: ~0.7 s, ~2 s on a busy machine)",
        lambda: ((_TITLE + "9" * 24 + "\n").encode("utf-8"), ".txt"), seconds=20),
    KnownBug(
        "wide_row",
        "readings._dropping sliced the row once per possible lead: quadratic in a row's cells "
        "(40,000 TAB-separated cells: ~11 s; these 80,000: ~45 s)",
        lambda: ((_TITLE + "\t".join(["0"] * 80_000) + "\n").encode("utf-8"), ".txt"), seconds=10),
    KnownBug(
        "wide_html_row", "the same in an HTML row (40,000 cells: ~10 s; these 80,000: ~40 s)",
        lambda: (("<html><body><p>" + _TITLE + "</p><table><tr>" + "<td>0</td>" * 80_000
                  + "</tr></table></body></html>").encode("utf-8"), ".html"), seconds=10),
)


def hits_open_bug(data: bytes, suffix: str) -> bool:
    checks = [bug.in_input for bug in OPEN_BUGS if bug.in_input]
    if not checks:
        return False
    doc = _read_quietly(data, suffix)
    return any(check(data, suffix, doc) for check in checks)


def fuzzable(data: bytes, suffix: str) -> bool:
    """Not a legacy DOC (LibreOffice converts it, seconds a file: the generated corpus tests
    a corrupt one) and no open bug's input."""
    return not data.startswith(b"\xd0\xcf\x11\xe0") and not hits_open_bug(data, suffix)


@pytest.mark.parametrize("bug", [pytest.param(b, id=b.name, marks=pytest.mark.xfail(strict=True, reason=b.reason))
                                 for b in OPEN_BUGS])
def test_open_bug_regression(workdir, bug):
    check_parse(workdir, *bug.make(), limit=bug.seconds)


@pytest.mark.parametrize("bug", [pytest.param(b, id=b.name) for b in FIXED_BUGS])
def test_fixed_bug_regression(workdir, bug):
    check_parse(workdir, *bug.make(), limit=bug.seconds)


# parse documents one after another in a fresh interpreter, each with one long line of its own
# near the top (a page's long paragraph), and print how much resident memory stayed behind
_RETENTION_CHILD = """
import gc, random, sys
from pathlib import Path
from corpus.render import Style, render
from corpus.truth import series
from ingestion.parser.document import RejectedDocument
from ingestion.parser.parse import parse_file

def rss_mb():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024

rng = random.Random(7)
lines = render(series(rng, [2022])[0], Style("tabs"), rng).split("\\n")
path = Path(sys.argv[1])

def parse(k):
    path.write_text("\\n".join(lines[:2] + [f"第{k}段" + "说明" * 100_000] + lines[2:]), encoding="utf-8")
    try:
        parse_file(path)
    except RejectedDocument:
        pass

for k in range(3):
    parse(k)
gc.collect()
before = rss_mb()
for k in range(3, 3 + int(sys.argv[2])):
    parse(k)
gc.collect()
print(rss_mb() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmRSS from /proc")
def test_memory_is_not_retained_across_documents(workdir):
    """A long-running parser (`govinfo parse` over thousands of files, an ingest worker) must not
    keep what it read: 40 documents of ~600 KB leave less than 24 MB behind. (The caches
    bounded entries, not bytes: ~1.6 MB stayed per such document; textnorm.short_cache keeps
    only short text.)"""
    p = subprocess.run([sys.executable, "-c", _RETENTION_CHILD, str(workdir / "retention.txt"), "40"],
                       capture_output=True, text=True, timeout=300, check=False, cwd=ROOT)
    assert p.returncode == 0, p.stderr[-2000:]
    assert float(p.stdout) < 24, f"{float(p.stdout):.0f} MB retained after 40 documents"


# --- the fuzz ------------------------------------------------------------------------------------

def fuzz(workdir: Path, doc: tuple[bytes, str]) -> None:
    assume(fuzzable(*doc))
    check_parse(workdir, *doc, tolerate=OPEN_BUGS)


@fuzz_settings(12)
@given(doc=text_documents())
def test_mutated_text_reports(workdir, doc):
    fuzz(workdir, doc)


@fuzz_settings(6)
@given(doc=html_documents())
def test_mutated_html_pages(workdir, doc):
    fuzz(workdir, doc)


@fuzz_settings(4)
@given(doc=crawled_documents())
def test_mutated_crawler_text(workdir, doc):
    fuzz(workdir, doc)


@fuzz_settings(4)
@given(doc=token_soups())
def test_token_soups(workdir, doc):
    fuzz(workdir, doc)


@fuzz_settings(8)
@given(doc=random_documents())
def test_random_bytes_and_text(workdir, doc):
    fuzz(workdir, doc)


@fuzz_settings(1.5)
@given(doc=docx_documents())
def test_damaged_docx(workdir, doc):
    fuzz(workdir, doc)


def govinfo_command() -> list[str]:
    exe = Path(sys.executable).with_name("govinfo")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "govinfo.cli"]


@fuzz_settings(0.6)
@given(doc=any_document)
def test_cli_on_hostile_files(workdir, doc):
    """The real command: exit 0 with one JSON object in range, or 2 with one line on stderr;
    never a traceback, never the CLI's guard against parser bugs."""
    assume(fuzzable(*doc))
    path = write(workdir, *doc)
    p = subprocess.run([*govinfo_command(), "parse", str(path)], capture_output=True,
                       timeout=HARD_LIMIT_S * 2, check=False)
    stderr = p.stderr.decode("utf-8", "replace")
    assert p.returncode in (0, 2), (p.returncode, stderr[-2000:])
    assert "Traceback" not in stderr, stderr[-2000:]
    assert "internal parser error" not in stderr, stderr
    if p.returncode == 0:
        lines = p.stdout.decode("utf-8").splitlines()
        assert len(lines) == 1
        result = json.loads(lines[0])
        if any(bug.in_result and bug.in_result(result) for bug in OPEN_BUGS):
            reject()
        check_result(result)
    else:
        assert p.stdout == b""
        assert len(stderr.strip().splitlines()) == 1, stderr
