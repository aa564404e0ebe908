"""Decode a row whose value cells ran together into one digit string (crawler text).

A crawler that flattens an HTML table without separators turns 26 | 48 | 0 … into
`2648 0…`: only the arithmetic can tell the cells apart. A row of table 三 is split into
its columns so that the applicant columns sum to 总计; section 四 into three groups of
five whose parts sum to their 总计. Every split that fits is returned: the mapper keeps a
row whose split is unique, lets the column rules choose among the rest, and marks the
cells uncertain when more than one decoding fits. A part never has a leading zero (0 is a
part of its own) and never more digits than a plausible count.
"""
from __future__ import annotations

import re
from typing import Iterator

MAX_PART_DIGITS = 8  # 10,000,000 at most (values.MAX_COUNT)
MAX_DECODINGS = 5000  # more fitting splits than this: the row cannot be decoded
_COUNT = re.compile(r"^(0|[1-9]\d{0,7})$")
_AMOUNT = re.compile(r"^(0|[1-9]\d{0,7})(\.\d{1,4})?$")


class TooMany(Exception):
    """More decodings fit than MAX_DECODINGS."""


def _parts(s: str, k: int, ok) -> Iterator[tuple[str, ...]]:
    """Every split of s into k parts that each pass `ok`."""
    if k == 1:
        if ok(s):
            yield (s,)
        return
    for cut in range(1, min(len(s) - k + 1, MAX_PART_DIGITS + 5) + 1):
        head = s[:cut]
        if not ok(head):
            if head[0] == "0" or len(head) > MAX_PART_DIGITS + 5:
                break  # a longer head with a leading zero or too many digits never fits
            continue
        for rest in _parts(s[cut:], k - 1, ok):
            yield (head,) + rest


def _num(part: str) -> float:
    return float(part)


def _checked(gen, limit: int = MAX_DECODINGS) -> list[tuple[str, ...]]:
    out = []
    for item in gen:
        out.append(item)
        if len(out) > limit:
            raise TooMany()
    return out


def plain(s: str, k: int, amounts: bool = False) -> list[tuple[str, ...]]:
    """Every split of s into k values (no arithmetic known between them)."""
    ok = (_AMOUNT if amounts else _COUNT).match
    return _checked(_parts(s, k, ok))


def with_total(s: str, k: int) -> list[tuple[str, ...]]:
    """Splits into k counts where the last is the sum of the others (row 总计)."""
    def gen():
        for parts in _parts(s, k, _COUNT.match):
            if sum(map(int, parts[:-1])) == int(parts[-1]):
                yield parts
    return _checked(gen())


def grouped(s: str, sizes: tuple[int, ...]) -> list[tuple[str, ...]]:
    """Splits into groups of the given sizes, each group's last part the sum of the rest."""
    if not sizes:
        return [()] if s == "" else []
    size, rest = sizes[0], sizes[1:]
    out: list[tuple[str, ...]] = []
    for cut in range(size, min(len(s), size * MAX_PART_DIGITS) + 1):
        heads = with_total(s[:cut], size)
        if not heads:
            continue
        tails = grouped(s[cut:], rest)
        out.extend(h + t for h in heads for t in tails)
        if len(out) > MAX_DECODINGS:
            raise TooMany()
    return out
