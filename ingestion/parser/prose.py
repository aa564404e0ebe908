"""The numbers a report states in its text (受理申请17件), each with the cells it speaks of.

Sections 一 (总体情况), 五 and 六 are read sentence by sentence with the phrase table of
templates/prose.toml. A statement is kept for comparison only when it is plainly about the
report's own table: a rounded number, a part (其中), another year, a wider scope (全市), a
change (增加5件), a wording that does not say which number it means, or two readings of one
number are listed as skipped with the reason, never matched by force. The comparison itself
is the rule `prose_vs_table` (rules.prose_checks here, marts.rec_within_report in SQL).
"""
from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from .rules import holds, total
from .textnorm import nfkc

PHRASES = Path(__file__).parent / "templates" / "prose.toml"
PROSE_RULE = "prose_vs_table"  # the rule name in marts.rec_within_report
GAP = r"[^,;:。]{0,12}?"  # inside one clause
WIDE_GAP = r"[^,;:。]{0,30}?"  # a zero phrase's object may be long (未受理以…为被申请人的…申请)
UNIT = r"(?P<u>件|个|条|项|宗|起|次|笔|万元|元)"
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERALS = "一二三四五六七"
READ = ("一", "五", "六")  # the sections whose statements are read
_SECTION = re.compile(r"(?:^|(?<=[\s。]))([一二三四五六七])\s*[、.．]", re.M)  # a numbered section heading
_SENTENCE_END = re.compile(r"[。;!?]")
_YEAR = re.compile(r"(\d{4})年")


@dataclass(frozen=True)
class Statement:
    key: str  # the phrase table's statement key
    value: float | None  # None when skipped before a number could be read
    unit: str
    sentence: str  # the sentence, spaces removed
    section: str  # 一, 五 or 六
    line: int  # 1-based line of the document text where the sentence starts
    page: int | None
    cells: tuple[str, ...]  # the table cells whose sum the statement speaks of
    skipped: str | None = None  # why it is not compared (None: compared)

    def as_dict(self) -> dict:
        return {"key": self.key, "value": self.value, "unit": self.unit, "sentence": self.sentence,
                "section": self.section, "line": self.line, "page": self.page, "cells": list(self.cells),
                "skipped": self.skipped}


@dataclass(frozen=True)
class Phrase:
    key: str | None  # None: an unclear wording
    pattern: re.Pattern
    zero: bool
    cells: tuple[str, ...]
    reason: str = ""
    part: bool = False  # the statement is itself a part (其中予以公开): 其中 does not make it unclear


@lru_cache(maxsize=1)
def table() -> dict:
    return tomllib.loads(PHRASES.read_text(encoding="utf-8"))


def _number_pattern(t: dict) -> str:
    before = "|".join(map(re.escape, t["approximate_before"]))
    after = "|".join(re.escape(w) for w in t["approximate_after"] if len(w) == 1)
    return (rf"(?P<pre>{before})?(?P<n>[0-9]+(?:\.[0-9]+)?万?|[零〇一二两三四五六七八九十百千万]+)"
            rf"(?P<post>{after})?")


@lru_cache(maxsize=1)
def phrases() -> tuple[Phrase, ...]:
    """Every phrase of the table compiled; a number phrase without {N} and {U} raises: it
    could never give a number and its unit."""
    t = table()
    number = _number_pattern(t)

    def compile_(p: str, zero: bool) -> re.Pattern:
        if not zero and not ("{N}" in p and "{U}" in p):
            raise ValueError(f"prose phrase without {{N}} and {{U}}: {p!r}")
        return re.compile(p.replace("{N}", number).replace("{U}", UNIT).replace("{G}", GAP)
                          .replace("{W}", WIDE_GAP))

    out = []
    for s in t["statements"]:
        cells = tuple(s["cells"])
        part = s.get("part", False)
        out += [Phrase(s["key"], compile_(p, False), False, cells, part=part) for p in s["phrases"]]
        out += [Phrase(s["key"], compile_(p, True), True, cells, part=part) for p in s.get("zero", [])]
    for u in t.get("unclear", []):
        out += [Phrase(None, compile_(p, False), False, (), u["reason"]) for p in u["phrases"]]
    return tuple(out)


