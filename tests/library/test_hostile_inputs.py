"""Hostile inputs must cost bounded memory and time and end in one line (issue 11, the
parser's side): zip bombs whose headers lie about their size, archives with a huge central
directory, a file that holds many reports, texts far larger than any report, and
documents that would print thousands of warnings."""
import bz2
import io
import json
import os
import random
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from corpus.render import Style, render
from corpus.truth import series
from ingestion.parser.document import RejectedDocument
from ingestion.parser.parse import MAX_WARNINGS, parse_file
from ingestion.parser.readers.bounds import MAX_ROWS
from ingestion.parser.readers.docx import MAX_PARTS

ROOT = Path(__file__).resolve().parents[2]
MB = 1 << 20

# parse one file in a fresh interpreter and report its own peak RSS (VmHWM: ru_maxrss would
# count the parent's memory at the fork), after imports and at the end; stop it at 3 GB (the
# code before the fix took gigabytes)
_CHILD = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
from ingestion.parser.parse import parse_file

def peak_mb():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024

base = peak_mb()
start = time.perf_counter()
try:
    parse_file(sys.argv[1])
    error = None
except Exception as exc:
    error = f"{type(exc).__name__}: {exc}"
print(json.dumps({"error": error, "seconds": time.perf_counter() - start, "base_mb": base, "peak_mb": peak_mb()}))
"""


def _parse_in_child(path: Path, timeout: float = 120) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    try:
        out = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, cwd=ROOT,
                             env=env, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"parsing {path.name} took over {timeout} s")
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _rejected(result: dict) -> str:
    assert result["error"] and result["error"].startswith("RejectedDocument: "), result
    reason = result["error"].removeprefix("RejectedDocument: ")
    assert reason and "\n" not in reason
    return reason


# --- zip bombs whose headers lie -------------------------------------------------------

def _docx_parts() -> dict[str, bytes]:
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    with zipfile.ZipFile(buf) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip written by hand: (name, compressed bytes, method, crc, declared size) per
    member; the declared size goes into the local header and the central directory alike."""
    body, central = b"", b""
    for name, raw, method, crc, size in members:
        n = name.encode()
        offset = len(body)
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 46, 0, method, 0, 0, crc, len(raw), size, len(n), 0) + n + raw
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 46, 46, 0, method, 0, 0, crc, len(raw), size,
                               len(n), 0, 0, 0, 0, 0, offset) + n
    return body + central + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central),
                                        len(body), 0)


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


def _lying_docx(method: int, inflated: int) -> bytes:
    """A python-docx document whose word/document.xml inflates to `inflated` bytes (a valid
    XML document padded with spaces) while both its headers say 4,096."""
    deflate = method == zipfile.ZIP_DEFLATED
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS) if deflate else bz2.BZ2Compressor(9)
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
    pad = b" " * MB
    raw = c.compress(head) + b"".join(c.compress(pad) for _ in range(inflated // MB))
    raw += c.compress(b"</w:body></w:document>") + c.flush()
    members = [(name, _deflate(data), zipfile.ZIP_DEFLATED, zlib.crc32(data), len(data))
               for name, data in _docx_parts().items() if name != "word/document.xml"]
    return _zip(members + [("word/document.xml", raw, method, 0, 4096)])


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2], ids=["deflate", "bzip2"])
def test_zip_bomb_whose_headers_lie_is_refused_in_bounded_memory(tmp_path, method):
    path = tmp_path / "bomb.docx"
    path.write_bytes(_lying_docx(method, 300 * MB))
    assert path.stat().st_size < MB
    result = _parse_in_child(path)
    reason = _rejected(result)
    # before: the part was inflated whole (deflate 643 MB peak, bzip2 ~2 GB for 1 GB of spaces)
    assert result["peak_mb"] - result["base_mb"] < 100, result
    assert "word/document.xml" in reason
    if method == zipfile.ZIP_DEFLATED:
        assert reason.startswith("zip bomb: word/document.xml inflates"), reason


def test_zip_with_a_huge_central_directory_is_refused_before_it_is_read(tmp_path):
    n = 1_300_000  # fits in 64 MB; zipfile builds an object per entry (600 MB and 11 s)
    entry = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0) + b"a"
    central = entry * n
    path = tmp_path / "parts.docx"
    path.write_bytes(b"PK\x03\x04" + central + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF,
                                                             len(central), 4, 0))
    start = time.perf_counter()
    with pytest.raises(RejectedDocument) as exc:
        parse_file(path)
    assert time.perf_counter() - start < 2
    assert f"more than {MAX_PARTS} parts" in str(exc.value)


def test_an_honest_small_docx_still_reads():
    """The check inflates every part itself: a normal DOCX passes it."""
    from ingestion.parser.readers.docx import check_zip

    members = [(name, _deflate(data), zipfile.ZIP_DEFLATED, zlib.crc32(data), len(data))
               for name, data in _docx_parts().items()]
    check_zip(_zip(members))


# --- texts larger than any report -----------------------------------------------------

