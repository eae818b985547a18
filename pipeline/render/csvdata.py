"""Stage 4, render: the activity list (資料1-2) as open data, one CSV row per activity.

Following the habits of the 自治体標準オープンデータセット: UTF-8 with a BOM (so that Excel opens it
as UTF-8), one header row, one row per record, no merged or blank-for-repeat cells (every row
names its perspective and business), no line breaks inside a cell (the points of a cell are
joined with a full-width space), CRLF line ends. The columns are 地方公共団体名, the perspective's
number and name, then the activity table's own columns as the document prints them (effect and
indicator columns too, when the list has them); total rows are left out. Like every writer it
computes nothing: it reads the assembled list document.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .. import docmodel as dm
from ..style import StyleSheet
from . import RenderError

LEAD = ("地方公共団体名", "取組の視点番号", "取組の視点")
JOIN = "\u3000"  # between the points of one cell


def cell_value(cell: dm.Cell) -> str:
    """A cell as one line of text: points joined, line breaks inside a point removed."""
    items = (cell,) if isinstance(cell, str) else cell.items
    return JOIN.join(item.replace("\r", "").replace("\n", "") for item in items)


class CsvWriter:
    """Writes the activity tables of a document (the list) as one CSV table."""

    def __init__(self, style: StyleSheet, font_files: dict[str, Path]) -> None:
        self.style = style

    def render(self, doc: dm.Document) -> bytes:
        """The CSV's bytes: BOM, header, a row per activity."""
        header: tuple[str, ...] | None = None
        rows: list[list[str]] = []
        number, name = "", ""
        after_caption = False
        for block in doc.blocks:
            if isinstance(block, dm.Heading) and block.level == 1:
                number = "" if block.number is None else str(block.number)
                name = block.text
            if isinstance(block, dm.Table) and not after_caption and block.header:
                columns = block.header[-1]
                if header is None:
                    header = columns
                if columns == header:
                    rows += [[doc.meta.author, number, name, *map(cell_value, row)] for row in block.rows]
            after_caption = isinstance(block, dm.Caption)  # a captioned table is a summary (活動数一覧)
        if header is None:
            raise RenderError(f"{doc.meta.title}: CSV にする活動の表がありません。")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([*LEAD, *header])
        writer.writerows(rows)
        return ("\ufeff" + out.getvalue()).encode("utf-8")
