"""`govinfo` command: `parse` (library only, starts fast) and `run` (the Dagster job).

`parse` imports only `ingestion`; `run` imports Dagster lazily, so parsing thousands of
files never pays for the orchestration stack.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def _parse(args: argparse.Namespace) -> int:
    from ingestion.parser import for_parsing
    from ingestion.parser.document import RejectedDocument
    from ingestion.parser.parse import parse_file

    for_parsing()
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

    return run_pipeline(raw_dir=Path(args.raw), warehouse=Path(args.warehouse), verbose=args.verbose)


def _quarantine(args: argparse.Namespace) -> int:
    from ingestion.load import quarantine as q

    try:
        if args.action == "list":
            from publishing.counts import distinct_documents

            rows = q.listing(Path(args.warehouse))
            for sha, name, why in rows:
                print(f"{sha[:12] or '-':12}  {name}  {why}")
            documents = distinct_documents(rows)
            print(f"{documents} document{'' if documents == 1 else 's'} in the quarantine"
                  + (f" ({len(rows)} file names)" if len(rows) != documents else ""))
        elif args.action == "batches":
            found = q.batches(Path(args.warehouse))
            for batch, n, at, rolled in found:
                print(f"{batch}  {at or '-':19}  {n} document(s) loaded" + (f", {rolled} rolled back" if rolled else ""))
            print(f"{len(found)} import batch(es)")
        elif args.batch and args.action == "drop":
            batch, n = q.drop_batch(Path(args.warehouse), args.batch, args.note)
            print(f"rolled back batch {batch}: {n} document(s) dropped; the next run takes them out of the marts")
        elif args.batch:
            batch, n = q.release_batch(Path(args.warehouse), args.batch)
            print(f"released batch {batch}: {n} document(s); the next run loads them again")
        elif args.action == "drop":
            sha = q.drop(Path(args.warehouse), args.ref, args.note)
            print(f"dropped {sha[:12]}: the next run removes it from the warehouse")
        else:
            sha, what = q.release(Path(args.warehouse), args.ref)
            print(f"released {sha[:12]}: {what}")
    except q.QuarantineError as exc:
        print(f"govinfo quarantine: {exc}", file=sys.stderr)
        return 2
    return 0


def _instance_keys(layout) -> list[str]:
    """The `documents` partition keys of the instance `govinfo run` records into (none yet: [])."""
    home = os.environ.get("DAGSTER_HOME") or (layout.dagster_home if (layout.dagster_home / "dagster.yaml").exists()
                                              else None)
    if not home:
        return []
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        return instance.get_dynamic_partitions("documents")


def _documents(args: argparse.Namespace) -> int:
    """Each document's partition key beside its status and the files it arrived as: the key
    starts with the first file name (the UI's partition search finds it), but a document that
    arrived under several names is found here by any of them."""
    from ingestion.load.landing import LandingIndex
    from ingestion.load.layout import Layout
    from ingestion.load.parse_store import ParseStore
    from orchestration.partition_keys import document_keys

    layout = Layout(Path(args.warehouse))
    if not layout.landing_index.exists():
        print(f"govinfo documents: no landing index beside {args.warehouse}: has a run used this warehouse?",
              file=sys.stderr)
        return 2
    with LandingIndex(layout.landing_index) as index:
        sources = {sha: [s.path for s in names] for sha, names in index.sources().items()}
    keys = document_keys(_instance_keys(layout), sources)
    store = ParseStore(layout.parse_store)
    shown = 0
    for sha, paths in sorted(sources.items(), key=lambda kv: kv[1][0]):
        if args.name and not any(args.name in p for p in paths):
            continue
        record = store.get(sha)
        status = "not parsed" if record is None else record.get("status", "parsed")
        why = f"  ({record['reason']})" if record and record.get("reason") else ""
        print(f"{keys.get(sha, sha)}  {status:10}  {' | '.join(paths)}{why}")
        shown += 1
    print(f"{shown} document{'' if shown == 1 else 's'}" + (f" matching {args.name!r}" if args.name else ""))
    return 0 if shown or not args.name else 1


class _Version(argparse.Action):
    """`--version`: the package's and the parser's version, looked up only when asked (the
    metadata lookup would cost every `govinfo parse` its start-up time)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, **kwargs):
        super().__init__(option_strings, dest, nargs=0, help="print the version and the parser's version", **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import version

        from ingestion.parser.parse import PARSER_VERSION

        print(f"govinfo {version('govinfo')} (parser {PARSER_VERSION})")
        parser.exit()


def _review(args: argparse.Namespace) -> int:
    from collections import Counter

    import duckdb

    from ingestion.load.corrections import CorrectionsInvalid
    from ingestion.load.warehouse import WarehouseUnavailable
    from publishing.review import NotFound, decide, queue

    warehouse = Path(args.warehouse)
    try:
        if args.action == "serve":
            from publishing.review_app import serve

            print(f"review: serving http://{args.host}:{args.port}/ as {args.who} (Ctrl-C stops)", flush=True)
            serve(warehouse, Path(args.raw) if args.raw else None, args.who, args.host, args.port)
            return 0
        if args.action == "list":
            items = queue(warehouse, args.agency, args.year, args.rule, args.kind, args.status)
            for item in items:
                print(item.say())
            kinds = Counter(i.kind for i in items)
            print(f"{len(items)} review item(s)" + (": " + ", ".join(f"{n} {k}" for k, n in kinds.items()) if kinds else ""))
            return 0
        doc, *named = args.args  # as many as _REVIEW_ARGS says (main() checked)
        action, names = _REVIEW_ARGS[args.action]
        path, c = decide(warehouse, doc, action, who=args.who, why=args.why, **dict(zip(names, named)))
    except (NotFound, ValueError, CorrectionsInvalid, WarehouseUnavailable) as exc:
        print(f"govinfo review: {exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:  # no marts yet, or from an older release
        print(f"govinfo review: {warehouse}: the marts cannot be read ({str(exc).splitlines()[0]}); "
              "`govinfo run` builds them", file=sys.stderr)
        return 2
    target = c.field or f"{c.rule} {c.subject}"
    read = f" (the parser read {c.parser_value or 'nothing'})" if c.field else ""
    print(f"recorded: {c.action} {c.document_id[:12]} {target}" + (f" = {c.value}" if c.value else "")
          + f"{read} in {path}; the next run (govinfo run) applies it")
    return 0


# each decision: the action it records, and the names of the arguments after DOC
_REVIEW_ARGS = {"set": ("correct", ("field", "value")), "confirm": ("confirm", ("field",)),
                "printed": ("printed_as_is", ("rule", "subject"))}


def _review_usage(action: str) -> str:
    return " ".join(["DOC", *(n.upper() for n in _REVIEW_ARGS[action][1])])


def _browse(args: argparse.Namespace) -> int:
    from ingestion.load.layout import Layout
    from publishing.browse import command, prepare

    try:
        sqlite, meta = prepare(Layout(Path(args.warehouse)).published)
    except FileNotFoundError as exc:
        print(f"govinfo browse: {exc}", file=sys.stderr)
        return 2
    if args.export_only:
        print(f"browse: ready ({sqlite}, {meta})")
        return 0
    print(f"browse: serving http://{args.host}:{args.port}/{sqlite.stem} (Ctrl-C stops)", flush=True)
    cmd = command(sqlite, meta, args.host, args.port)
    os.execv(cmd[0], cmd)


def _from_env(p: argparse.ArgumentParser, flag: str, var: str, what: str) -> None:
    """An option whose default is an environment variable (docs/operators.md): required only
    where the variable is not set."""
    default = os.environ.get(var)
    p.add_argument(flag, default=default, required=default is None, help=f"{what} (default: ${var})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="govinfo", description="government information-disclosure report warehouse")
    ap.add_argument("--version", action=_Version)
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="parse report files to JSON (one object per line)")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=_parse)
    r = sub.add_parser("run", help="materialize every asset for a landing folder (the Dagster job, in-process)")
    _from_env(r, "--raw", "GOVINFO_RAW_DIR", "landing folder of raw reports")
    _from_env(r, "--warehouse", "GOVINFO_WAREHOUSE", "DuckDB warehouse file to build")
    r.add_argument("-v", "--verbose", action="store_true",
                   help="print the steps' output (dbt's line per model and test); else it goes to a file the summary names")
    r.set_defaults(func=_run)
    d = sub.add_parser("documents", help="find a document's partition key and status by any of its file names")
    d.add_argument("name", nargs="?", help="part of a file name (all documents when left out)")
    _from_env(d, "--warehouse", "GOVINFO_WAREHOUSE", "the DuckDB warehouse file")
    d.set_defaults(func=_documents)
    q = sub.add_parser("quarantine", help="list, drop or release documents kept out of the warehouse")
    q.add_argument("action", choices=["list", "drop", "release", "batches"])
    q.add_argument("--batch", help="drop / release every document an import batch (a run id, or its start) loaded")
    q.add_argument("ref", nargs="?", help="sha256 (8+ characters) or file name relative to the landing folder")
    _from_env(q, "--warehouse", "GOVINFO_WAREHOUSE", "the DuckDB warehouse file")
    q.add_argument("--note", default="", help="why (drop)")
    q.set_defaults(func=_quarantine)
    v = sub.add_parser("review", help="the review queue, and decisions on it kept in corrections.csv",
                       description="list: the review queue. set DOC FIELD VALUE: correct a cell. confirm DOC FIELD: "
                                   "the parser's reading is right. printed DOC RULE SUBJECT: a finding is how the agency "
                                   "printed its report. DOC: a sha256 prefix or a file name.")
    v.add_argument("action", choices=["list", "serve", *_REVIEW_ARGS])
    v.add_argument("args", nargs="*", help="what the action names (see above)")
    _from_env(v, "--warehouse", "GOVINFO_WAREHOUSE", "the DuckDB warehouse file")
    v.add_argument("--agency"), v.add_argument("--year", type=int), v.add_argument("--rule")
    v.add_argument("--kind", help="uncertain_cell, agency_finding, extraction_finding, unresolved_agency, "
                                  "stale_review or reviewed_cell")
    v.add_argument("--status", choices=["open", "settled", "all"], default="open")
    v.add_argument("--raw", default=os.environ.get("GOVINFO_RAW_DIR"),
                   help="serve: the landing folder the printed files are read from (default: $GOVINFO_RAW_DIR)")
    v.add_argument("--host", default="127.0.0.1")
    v.add_argument("--port", type=int, default=8002)
    v.add_argument("--why", default="", help="why (required for a decision)")
    v.add_argument("--who", default=os.environ.get("GOVINFO_REVIEWER") or os.environ.get("USER") or "",
                   help="who decides (default: $GOVINFO_REVIEWER, else $USER)")
    v.set_defaults(func=_review)
    b = sub.add_parser("browse", help="serve the published marts in Datasette (facets, filters, canned queries)")
    _from_env(b, "--warehouse", "GOVINFO_WAREHOUSE", "the DuckDB warehouse file whose publication to serve")
    b.add_argument("--host", default="127.0.0.1")
    b.add_argument("--port", type=int, default=8001)
    b.add_argument("--export-only", action="store_true", help="make the SQLite copy and its metadata, do not serve")
    b.set_defaults(func=_browse)
    args = ap.parse_args(argv)
    if args.command == "quarantine" and args.action in ("drop", "release") and not (args.ref or args.batch):
        ap.error(f"quarantine {args.action} needs the document: a sha256 or a file name")
    if args.command == "review" and args.action == "serve" and not args.who.strip():
        ap.error("review serve needs --who (or $GOVINFO_REVIEWER / $USER)")
    if args.command == "review" and args.action not in ("list", "serve"):
        if len(args.args) != 1 + len(_REVIEW_ARGS[args.action][1]):
            ap.error(f"review {args.action} takes {_review_usage(args.action)}")
        if not args.why.strip() or not args.who.strip():
            ap.error("a decision needs --why (and --who, or $GOVINFO_REVIEWER / $USER)")
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
