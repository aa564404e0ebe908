"""The report's tables as a logical model (cells with row/col spans), shared by the DOCX
and HTML writers, so both print the same merged layout real reports use."""
from __future__ import annotations

from dataclasses import dataclass, field

from .render import Style, _num, active_layout, application_layout
from .truth import Report


@dataclass
class Cell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass
class TableModel:
    n_rows: int
    n_cols: int
    cells: list[Cell] = field(default_factory=list)

    def add(self, row, col, text, rowspan=1, colspan=1):
        self.cells.append(Cell(row, col, text, rowspan, colspan))


def active_table(r: Report, style: Style) -> TableModel:
    blocks = active_layout(r, style)
    width = 1 + max(len(heads) for _, heads, _ in blocks)
    t = TableModel(n_rows=0, n_cols=width)
    i = 0
    for caption, heads, rows in blocks:
        t.add(i, 0, caption, colspan=width)
        for cells in (["信息内容", *heads], *[[label, *values] for label, values in rows]):
            i += 1
            t.add(i, 0, cells[0])
            if len(cells) == width:
                for j, v in enumerate(cells[1:]):
                    t.add(i, 1 + j, v)
            else:  # fewer columns than the widest block: the last cell spans the rest
                for j, v in enumerate(cells[1:]):
                    span = width - len(cells) + 1 if j == len(cells) - 2 else 1
                    t.add(i, 1 + j, v, colspan=span)
        i += 1
    t.n_rows = i
    return t


def application_table(r: Report, style: Style) -> TableModel:
    cols, orgs, body = application_layout(style)
    n_cols = 3 + len(cols)
    t = TableModel(n_rows=3 + len(body), n_cols=n_cols)
    t.add(0, 0, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3)
    t.add(0, 3, "申请人情况", colspan=len(cols))
    t.add(1, 3, "自然人", rowspan=2)
    t.add(1, 4, "法人或其他组织", colspan=len(orgs))
    t.add(1, 3 + len(cols) - 1, "合计" if style.has("heji") else "总计", rowspan=2)
    for j, o in enumerate(orgs):
        t.add(2, 4 + j, o)
    # 三、本年度办理结果 spans every outcome row; （三）…（六） span their sub-rows
    outcome_idx = [i for i, b in enumerate(body) if b[3] not in ("new_received", "carried_over", "carried_forward")]
    group_start = None
    for i, (l1, l2, l3, row) in enumerate(body):
        ri = 3 + i
        if row in ("new_received", "carried_over", "carried_forward"):
            t.add(ri, 0, l1, colspan=3)
        else:
            if i == outcome_idx[0]:
                t.add(ri, 0, "三、本年度办理结果", rowspan=len(outcome_idx))
            if l3 is None:
                t.add(ri, 1, l2, colspan=2)
            else:
                if l2:
                    group_start = ri
                    size = 1
                    for later in body[i + 1:]:
                        if later[1] is None and later[2] is not None:
                            size += 1
                        else:
                            break
                    t.add(group_start, 1, l2, rowspan=size)
                t.add(ri, 2, l3)
        for j, col in enumerate(cols):
            t.add(ri, 3 + j, _num(r.cells[f"applications.{row}.{col}"], style))
    return t


def review_table(r: Report, style: Style) -> TableModel:
    t = TableModel(n_rows=4, n_cols=15)
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    t.add(0, 0, "行政复议", colspan=5)
    t.add(0, 5, "行政诉讼", colspan=10)
    for j, h in enumerate(heads):
        t.add(1, j, h, rowspan=2)
    t.add(1, 5, "未经复议直接起诉", colspan=5)
    t.add(1, 10, "复议后起诉", colspan=5)
    for j, h in enumerate(heads * 2):
        t.add(2, 5 + j, h)
    groups = ("review", "litigation_direct", "litigation_after_review")
    for j, (g, c) in enumerate((g, c) for g in groups for c in ("upheld", "corrected", "other", "pending", "total")):
        t.add(3, j, _num(r.cells[f"review_litigation.{g}.{c}"], style))
    return t
