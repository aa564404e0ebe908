"""Map table rows (from any reader) to the 207 canonical cells by their printed labels.

Rows are recognised by keywords of their labels, tolerant of the typos and variants real
reports print (国家机密, 本年度止件数, 不不不补正, 预期, 合计, 一、上年结转…); values are fitted to
the columns the table header declares (the 其他 column may be missing). Anything the mapper
is unsure of becomes a warning; a blank cell stays None.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .document import Document, Row
from .spec import APPLICANT_COLS, REVIEW_COLS, REVIEW_GROUPS, field_names
from .textnorm import label_key, parse_number

# ---- table 三 (applications): (row, test on the innermost label key) in matching order
_APPLICATION_ROWS: list[tuple[str, re.Pattern]] = [(name, re.compile(rx)) for name, rx in [
    ("new_received", r"新收"),
    ("carried_forward", r"结转下年度|下年度继续办理"),
    ("carried_over", r"上年结转"),
    ("partially_granted", r"部分公开"),
    ("granted", r"予以公开"),
    ("withheld_state_secret", r"国家[秘机]密"),
    ("withheld_prohibited_by_law", r"禁止公开|法律.*止公开"),
    ("withheld_security_stability", r"三安全一稳定|危及"),
    ("withheld_third_party_rights", r"第三方"),
    ("withheld_internal_affairs", r"内部事务"),
    ("withheld_process_information", r"过程性"),
    ("withheld_enforcement_case_file", r"执法案卷"),
    ("withheld_administrative_query", r"行政查询"),
    ("unavailable_not_held", r"不掌握"),
    ("unavailable_needs_creation", r"另行制作|现成信息"),
    ("unavailable_unclear", r"不明确"),
    ("rejected_petition", r"信访|举报投诉"),
    ("rejected_duplicate", r"重复申请"),
    ("rejected_publication", r"出版物"),
    ("rejected_excessive", r"反复申请|大量反复"),
    ("rejected_confirmation", r"重新出具|确认或"),
    ("other_no_correction", r"逾期不+补正|不+补正"),
    ("other_unpaid_fee", r"缴纳费用|收费通知"),
    ("other_other", r"^\d*其他$"),
    ("other_processing", r"^[六]?其他处理$"),
    ("total_processed", r"^[七]?(总计|合计)$"),
]]

# Column header words of table 三 → column; 其他 only counts inside an applicant header row.
_APPLICANT_HEADER = {
    "自然人": "natural_person", "商业企业": "commercial_enterprise", "科研机构": "research_institution",
    "社会公益组织": "social_welfare_org", "法律服务机构": "legal_service_org",
    "总计": "total", "合计": "total",
}
_HEADER_WORDS = {"申请人情况", "自然人", "法人或其他组织", "商业企业", "科研机构", "社会公益组织", "法律服务机构"}

# ---- table 二 (active disclosure)
_ACTIVE_ROWS = {
    "规章": ("regulations", ("issued", "repealed", "in_force")),
    "行政规范性文件": ("normative_documents", ("issued", "repealed", "in_force")),
    "规范性文件": ("normative_documents", ("issued", "repealed", "in_force")),
    "行政许可": ("licensing", ("decisions",)),
    "行政处罚": ("punishment", ("decisions",)),
    "行政强制": ("enforcement", ("decisions",)),
    "行政事业性收费": ("admin_fees", ("amount_10k_yuan",)),
}
_ACTIVE_COL_WORDS = [("issued", re.compile(r"制发")), ("repealed", re.compile(r"废止|度止")),
                     ("in_force", re.compile(r"现行有效"))]


@dataclass
class CellMap:
    cells: dict[str, float | int | None] = field(default_factory=lambda: dict.fromkeys(field_names()))
    provenance: dict[str, dict] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seen_rows: set[str] = field(default_factory=set)


def _split_row(row: Row) -> tuple[list[str], list[str]]:
    """(label cells, value cells): values are the cells after the last non-value cell."""
    last_label = -1
    for i, c in enumerate(row.cells):
        if c and not parse_number(c)[0]:
            last_label = i
    return row.cells[: last_label + 1], row.cells[last_label + 1:]


def _fit(values: list[str], k: int, where: str, warnings: list[str]) -> list[str]:
    """Fit a row's value cells to k columns: drop the empty cells that merges and trailing
    separators leave at either end; if still off, say so."""
    vals = list(values)
    while len(vals) > k and vals[-1] == "":
        vals.pop()
    while len(vals) > k and vals[0] == "":
        vals.pop(0)
    if len(vals) > k:
        warnings.append(f"{where}: {len(vals)} value cells for {k} columns; kept the last {k}")
        vals = vals[-k:]
    elif len(vals) < k:
        warnings.append(f"{where}: {len(vals)} value cells for {k} columns; aligned to the right")
        vals = [""] * (k - len(vals)) + vals
    return vals


def _put(cm: CellMap, fld: str, text: str, row: Row, row_label: str, col_label: str) -> None:
    ok, value = parse_number(text)
    if text.strip() and value is None:
        cm.warnings.append(f"{fld}: printed {text.strip()!r}, read as blank")
    cm.cells[fld] = value
    cm.provenance[fld] = {"page": row.page, "line": row.line, "row_label": row_label,
                          "col_label": col_label, "printed": text.strip()}


def _claim(cm: CellMap, key: str, row: Row) -> bool:
    if key in cm.seen_rows:
        cm.warnings.append(f"row {key} printed again (line {row.line}, page {row.page}); first one kept")
        return False
    cm.seen_rows.add(key)
    return True


def _application_columns(header_keys: set[str], cm: CellMap) -> list[str]:
    present = {col for word, col in _APPLICANT_HEADER.items() if word in header_keys}
    if "其他" in header_keys:
        present.add("other_org")
    if "natural_person" not in present:
        cm.warnings.append("table 三: applicant header not recognised; assumed all seven columns")
        return list(APPLICANT_COLS)
    if "other_org" not in present:
        cm.warnings.append("table 三: no 其他 applicant column printed; other_org left blank")
    return [c for c in APPLICANT_COLS if c in present]


@lru_cache(maxsize=1 << 14)
def _application_row(inner: str, joined: str) -> str | None:
    """Table 三 row named by the innermost label, else by all labels together (the bare
    其他 / 其他处理 / 总计 patterns only ever match the innermost label)."""
    name = next((name for name, rx in _APPLICATION_ROWS if rx.search(inner)), None)
    if name is None:
        name = next((name for name, rx in _APPLICATION_ROWS[:-3] if rx.search(joined)), None)
    return name


def map_cells(doc: Document) -> CellMap:
    cm = CellMap()
    header_keys: set[str] = set()
    app_cols: list[str] | None = None
    active_cols = ("issued", "repealed", "in_force")
    review_pending = False

    for row in doc.rows:
        keys = [label_key(c) for c in row.cells]
        labels, values = _split_row(row)
        label_keys = [k for k in (label_key(c) for c in labels) if k]

        # table 四: the header names 行政复议, the data row is all numbers/blanks
        if any("行政复议" in k for k in keys):
            review_pending = True
            continue
        if review_pending:
            if label_keys or len(values) < 5:
                continue  # more header rows of table 四 (结果维持 / 未经复议直接起诉 …)
            review_pending = False
            if _claim(cm, "review_litigation", row):
                vals = _fit(values, 15, "table 四", cm.warnings)
                for i, text in enumerate(vals):
                    g, c = REVIEW_GROUPS[i // 5], REVIEW_COLS[i % 5]
                    _put(cm, f"review_litigation.{g}.{c}", text, row, g, c)
            continue

        if not label_keys:
            continue

        # table 三 header rows
        if any(k in _HEADER_WORDS for k in keys):
            header_keys.update(keys)
            app_cols = None
            continue
        # table 二 header rows: 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数
        if label_keys[0] == "信息内容":
            found = [next((n for n, rx in _ACTIVE_COL_WORDS if rx.search(k)), None) for k in label_keys[1:]]
            if len(found) == 3 and all(found):
                active_cols = tuple(found)
            continue

        if not values:
            continue

        first = label_keys[0]
        if first in _ACTIVE_ROWS and len(label_keys) == 1:
            row_name, cols = _ACTIVE_ROWS[first]
            if _claim(cm, "active." + row_name, row):
                cols = active_cols if len(cols) == 3 else cols
                vals = _fit(values, len(cols), f"table 二 row {labels[-1]}", cm.warnings)
                for col, text in zip(cols, vals):
                    _put(cm, f"active.{row_name}.{col}", text, row, labels[-1], col)
            continue

        row_name = _application_row(label_keys[-1], "".join(label_keys))
        if row_name is None:
            if not any(v.strip() for v in values):
                continue  # a caption or header row (第二十条第（一）项, 信息内容 …) with empty cells
            cm.warnings.append(f"unrecognised table row {' / '.join(labels)!r} (line {row.line}, page {row.page})")
            continue
        if app_cols is None:
            app_cols = _application_columns(header_keys, cm)
        if _claim(cm, "applications." + row_name, row):
            vals = _fit(values, len(app_cols), f"table 三 row {labels[-1]}", cm.warnings)
            for col, text in zip(app_cols, vals):
                _put(cm, f"applications.{row_name}.{col}", text, row, labels[-1], col)
    return cm