def cn_number(text: str) -> float | None:
    """二十一 → 21, 一百零五 → 105, 1.2万 → 12000, 三万 → 30000; None when it is not a number."""
    if text.endswith("万"):
        base = cn_number(text[:-1]) if text[:-1] else None
        return None if base is None else base * 10000
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", text):
        return float(text)
    total, digit = 0, None
    for ch in text:
        if ch in "零〇" and total:  # 一百零五: the zero holds a place
            continue
        if ch in CN_DIGITS:
            if digit is not None:  # 二三 is not a number here
                return None
            digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            total += (1 if digit is None else digit) * CN_UNITS[ch]
            digit = None
        else:
            return None
    return float(total + (digit or 0))


def _sections(text: str) -> list[tuple[str, int, str]]:
    """(section numeral, first line, text) of sections 一, 五 and 六. A heading (一、) is
    taken at a line start or after a space or 。 (crawled pages flatten the report onto one
    line), and only when its numeral follows the last heading's: the rows of table 三
    (一、本年新收…, 四、结转下年度…) never restart section 一."""
    heads, last = [], 0
    for m in _SECTION.finditer(text):
        n = NUMERALS.index(m.group(1)) + 1
        if n > last:
            heads.append((m.group(1), m.start(1)))
            last = n
    out = []
    for i, (numeral, start) in enumerate(heads):
        if numeral in READ:
            end = heads[i + 1][1] if i + 1 < len(heads) else len(text)
            out.append((numeral, text.count("\n", 0, start) + 1, text[start:end]))
    return out


def _sentences(section: str, first_line: int) -> list[tuple[int, str]]:
    """(line, sentence) with spaces and line breaks removed: a PDF's text breaks sentences."""
    out, buf, line, start = [], [], first_line, first_line
    for ch in nfkc(section):
        if ch == "\n":
            line += 1
            continue
        if ch.isspace() or ch == "\f":
            continue
        if not buf:
            start = line
        buf.append(ch)
        if _SENTENCE_END.match(ch):
            out.append((start, "".join(buf)))
            buf = []
    if buf:
        out.append((start, "".join(buf)))
    return out


def _clause(sentence: str, start: int, end: int) -> str:
    """The clause around a match: from the last , ; : before it to the end of the sentence part."""
    left = max(sentence.rfind(c, 0, start) for c in ",;:") + 1
    return sentence[left:end]


def _quoted(sentence: str, at: int) -> bool:
    """Whether position `at` of the sentence stands inside a quotation."""
    for pair in table()["quotes"]:
        open_, close = pair[0], pair[-1]
        if open_ == close:
            if sentence[:at].count(open_) % 2:
                return True
        elif sentence.rfind(open_, 0, at) > sentence.rfind(close, 0, at):
            return True
    return False


@lru_cache(maxsize=1)
def _set_phrases() -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p) for p in table()["set_phrases"])


def _set_phrase(sentence: str, m: re.Match) -> bool:
    return _quoted(sentence, m.start()) or any(
        p.start() <= m.start() < p.end() or p.start() < m.end() <= p.end()
        for pat in _set_phrases() for p in pat.finditer(sentence))


def own_scope(kind: str | None, level: str | None, division_name: str | None) -> frozenset[str]:
    """The scope words (全市…) that are a report's own: those of its division when its agency
    speaks for the whole division (the people's government, a zone's managing committee)."""
    t = table()["own_scope"]
    if not kind or not any(kind.endswith(k) for k in t["kinds"]):
        return frozenset()
    words = set(t["by_level"].get(level or "", ()))
    if division_name and level not in ("省级", "市级"):
        words |= set(t["by_suffix"].get(division_name[-1], ()))
    return frozenset(words)


def _doubt(sentence: str, m: re.Match, year: int | None, ph: Phrase, scope: frozenset[str]) -> str | None:
    """Why a matched number is not plainly a count of this report's table, or None."""
    t = table()
    clause = _clause(sentence, m.start(), m.end())
    if not ph.zero and _set_phrase(sentence, m):
        return "a slogan or set phrase, not a statement"
    if not ph.zero and (m.group("pre") or m.group("post") or re.match(r"左右|以上", sentence[m.end():])):
        return "a rounded number"
    before = sentence[:max(m.end() - len(clause) - 1, 0)]  # the sentence before this clause
    previous = before[max(before.rfind(c) for c in ",;:") + 1:]
    if not ph.part and (any(w in clause for w in t["part_of"]) or previous in t["part_of"]):
        return "a part of a larger number (其中)"
    if any(w in clause for w in t["not_a_count"]):
        return "a change or a share, not a count"
    if any(w in sentence for w in t["wider_scope"] if w not in scope):
        return "may speak of a wider scope than the report's own (全市, 各部门…)"
    years = [int(y) for y in _YEAR.findall(sentence[:m.end()])]
    if year is not None and years and years[-1] != year:
        return f"about {years[-1]}, not the report year {year}"
    if "上年" in clause and "结转" not in clause:
        return "about the year before"
    return None


