"""The store of kept bytes (objects/) does not grow with junk: a file past the readers' size
limit is never copied, and a large rejected document's copy is let go, for good."""
import os

from ingestion.ingest import KEEP_REJECTED_BYTES, ingest_folder
from ingestion.load.landing import object_path
from ingestion.load.layout import Layout
from ingestion.parser.readers import MAX_BYTES


def _objects(layout):
    return sorted(p.name for p in layout.objects.rglob("*") if p.is_file() and len(p.name) == 64)


def test_junk_is_not_kept_and_small_rejects_are(tmp_path):
    raw, layout = tmp_path / "raw", Layout(tmp_path / "wh" / "govinfo.duckdb")
    raw.mkdir()
    with open(raw / "disk_image.txt", "wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: 64 MB of zeros, landed by mistake
    (raw / "notice.txt").write_text("请见附件。\n" * (KEEP_REJECTED_BYTES // 10), encoding="utf-8")  # > 1 MB, no report
    (raw / "small.txt").write_text("请见附件。\n", encoding="utf-8")
    first = ingest_folder(raw, layout.warehouse)
    assert {name for name, _ in first.rejected} == {"disk_image.txt", "notice.txt", "small.txt"}
    kept = _objects(layout)
    assert len(kept) == 1 and (layout.objects / kept[0][:2] / kept[0]).read_text(encoding="utf-8") == "请见附件。\n"
    ingest_folder(raw, layout.warehouse)  # a later scan copies none of them again
    assert _objects(layout) == kept
    os.utime(raw / "notice.txt")  # touched: read again, and still not kept
    ingest_folder(raw, layout.warehouse)
    assert _objects(layout) == kept and not object_path(layout.objects, "0" * 64).exists()