def _reports(n: int, seed: int = 0) -> list[str]:
    """n reports of different agencies, years, formats, shapes and title forms (each
    received requests: two tables of zeros print the same numbers, and read as one)."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        year = rng.choice([2019, 2021, 2022, 2023])
        report = series(random.Random(seed * 1000 + k), [year], sizes={year: rng.choice([5, 50, 400])},
                        templates={year: "2019" if year == 2019 else "2021"})[0]
        style = Style(rng.choice(["tabs", "cells", "pipes"]), seed=k,
                      title=rng.choice(["name_then_year", "one_line", "year_first", "guanyu", "cms"]))
        out.append(render(report, style, random.Random(k)))
    return out


def _lines(seed: int) -> tuple:
    report = series(random.Random(seed), [2023], sizes={2023: 50}, templates={2023: "2021"})[0]
    return report, render(report, Style("tabs", seed=seed), random.Random(seed)).split("\n")


def _index(lines: list[str], start: str) -> int:
    return next(i for i, line in enumerate(lines) if start in line)


@pytest.mark.parametrize("fmt", ["txt", "html"])
def test_a_64_mb_text_is_rejected_quickly(tmp_path, fmt):
    one = "\n".join(_reports(40))
    text = one * (64_000_000 // len(one.encode()))
    if fmt == "html":
        text = "<html><head><meta charset='utf-8'></head><body><pre>" + text + "</pre></body></html>"
    path = tmp_path / f"huge.{fmt}"
    path.write_text(text, encoding="utf-8")
    assert 60_000_000 < path.stat().st_size < 64 * MB
    result = _parse_in_child(path, timeout=60)
    reason = _rejected(result)
    assert result["seconds"] < 3, result  # measured 0.3 s (before: minutes, gigabytes)
    assert result["peak_mb"] - result["base_mb"] < 400, result
    assert "too long" in reason and "split it into one file per report" in reason, reason


def test_a_report_with_more_rows_than_any_report_is_refused_quickly(tmp_path):
    _, lines = _lines(0)
    at = _index(lines, "三、收到和处理")
    junk = [f"补充事项第{k}号\t{k % 7}\t{k % 5}" for k in range(MAX_ROWS + 2000)]
    path = tmp_path / "r.txt"
    path.write_text("\n".join(lines[:at] + junk + lines[at:]), encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(RejectedDocument) as exc:
        parse_file(path)
    assert time.perf_counter() - start < 2  # before: read whole (~0.8 ms a row: 10 s)
    assert str(exc.value).startswith("too many table rows")


# --- a file that holds many reports ------------------------------------------------------

def test_a_text_of_many_reports_is_rejected_as_such(tmp_path):
    for n in (50, 2):
        path = tmp_path / f"many{n}.txt"
        path.write_text("\n".join(_reports(n, seed=n)), encoding="utf-8")
        with pytest.raises(RejectedDocument) as exc:
            parse_file(path)
        reason = str(exc.value)
        assert reason.startswith(f"holds {n} reports") and "split it into one file per report" in reason, reason
        assert "\n" not in reason


def test_a_report_with_last_years_tables_appended_is_still_one_report(tmp_path):
    """A short table appended after section 四 (a few rows of last year's 三), or last
    year's whole table 三 appended without its section 二: one report, read."""
    report, lines = _lines(3)
    _, other = _lines(1003)
    start, end = _index(other, "三、收到和处理"), _index(other, "四、政府信息公开行政")
    for appended in (other[start:start + 6], ["附：上年度情况对比", *other[start:end]]):
        text = lines[:-1] + appended + [lines[-1]]
        path = tmp_path / "r.txt"
        path.write_text("\n".join(text), encoding="utf-8")
        result = parse_file(path)
        assert result["agency"] == report.agency and result["year"] == 2023
        assert result["cells"]["applications.new_received.total"] in (report.cells["applications.new_received.total"],
                                                                      None)


def test_a_report_printed_twice_is_one_report(tmp_path):
    """A page that repeats its content prints every table twice with the same numbers."""
    report, lines = _lines(8)
    path = tmp_path / "r.txt"
    path.write_text("\n".join(lines + lines), encoding="utf-8")
    result = parse_file(path)
    assert result["agency"] == report.agency
    assert result["cells"]["applications.granted.total"] == report.cells["applications.granted.total"]


def test_generated_reports_of_every_shape_are_one_report_each(tmp_path):
    """Reports in the 2019 and the 2021 format, in every text shape and title form: each
    parses as one report (the structure check never fires on a single report)."""
    for k, text in enumerate(_reports(12, seed=5)):
        path = tmp_path / f"r{k}.txt"
        path.write_text(text, encoding="utf-8")
        assert parse_file(path)["agency"]


# --- warnings ------------------------------------------------------------------------------

def test_warnings_are_capped_with_one_summary_line(tmp_path):
    report, lines = _lines(0)
    at = _index(lines, "三、收到和处理")
    junk = [f"补充事项第{k}号\t{k % 7}\t{k % 5}\t{k % 3}" for k in range(3000)]
    path = tmp_path / "r.txt"
    path.write_text("\n".join(lines[:at] + junk + lines[at:]), encoding="utf-8")
    result = parse_file(path)
    warnings = result["warnings"]
    assert isinstance(warnings, list) and all(isinstance(w, str) for w in warnings)
    assert len(warnings) == MAX_WARNINGS + 1
    assert warnings[-1].startswith("… and ") and warnings[-1].endswith("more warnings of the same kinds")
    assert int(warnings[-1].split()[2]) >= 3000 - MAX_WARNINGS
    assert result["cells"]["applications.new_received.total"] == report.cells["applications.new_received.total"]


# --- HTML the fuzz found -------------------------------------------------------------------

@pytest.mark.parametrize("page", [
    b"<html><head><meta charset='undefined'></head><body><p>x</p></body></html>",  # a codec that decodes nothing
    "<html><body><table><tr><td>政府信息公开</td>\x1f</tr></table></body></html>".encode(),  # a control character
], ids=["undefined_charset", "control_character"])
def test_html_that_broke_the_reader_is_refused_in_one_line(tmp_path, page):
    path = tmp_path / "p.html"
    path.write_bytes(page)
    with pytest.raises(RejectedDocument) as exc:
        parse_file(path)
    assert str(exc.value) and "\n" not in str(exc.value)