def statements(text: str, year: int | None, printed: set[str], page_starts: list[int] | None = None,
               scope: frozenset[str] = frozenset()) -> list[Statement]:
    """Every numeric statement of sections 一, 五 and 六: compared (skipped None) or skipped
    with the reason. `printed` holds the cells the report's format prints; a statement about
    cells it does not print is skipped; `scope` the words of the report's own scope
    (`own_scope`). A statement repeated (一 and 六) is kept once."""
    out: list[Statement] = []
    pages = _page_of_line(text, page_starts)
    for section, first, body in _sections(text):
        for line, sentence in _sentences(body, first):
            out.extend(_read(sentence, section, line, pages(line), year, printed, scope))
    return _once(out)


def _read(sentence: str, section: str, line: int, page: int | None, year: int | None,
          printed: set[str], scope: frozenset[str] = frozenset()) -> list[Statement]:
    """The statements of one sentence: one per number (its span), skipped when unclear."""
    found: dict[tuple[int, int], list[tuple[Phrase, re.Match]]] = {}
    for ph in phrases():
        for m in ph.pattern.finditer(sentence):
            span = m.span("n") if not ph.zero else (m.start(), m.end())
            found.setdefault(span, []).append((ph, m))
    out = []
    for hits in found.values():
        ph, m = hits[0]
        keys = {h.key for h, _ in hits}
        value = 0.0 if ph.zero else cn_number(m.group("n"))
        unit = "" if ph.zero else m.group("u")
        why = None
        if None in keys:
            why = next(h.reason for h, _ in hits if h.key is None)
            keys.discard(None)
        elif len(keys) > 1:
            why = "one number, two readings: " + ", ".join(sorted(keys))
        if not keys:
            keys = {"unclear"}
        key = min(keys)
        cells = next((h.cells for h, _ in hits if h.key == key), ())
        why = why or _doubt(sentence, m, year, ph, scope)
        if why is None and value is None:
            why = f"not a number: {m.group('n')}"
        if why is None and not cells:
            why = "the tables print no such number"
        if why is None and not set(cells) <= printed:
            why = "this report's format prints no such cell"
        out.append(Statement(key, value, unit, sentence, section, line, page, cells, why))
    return out


def _once(found: list[Statement]) -> list[Statement]:
    """One statement per (key, value, reason): the same number said twice (一 and 六, or a
    zero phrase and 0件 in one clause) is one statement, at its first place. A text that
    states two different numbers for one key says neither plainly: both are skipped."""
    seen, out = set(), []
    for s in found:
        if (s.key, s.value, s.skipped) not in seen:
            seen.add((s.key, s.value, s.skipped))
            out.append(s)
    values: dict[str, set] = {}
    for s in out:
        if s.skipped is None:
            values.setdefault(s.key, set()).add(s.value)
    twice = {k for k, v in values.items() if len(v) > 1}
    return [replace(s, skipped="the text states two numbers for this: " + ", ".join(
        f"{v:g}" for v in sorted(values[s.key]))) if s.skipped is None and s.key in twice else s for s in out]


def _page_of_line(text: str, page_starts: list[int] | None):
    """line → page: from the reader's page starts (PDF), else by form feeds (pdftotext prints
    one per page); None when the document has no pages."""
    if page_starts:
        return lambda line: bisect_right(page_starts, line) or None
    if "\f" not in text:
        return lambda line: None
    starts, page = [], 1
    for line in text.split("\n"):
        starts.append(page)
        page += line.count("\f")
    return lambda line: starts[line - 1] if 0 < line <= len(starts) else None


def compared(found: list[Statement], cells: dict[str, float | int | None]) -> list[dict]:
    """The compared statements with the table's value (blank counting 0, as in every rule)
    and whether they agree: what `govinfo parse` prints; the warehouse's own evaluation of
    the same statements is marts.rec_within_report."""
    out = []
    for s in found:
        if s.skipped is None:
            table_value = total(s.cells, cells)
            out.append(s.as_dict() | {"table": table_value, "agrees": holds(table_value, s.value)})
    return out
