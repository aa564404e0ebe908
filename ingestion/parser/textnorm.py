"""Text normalisation shared by every reader and matcher.

Labels are compared after NFKC (full-width digits and brackets, Kangxi radicals), with all
white space (U+3000 included), Word bookmark artefacts and punctuation removed.
"""
from __future__ import annotations

import functools
import re
import unicodedata

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_SPACE = re.compile(r"\s+")
_LABEL_DROP = re.compile(r"[\s\(\)（）\[\]【】、,，.．:：;；\"“”'‘’\-—_#*|>]")
_NUMBER = re.compile(r"^[+]?\d+(?:\.\d+)?$")
# Placeholders agencies print for "nothing": read as blank, with a warning.
BLANK_MARKS = frozenset({"-", "--", "—", "——", "/", "\\", "无", "空", "－", "–"})


def _size(args: tuple) -> int:
    """Characters of text in the arguments (strings, and strings in tuples): plain loops,
    because a cold process measures on nearly every call (no generator per call)."""
    n = 0
    for a in args:
        kind = a.__class__
        if kind is str:
            n += len(a)
        elif kind is tuple:
            for x in a:
                if x.__class__ is str:
                    n += len(x)
    return n


def short_cache(maxsize: int, longest: int = 500):
    """A memo for calls on short text (labels, cells, lines of a table): those recur in
    every report. A long text (a whole document, a page-long line) is computed and not kept:
    the memo bounds entries, not bytes, and a few long entries would keep megabytes for the
    life of a `govinfo parse` over thousands of files or an ingest worker. A hit is one dict
    lookup (the arguments are measured only on a miss); when full, the oldest entry goes."""
    def wrap(fn):
        memo: dict = {}
        missing = object()

        @functools.wraps(fn)
        def call(*args):
            got = memo.get(args, missing)
            if got is not missing:
                return got
            got = fn(*args)
            if _size(args) <= longest:
                if len(memo) >= maxsize:
                    del memo[next(iter(memo))]
                memo[args] = got
            return got
        call.cache_clear = memo.clear
        return call
    return wrap


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def strip_artefacts(text: str) -> str:
    """Remove Word bookmark markers and zero-width characters."""
    text = _BOOKMARK.sub("", text)
    return text.replace("\u200b", "").replace("\ufeff", "")


@short_cache(maxsize=1 << 16)  # the same labels recur in every report
def label_key(text: str) -> str:
    """A label reduced to its characters: for matching, never for display."""
    return _LABEL_DROP.sub("", nfkc(strip_artefacts(text)))


@short_cache(maxsize=1 << 16)
def squash(text: str) -> str:
    """Remove all white space (CJK text has none that matters)."""
    return _SPACE.sub("", nfkc(text))


@short_cache(maxsize=1 << 16)
def parse_number(text: str) -> tuple[bool, float | int | None]:
    """(is_value_cell, value) for one printed cell.

    A blank cell is a value cell with value None; a printed number is its value;
    anything else (a label) is not a value cell.
    """
    s = squash(strip_artefacts(text)).replace(",", "")
    if s == "":
        return True, None
    if s in BLANK_MARKS:
        return True, None
    if _NUMBER.match(s):
        return True, (float(s) if "." in s else int(s))
    return False, None


def is_value_cell(text: str) -> bool:
    return parse_number(text)[0]


# Enumerators of printed labels: （三）, 三、, 2., 2、 — dropped before labels are compared,
# because they are what real reports get wrong (一、上年结转 for 二、) and what text
# extraction glues onto neighbouring cells.
_ENUMERATOR = re.compile(r"\(\s*[一二三四五六七八九十\d]{1,3}\s*\)|[一二三四五六七八九十]{1,3}\s*、|(?<![\d.])\d{1,2}\s*[.、](?!\d)")


@short_cache(maxsize=1 << 16)
def match_key(text: str) -> str:
    """A label as the mapper compares it: NFKC, no enumerators, spaces or punctuation."""
    return label_key(_ENUMERATOR.sub("", nfkc(strip_artefacts(text))))
