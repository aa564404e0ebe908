"""Every file of some folders parsed, one JSON line each: the output a speed change must keep
byte for byte. Run it with the old checkout first on `PYTHONPATH`, then this one, and compare:

    PYTHONPATH=/tmp/old .venv/bin/python benchmarks/parse_dump.py DIR... > /tmp/before.jsonl
    .venv/bin/python benchmarks/parse_dump.py DIR... > /tmp/after.jsonl
    .venv/bin/python benchmarks/parse_dump.py --compare /tmp/before.jsonl /tmp/after.jsonl

`source.parser_version` is left out (a version bump alone is no change of output).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def dump(folders: list[Path]) -> None:
    from ingestion.parser.document import RejectedDocument
    from ingestion.parser.parse import parse_file

    files = sorted(p for folder in folders for p in folder.rglob("*") if p.is_file())
    for i, path in enumerate(files):
        try:
            out = parse_file(path)
            out["source"].pop("parser_version", None)
        except RejectedDocument as exc:
            out = {"rejected": str(exc)}
        print(json.dumps({"file": str(path), "out": out}, ensure_ascii=False, sort_keys=True))
        if i % 500 == 0:
            print(f"{i}/{len(files)}", file=sys.stderr)


def compare(before: Path, after: Path) -> int:
    old = {json.loads(line)["file"]: line for line in before.open(encoding="utf-8")}
    new = {json.loads(line)["file"]: line for line in after.open(encoding="utf-8")}
    differ = sorted(f for f in old.keys() | new.keys() if old.get(f) != new.get(f))
    for f in differ[:20]:
        print("differs:", f)
    print(f"{len(old)} files before, {len(new)} after, {len(differ)} differ")
    return 1 if differ else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="*", type=Path)
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    a = ap.parse_args()
    if a.compare:
        return compare(*a.compare)
    dump(a.folders)
    return 0


if __name__ == "__main__":
    sys.exit(main())
