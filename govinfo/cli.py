"""`govinfo` command: `parse` (library only, starts fast) and `run` (the Dagster job).

`parse` imports only `ingestion`; `run` imports Dagster lazily, so parsing thousands of
files never pays for the orchestration stack.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _parse(args: argparse.Namespace) -> int:
    from ingestion.parser.document import RejectedDocument
    from ingestion.parser.parse import parse_file

    rejected = 0
    many = len(args.files) > 1
    for name in args.files:
        try:
            result = parse_file(name)
        except RejectedDocument as exc:
            rejected += 1
            print(f"govinfo parse: {name}: {exc}", file=sys.stderr)
            if many:
                print(json.dumps({"source": {"file": Path(name).name}, "error": str(exc)}, ensure_ascii=False))
            continue
        except Exception as exc:  # a parser bug must still not print a traceback to users
            rejected += 1
            msg = f"internal parser error ({type(exc).__name__}: {exc})"
            print(f"govinfo parse: {name}: {msg}", file=sys.stderr)
            if many:
                print(json.dumps({"source": {"file": Path(name).name}, "error": msg}, ensure_ascii=False))
            continue
        print(json.dumps(result, ensure_ascii=False, separators=(",", ":")))
    return 2 if rejected else 0


def _run(args: argparse.Namespace) -> int:
    from orchestration.run import run_pipeline

    return run_pipeline(raw_dir=Path(args.raw), warehouse=Path(args.warehouse))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="govinfo", description="government information-disclosure report warehouse")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="parse report files to JSON (one object per line)")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=_parse)
    r = sub.add_parser("run", help="materialize every asset for a landing folder (the Dagster job, in-process)")
    r.add_argument("--raw", required=True, help="landing folder of raw reports")
    r.add_argument("--warehouse", required=True, help="DuckDB warehouse file to build")
    r.set_defaults(func=_run)
    args = ap.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
