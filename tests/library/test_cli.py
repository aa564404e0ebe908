"""`govinfo parse` contract: one JSON object, JSON Lines for several files, exit 2 and one
stderr line for bad input, never a traceback."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingestion.parser import SCHEMA
from ingestion.parser.spec import field_names

GOVINFO = [sys.executable, "-m", "govinfo.cli"]


def run(*args):
    return subprocess.run([*GOVINFO, *map(str, args)], capture_output=True, text=True, timeout=120)


def test_single_file_prints_one_object(seed_cases):
    path, gold = seed_cases[1]
    p = run("parse", path)
    assert p.returncode == 0, p.stderr
    obj = json.loads(p.stdout)
    assert obj["schema"] == SCHEMA
    assert obj["agency"] == gold["agency"] and obj["year"] == gold["year"]
    assert list(obj["cells"]) == list(field_names())
    assert obj["source"]["file"] == path.name and len(obj["source"]["sha256"]) == 64
    assert obj["source"]["format"] == "txt"
    assert isinstance(obj["violations"], list) and isinstance(obj["warnings"], list)


def test_several_files_print_json_lines_in_order_with_errors(seed_cases, tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    paths = [seed_cases[0][0], bad, seed_cases[2][0]]
    p = run("parse", *paths)
    assert p.returncode == 2
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    assert [ln["source"]["file"] for ln in lines] == [x.name for x in paths]
    assert lines[1]["error"] == "empty file"
    assert "cells" in lines[0] and "cells" in lines[2]


def test_bad_input_exits_2_with_one_line(tmp_path):
    cases = {"empty.txt": b"", "binary.bin": bytes(range(256)) * 4,
             "notice.txt": "关于开展检查的通知\n各单位：请按要求执行。\n".encode(),
             "fake.pdf": b"%PDF-1.7 truncated"}
    for name, data in cases.items():
        f = tmp_path / name
        f.write_bytes(data)
        p = run("parse", f)
        assert p.returncode == 2, name
        assert p.stdout == ""
        assert len(p.stderr.strip().splitlines()) == 1, p.stderr
        assert "Traceback" not in p.stderr


def test_missing_file_is_a_clean_error(tmp_path):
    p = run("parse", tmp_path / "nope.txt")
    assert p.returncode == 2 and "Traceback" not in p.stderr and "not a file" in p.stderr


@pytest.mark.parametrize("case", ["a directory", "under a file", "a read-only folder"])
def test_a_bad_warehouse_path_exits_2_with_one_line_before_any_work(tmp_path, case):
    """Checked before anything is parsed or written: no retries, no traceback, no stray files."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "r.txt").write_text("not a report", encoding="utf-8")
    if case == "a directory":
        warehouse = tmp_path / "wh"
        warehouse.mkdir()
    elif case == "under a file":
        (tmp_path / "plain").write_text("x", encoding="utf-8")
        warehouse = tmp_path / "plain" / "govinfo.duckdb"
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes into a read-only folder: the check cannot be seen as root")
        (tmp_path / "ro").mkdir(mode=0o555)
        warehouse = tmp_path / "ro" / "govinfo.duckdb"
    before = sorted(p.name for p in tmp_path.iterdir())
    start = time.monotonic()
    done = run("run", "--raw", raw, "--warehouse", warehouse)
    assert done.returncode == 2, done.stderr[-2000:]
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr
    assert str(warehouse) in done.stderr
    assert time.monotonic() - start < 60
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_documents_finds_a_partition_by_its_file_name(tmp_path):
    """`govinfo documents NAME` gives the partition key (the first file name ~ its hash)."""
    from ingestion.load.landing import LandingIndex, sha256_of
    from ingestion.load.layout import Layout

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "聊城市教育局_2023.txt").write_text("报告", encoding="utf-8")
    (raw / "other.txt").write_text("其他", encoding="utf-8")
    warehouse = tmp_path / "w" / "govinfo.duckdb"
    warehouse.parent.mkdir()
    with LandingIndex(Layout(warehouse).landing_index) as index:
        index.scan(raw)
    done = run("documents", "教育局", "--warehouse", warehouse)
    assert done.returncode == 0, done.stderr
    sha = sha256_of(raw / "聊城市教育局_2023.txt")
    key = f"聊城市教育局_2023.txt~{sha[:16]}"
    assert done.stdout.splitlines() == [f"{key}  not parsed  聊城市教育局_2023.txt", "1 document matching '教育局'"]
    assert run("documents", "nothing-like-it", "--warehouse", warehouse).returncode == 1


