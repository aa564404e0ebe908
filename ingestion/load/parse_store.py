"""Parse records, one JSON file per document (sha256) and parser version.

Parsing is the expensive, parallel step; loading DuckDB is the single-writer step. The
store sits between them: a parse writes its record atomically (temporary file, then
rename), so a crash leaves either the whole record or none, and any number of parse
processes can write while the warehouse is locked. The loader reads what is new.

A record is {"document_id", "parser_version", "file", "status": "parsed" | "rejected",
"result" (the `govinfo parse` object) | "reason" (one line)}.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from ..parser import PARSER_VERSION

_log = logging.getLogger(__name__)
STATUSES = {"parsed", "rejected", "changed", "transient"}


class ParseStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, sha: str, version: str = PARSER_VERSION) -> Path:
        return self.root / sha[:2] / f"{sha}.p{version}.json"

    def put(self, record: dict) -> None:
        sha = record["document_id"]
        path = self._path(sha, record["parser_version"])
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
        for old in path.parent.glob(f"{sha}.p*.json"):  # a record of an older parser version is superseded
            if old != path:
                old.unlink(missing_ok=True)

    def get(self, sha: str, version: str = PARSER_VERSION) -> dict | None:
        """The record, or None. A record that cannot be read (cut short by a full disk or a
        copy of the store, edited by hand) is a derived file: it is removed, with one warning
        naming it, and the document is parsed again at the next run; it never stops a run."""
        path = self._path(sha, version)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            if record.get("document_id") != sha or record.get("status") not in STATUSES:
                raise ValueError("not a parse record of this document")
            return record
        except FileNotFoundError:
            return None
        except (ValueError, AttributeError) as exc:  # (JSONDecodeError and UnicodeDecodeError are ValueErrors)
            _log.warning("parse record %s is unreadable (%s): removed; the document is parsed again at the next run",
                         path, str(exc).splitlines()[0][:120])
            path.unlink(missing_ok=True)
            return None

    def remove(self, sha: str) -> None:
        """Forget a document's records (every parser version): the next run parses it again."""
        for old in (self.root / sha[:2]).glob(f"{sha}.p*.json"):
            old.unlink(missing_ok=True)

    def listing(self, version: str = PARSER_VERSION) -> dict[str, int]:
        """sha256 → mtime_ns of its record, for every record of this parser version."""
        out: dict[str, int] = {}
        if not self.root.is_dir():
            return out
        suffix = f".p{version}.json"
        for sub in os.scandir(self.root):
            if not sub.is_dir():
                continue
            for entry in os.scandir(sub.path):
                if entry.name.endswith(suffix) and not entry.name.startswith("."):
                    out[entry.name[: -len(suffix)]] = entry.stat().st_mtime_ns
        return out
