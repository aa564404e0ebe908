"""Decode value cells that ran together into digit strings (crawler and export text).

A crawler that flattens an HTML table without separators turns 26 | 48 | 0 … into
`2648 0…`: only the arithmetic can tell the cells apart. The printed tokens are split into
the row's columns, each token into one or more consecutive cells (a space between tokens
is a cell boundary), every part a plausible value of its column: no leading zero (0 is a
part of its own), no more digits than a count can have, a sign only where the column
takes one (本年增/减). Rows of table 三 keep only the splits whose applicant columns sum
to 总计; section 四 those whose three groups of five sum to their 总计. Every split that
fits is returned: the mapper keeps a row whose split is unique, lets the column rules
choose among the rest, and marks the cells uncertain when more than one decoding fits.
"""
from __future__ import annotations

import re
from typing import Iterator, Sequence

MAX_PART_DIGITS = 8  # 10,000,000 at most (values.MAX_COUNT)
MAX_DECODINGS = 5000  # more fitting splits than this: the row cannot be decoded
MAX_STEPS = 200_000  # cuts tried for one row before it is called undecodable (about 0.2 s)
_PART = {
    "count": re.compile(r"^(0|[1-9]\d{0,7})$"),
    "signed_count": re.compile(r"^[+\-]?(0|[1-9]\d{0,7})$"),
    "amount": re.compile(r"^(0|[1-9]\d{0,7})(\.\d{1,4})?$"),
    "money": re.compile(r"^(0|[1-9]\d{0,9})(\.\d{1,4})?(元|万元)?$"),
}
DIGITS = re.compile(r"^[+\-]?\d[\d.]*(?:[+\-]\d[\d.]*)*(元|万元)?$")


class TooMany(Exception):
    """More decodings fit than MAX_DECODINGS."""


def could_be_packed(tokens: Sequence[str], columns: int) -> bool:
    """Digit strings that hold more characters than cells they fill: cells ran together."""
    return bool(packed_widths(tokens, (columns,)))


def packed_widths(tokens: Sequence[str], widths: Sequence[int]) -> tuple[int, ...]:
    """The row widths (of `widths`) the tokens could be cells run together for: more cells
    than tokens, and at least as many digits as cells."""
    tokens = [t for t in tokens if t.strip()]
    if not tokens or not all(DIGITS.match(t) for t in tokens):
        return ()
    chars = sum(len(t) for t in tokens)
    return tuple(k for k in widths if k > 1 and len(tokens) < k <= chars)


def _split(tokens: list[str], kinds: list[str]) -> Iterator[tuple[str, ...]]:
    """Every way to cut the tokens into len(kinds) parts, in order, each token into at least
    one part and every part valid for its column's kind. The walk is bounded (MAX_STEPS):
    a long digit string has more cuts than any report's row needs to be read."""
    left = [sum(len(x) for x in tokens[t:]) for t in range(len(tokens))] + [0]
    steps = [0]

    def walk(t: int, start: int, k: int) -> Iterator[tuple[str, ...]]:
        steps[0] += 1
        if steps[0] > MAX_STEPS:
            raise TooMany()
        if t == len(tokens):
            if k == len(kinds):
                yield ()
            return
        token = tokens[t]
        if k == len(kinds) or len(tokens) - t > len(kinds) - k:
            return  # no column left, or more tokens left than columns
        chars = left[t] - start
        if chars < len(kinds) - k or chars > (len(kinds) - k) * (MAX_PART_DIGITS + 6):
            return  # too few characters for the columns left, or too many for them to hold
        for end in range(start + 1, min(len(token), start + MAX_PART_DIGITS + 3) + 1):
            part = token[start:end]
            if not _PART[kinds[k]].match(part):
                if part.lstrip("+-").startswith("0") and len(part.lstrip("+-")) > 1:
                    break  # a longer part keeps its leading zero
                continue
            nxt = (t + 1, 0) if end == len(token) else (t, end)
            for rest in walk(*nxt, k + 1):
                yield (part,) + rest
    yield from walk(0, 0, 0)


def _collect(gen) -> list[tuple[str, ...]]:
    out = []
    for item in gen:
        out.append(item)
        if len(out) > MAX_DECODINGS:
            raise TooMany()
    return out


def _num(part: str) -> float:
    return float(part.replace("万元", "").replace("元", ""))


def plain(tokens: list[str], kinds: list[str]) -> list[tuple[str, ...]]:
    """Every split (no arithmetic known between the columns)."""
    return _collect(_split(tokens, kinds))


def with_total(tokens: list[str], kinds: list[str]) -> list[tuple[str, ...]]:
    """Splits whose last part is the sum of the others (a row's 总计)."""
    return _collect(p for p in _split(tokens, kinds) if abs(sum(map(_num, p[:-1])) - _num(p[-1])) < 1e-9)


def grouped(tokens: list[str], kinds: list[str], size: int) -> list[tuple[str, ...]]:
    """Splits in groups of `size` parts, each group's last part the sum of the rest."""
    def ok(p: tuple[str, ...]) -> bool:
        return all(abs(sum(map(_num, p[i:i + size - 1])) - _num(p[i + size - 1])) < 1e-9
                   for i in range(0, len(p), size))
    return _collect(p for p in _split(tokens, kinds) if ok(p))
