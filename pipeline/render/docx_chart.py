"""The chart as Word's own: a ``c:chartSpace`` part and the workbook behind it (Edit Data).

The chart XML follows what python-pptx's ``ChartXmlWriter`` writes for a doughnut (one series
on ``Sheet1``: categories ``A2:An``, the series name ``B1``, values ``B2:Bn``), with the look of
the PDF's drawing (``render/chart.py``) added: each status's colour, counts on the slices (none on
an empty slice), the legend on the right, the total in the hole. It is written here as text, not
through python-pptx: importing python-pptx costs 0.12-0.15 s a build; the tests read the part
back with python-pptx's chart classes. The workbook is written with XlsxWriter, with the
document's date as its created time, so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io

from .. import docmodel as dm
from ..style import StyleSheet

C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CHART_CT = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
XLSX_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SERIES_NAME = "活動数"
SHEET = "Sheet1"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _run_props(font: str, size: float, bold: bool = False, color: str = "000000") -> str:
    """``a:defRPr`` for chart text: size, colour, and the font for Latin and Japanese letters."""
    b = ' b="1"' if bold else ' b="0"'
    return (
        f'<a:defRPr sz="{round(size * 100)}"{b}>'
        f'<a:solidFill><a:srgbClr val="{color}"/></a:solidFill>'
        f'<a:latin typeface="{_esc(font)}"/><a:ea typeface="{_esc(font)}"/><a:cs typeface="{_esc(font)}"/>'
        "</a:defRPr>"
    )


def _text_props(font: str, size: float, bold: bool = False) -> str:
    return (
        "<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr>"
        + _run_props(font, size, bold)
        + '</a:pPr><a:endParaRPr lang="ja-JP"/></a:p></c:txPr>'
    )


def chart_xml(chart: dm.Chart, style: StyleSheet) -> bytes:
    """The chart part: a doughnut of ``chart.slices`` with the style sheet's colours and font."""
    look = style.chart
    font = style.fonts[look.label_font].name
    size = look.label_size
    n = len(chart.slices)
    colors = [look.colors[i % len(look.colors)] for i in range(n)]
    cats = "".join(f'<c:pt idx="{i}"><c:v>{_esc(s.label)}</c:v></c:pt>' for i, s in enumerate(chart.slices))
    vals = "".join(f'<c:pt idx="{i}"><c:v>{s.value}</c:v></c:pt>' for i, s in enumerate(chart.slices))
    points = "".join(
        f'<c:dPt><c:idx val="{i}"/><c:bubble3D val="0"/><c:spPr><a:solidFill><a:srgbClr val="{c}"/>'
        '</a:solidFill><a:ln w="9525"><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill></a:ln>'
        "</c:spPr></c:dPt>"
        for i, c in enumerate(colors)
    )
    empty = [i for i, s in enumerate(chart.slices) if s.value <= 0]  # no "0" on a slice not drawn
    hidden = "".join(f'<c:dLbl><c:idx val="{i}"/><c:delete val="1"/></c:dLbl>' for i in empty)
    labels = (
        f"<c:dLbls>{hidden}<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>"
        + _text_props(font, size)
        + '<c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/><c:showSerName val="0"/>'
        '<c:showPercent val="0"/><c:showBubbleSize val="0"/><c:showLeaderLines val="1"/></c:dLbls>'
    )
    last = n + 1
    series = (
        '<c:ser><c:idx val="0"/><c:order val="0"/>'
        f'<c:tx><c:strRef><c:f>{SHEET}!$B$1</c:f><c:strCache><c:ptCount val="1"/>'
        f'<c:pt idx="0"><c:v>{SERIES_NAME}</c:v></c:pt></c:strCache></c:strRef></c:tx>'
        + points
        + labels
        + f"<c:cat><c:strRef><c:f>{SHEET}!$A$2:$A${last}</c:f><c:strCache>"
        f'<c:ptCount val="{n}"/>{cats}</c:strCache></c:strRef></c:cat>'
        f"<c:val><c:numRef><c:f>{SHEET}!$B$2:$B${last}</c:f><c:numCache><c:formatCode>General</c:formatCode>"
        f'<c:ptCount val="{n}"/>{vals}</c:numCache></c:numRef></c:val></c:ser>'
    )
    # the ring on the left (as the PDF: centre at 36 % of the width), the legend on the right
    plot_w = look.height / look.width
    plot_x = 0.36 - plot_w / 2
    title = ""
    if chart.center:
        paras = "".join(
            f"<a:p><a:pPr>{_run_props(font, size)}</a:pPr>"
            f'<a:r><a:rPr lang="ja-JP" sz="{round(size * 100)}" b="0"/><a:t>{_esc(line)}</a:t></a:r></a:p>'
            for line in chart.center
        )
        title_w, title_h = 0.16, 0.1 + 0.07 * len(chart.center)
        title = (
            f"<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/>{paras}</c:rich></c:tx>"
            '<c:layout><c:manualLayout><c:xMode val="edge"/><c:yMode val="edge"/>'
            f'<c:x val="{0.36 - title_w / 2:.4f}"/><c:y val="{0.5 - title_h / 2:.4f}"/>'
            '</c:manualLayout></c:layout><c:overlay val="1"/></c:title>'
        )
    xml = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f'<c:chartSpace xmlns:c="{C_NS}" xmlns:a="{A_NS}" xmlns:r="{R_NS}">'
        '<c:date1904 val="0"/><c:lang val="ja-JP"/><c:roundedCorners val="0"/>'
        "<c:chart>" + title + f'<c:autoTitleDeleted val="{0 if title else 1}"/>'
        '<c:plotArea><c:layout><c:manualLayout><c:layoutTarget val="inner"/>'
        '<c:xMode val="edge"/><c:yMode val="edge"/>'
        f'<c:x val="{plot_x:.4f}"/><c:y val="0.06"/><c:w val="{plot_w:.4f}"/><c:h val="0.88"/>'
        "</c:manualLayout></c:layout>"
        '<c:doughnutChart><c:varyColors val="1"/>' + series + '<c:firstSliceAng val="0"/>'
        f'<c:holeSize val="{max(10, min(90, round(look.hole * 100)))}"/></c:doughnutChart>'
        "<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr></c:plotArea>"
        '<c:legend><c:legendPos val="r"/><c:overlay val="0"/>'
        + _text_props(font, size)
        + '</c:legend><c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
        "<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>"
        + _text_props(font, size)
        + '<c:externalData r:id="rId1"><c:autoUpdate val="0"/></c:externalData>'
        "</c:chartSpace>"
    )
    return xml.encode()


def workbook(chart: dm.Chart, created: dt.date) -> bytes:
    """The chart's data as an .xlsx (Word's Edit Data opens it): labels in A, counts in B."""
    # only documents with a chart pay for the import (~50 ms); XlsxWriter ships no type hints
    import xlsxwriter  # type: ignore[import-untyped]

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    when = dt.datetime(created.year, created.month, created.day)
    book.set_properties({"created": when})
    sheet = book.add_worksheet(SHEET)
    sheet.write_string(0, 1, SERIES_NAME)
    for i, s in enumerate(chart.slices, start=1):
        sheet.write_string(i, 0, s.label)
        sheet.write_number(i, 1, s.value)
    book.close()
    return out.getvalue()
