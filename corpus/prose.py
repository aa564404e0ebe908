"""Section 一's headline statements: what a report's text says in numbers.

Each report states a random handful of its own numbers, worded as real reports word them
(several phrasings per number, Arabic or Chinese numerals, zero said as 未收到…), beside
sentences whose numbers must not be compared: a rounded count, a part (其中自然人), the year
before, the whole city, a change on last year, 办理 (received or completed?). A planted
contradiction (`Report.prose_planted`: key → the number the text states instead) is worded
the same ways. The wordings are written here from real reports, not read from the parser's
phrase table: a generator sharing the parser's phrases would hide what it misses.
"""
from __future__ import annotations

import random

from .truth import Report

# key → the cells (their sum) the statement speaks of; the keys are the warehouse's subjects
CELLS = {
    "applications_received": ("applications.new_received.total",),
    "applications_carried_over": ("applications.carried_over.total",),
    "applications_completed": ("applications.total_processed.total",),
    "applications_granted": ("applications.granted.total",),
    "applications_carried_forward": ("applications.carried_forward.total",),
    "review": ("review_litigation.review.total",),
    "litigation": ("review_litigation.litigation_direct.total", "review_litigation.litigation_after_review.total"),
    "normative_documents_issued": ("active.normative_documents.issued",),
    "normative_documents_repealed": ("active.normative_documents.repealed",),
    "normative_documents_in_force": ("active.normative_documents.in_force",),
}
ONLY_2021 = {"normative_documents_issued", "normative_documents_repealed", "normative_documents_in_force"}
PHRASINGS = {
    "applications_received": ["{y}年，共新收政府信息公开申请{n}件", "全年共收到{n}件依申请公开事项",
                              "本年度受理公民、法人和其他组织提出的政府信息公开申请{n}件",
                              "收到政府信息公开申请共计{n}件", "受理依申请公开事项{n}件",
                              "我单位全年新收政府信息公开申请{n}件"],
    "applications_carried_over": ["上年结转{n}件", "另有上年度结转申请{n}件"],
    "applications_completed": ["已办结{n}件", "全年共办结申请{n}件", "按时办结{n}件"],
    "applications_granted": ["其中予以公开{n}件", "予以公开{n}件"],
    "applications_carried_forward": ["结转下年度继续办理{n}件", "结转至下一年度办理{n}件"],
    "review": ["因政府信息公开工作被申请行政复议{n}件", "发生政府信息公开行政复议案件{n}件", "行政复议{n}件"],
    "litigation": ["被提起行政诉讼{n}件", "政府信息公开行政诉讼案件{n}件", "行政诉讼{n}件"],
    "normative_documents_issued": ["本年度制发规范性文件{n}件", "全年制发行政规范性文件{n}件"],
    "normative_documents_repealed": ["废止规范性文件{n}件", "废止行政规范性文件{n}件"],
    "normative_documents_in_force": ["现行有效规范性文件{n}件", "现行有效的行政规范性文件共{n}件"],
}
ZERO = {
    "applications_received": ["全年未收到政府信息公开申请", "本年度没有收到依申请公开事项"],
    "review": ["未发生因政府信息公开引起的行政复议"],
    "litigation": ["未发生因政府信息公开引起的行政诉讼"],
}
CN = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """21 → 二十一, 105 → 一百零五 (up to 999), as reports write small counts."""
    if n < 10:
        return CN[n]
    if n < 20:
        return "十" + (CN[n - 10] if n > 10 else "")
    if n < 100:
        return CN[n // 10] + "十" + (CN[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + CN[rest] if rest < 10 else chinese(rest) if rest >= 20 else "一" + chinese(rest))
    return CN[n // 100] + "百" + tail


def _number(n: int, rng: random.Random) -> str:
    return chinese(n) if 0 < n < 1000 and rng.random() < 0.25 else str(n)  # 0 is written 0 (零件 means parts)


def table_value(r: Report, key: str) -> int | None:
    """The number the tables print for a key (None: a cell of it is blank in this report)."""
    values = [r.cells.get(c) for c in CELLS[key]]
    return None if any(v is None for v in values) else int(sum(values))


def _statable(r: Report) -> list[str]:
    """The keys this report's tables print a number for (its format prints every cell)."""
    return [k for k in CELLS if table_value(r, k) is not None and (r.template == "2021" or k not in ONLY_2021)]


def said_keys(r: Report, rng: random.Random) -> list[str]:
    """Which numbers this report's text states, in a report's order; planted keys always."""
    usable = _statable(r)
    chosen = {k for k in usable if rng.random() < 0.45} | {k for k in r.prose_planted if k in usable}
    return [k for k in CELLS if k in chosen]


def _statement(key: str, value: int, rng: random.Random, year: int) -> str:
    if value == 0 and key in ZERO and rng.random() < 0.5:
        return rng.choice(ZERO[key])
    return rng.choice(PHRASINGS[key]).format(n=_number(value, rng), y=year)


def _distractors(r: Report, rng: random.Random) -> list[str]:
    """Sentences with numbers that are not this report's table's counts."""
    n = table_value(r, "applications_received") or 0
    pool = [f"主动公开政府信息{rng.randint(30, 900)}余条",
            f"{r.year - 1}年受理政府信息公开申请{n + rng.randint(1, 9)}件",
            f"全市共受理政府信息公开申请{n * 7 + rng.randint(11, 99)}件",
            f"申请数量较上年增加{rng.randint(1, 9)}件",
            f"全年共办理政府信息公开申请{n + rng.randint(1, 5)}件"]
    return [d + "。" for d in rng.sample(pool, rng.randint(0, 3))]


def headline(r: Report, rng: random.Random) -> str:
    """Section 一's paragraph of numbers: the said keys in a report's order (planted ones
    with their wrong number), two or three to a sentence, and distractor sentences between."""
    sentences, run = [], []
    for key in said_keys(r, rng):
        value = r.prose_planted.get(key, table_value(r, key))
        run.append(_statement(key, value, rng, r.year))
        if key == "applications_received" and value and rng.random() < 0.4:  # its part ends the sentence
            run.append(f"其中自然人提出申请{rng.randint(0, value)}件")
            sentences.append("，".join(run) + "。")
            run = []
        elif len(run) >= rng.randint(1, 3):
            sentences.append("，".join(run) + "。")
            run = []
    if run:
        sentences.append("，".join(run) + "。")
    for d in _distractors(r, rng):
        sentences.insert(rng.randint(0, len(sentences)), d)
    return "".join(sentences)


def plant(r: Report, rng: random.Random, key: str | None = None) -> str:
    """Make the text state another number for one key (a random one the report can state);
    returns the key."""
    key = key or rng.choice(_statable(r))
    true = table_value(r, key)
    wrong = true
    while wrong == true or wrong < 0:
        wrong = true + rng.choice([-1, 1]) * rng.randint(1, max(3, true // 2 + 1))
    r.prose_planted[key] = wrong
    return key