@pytest.mark.parametrize("action", [("list",), ("drop", "abcdef12"), ("release", "abcdef12")])
def test_quarantine_on_a_mistyped_warehouse_path_says_so_and_creates_nothing(tmp_path, action):
    """A path where nothing has run is a mistake to name, not an empty quarantine to report
    (`0 in the quarantine`) nor a place to start keeping state."""
    warehouse = tmp_path / "wharehouse" / "govinfo.duckdb"
    done = run("quarantine", *action, "--warehouse", warehouse)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "nothing has run" in done.stderr, done.stderr
    assert not (tmp_path / "wharehouse").exists()


@pytest.mark.parametrize("wait", ["abc", "-1", "nan"])
def test_a_bad_lock_wait_setting_is_one_line_naming_it(tmp_path, wait):
    raw = tmp_path / "raw"
    raw.mkdir()
    done = subprocess.run([*GOVINFO, "run", "--raw", raw, "--warehouse", tmp_path / "wh" / "govinfo.duckdb"],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "GOVINFO_LOCK_WAIT": wait})
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert len(done.stderr.strip().splitlines()) == 1 and "GOVINFO_LOCK_WAIT" in done.stderr, done.stderr


def test_version_names_the_package_and_the_parser():
    from ingestion.parser.parse import PARSER_VERSION

    p = run("--version")
    assert p.returncode == 0 and p.stdout.strip().endswith(f"(parser {PARSER_VERSION})"), p.stdout + p.stderr
    assert p.stdout.startswith("govinfo ")


def test_the_warehouse_defaults_to_its_environment_variable(tmp_path):
    """`--warehouse` may be left out where GOVINFO_WAREHOUSE is set (docs/operators.md); it is
    required, by name, where it is not."""
    env = {k: v for k, v in os.environ.items() if k not in ("GOVINFO_WAREHOUSE", "GOVINFO_RAW_DIR")}
    missing = subprocess.run([*GOVINFO, "quarantine", "list"], capture_output=True, text=True, env=env, timeout=120)
    assert missing.returncode == 2 and "--warehouse" in missing.stderr
    set_ = subprocess.run([*GOVINFO, "quarantine", "list"], capture_output=True, text=True, timeout=120,
                          env=env | {"GOVINFO_WAREHOUSE": str(tmp_path / "nowhere" / "govinfo.duckdb")})
    assert "required" not in set_.stderr and str(tmp_path / "nowhere") in set_.stderr, set_.stderr


def test_a_landing_folder_given_as_a_file_is_named_so(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text("政府信息公开", encoding="utf-8")
    p = run("run", "--raw", report, "--warehouse", tmp_path / "w" / "govinfo.duckdb")
    assert p.returncode == 2 and "is a file, not a folder" in p.stderr and "not found" not in p.stderr
    assert not (tmp_path / "w").exists()


def test_a_text_that_is_no_report_is_said_to_be_none_not_the_agencys_fault(tmp_path):
    """A page about these reports (it says 政府信息公开 and shows one row of table 三) is no
    report: not one whose agency could not be found."""
    readme = tmp_path / "README.md"
    readme.write_text("# 说明\n\n本工具读取政府信息公开工作年度报告的表格。\n\n例如 （一）予以公开 一行：\n\n"
                      "| （一）予以公开 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |\n", encoding="utf-8")
    p = run("parse", readme)
    assert p.returncode == 2 and "not a readable annual report" in p.stderr and "agency" not in p.stderr, p.stderr


def test_browse_before_any_publication_says_so_in_one_line(tmp_path):
    p = run("browse", "--warehouse", tmp_path / "w" / "govinfo.duckdb", "--export-only")
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
    assert p.stderr.strip() == f"govinfo browse: nothing published at {tmp_path / 'w' / 'published'} yet: " \
                               "`govinfo run` publishes the marts"
