"""Temporary files and folders a killed process left behind, removed by the next run.

Ours carry the writing process's PID in their name (`govinfo-dbt-<pid>-…` in the system
temp folder, `published/.govinfo.duckdb.<time>-<pid>.tmp`): one whose process is gone is an
orphan of a `kill -9` or a crash. A live process's files are never touched.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_orphans(folder: Path, pattern: str, pid_in_name: str) -> list[Path]:
    """Remove the entries of `folder` matching the glob `pattern` whose name's PID (the
    first group of the regex `pid_in_name`) is no live process. Returns what was removed."""
    removed = []
    for path in Path(folder).glob(pattern):
        found = re.search(pid_in_name, path.name)
        if not found or alive(int(found[1])):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed
