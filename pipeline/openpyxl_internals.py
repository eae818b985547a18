"""What gyokaku relies on in openpyxl beyond its documented API (the entry workbooks).

Verified with openpyxl 3.1.5 (constraints.txt); ``make upgrade-check`` runs the workbook tests
(openxml-audit: zero schema errors; the same bytes twice) against the newest release.

- ``openpyxl.writer.excel.ExcelWriter(workbook, zipfile).save()``: writes the package without
  ``Workbook.save``'s stamping of the ``modified`` property with the clock (the same input must
  give the same bytes).
- ``openpyxl.styles.fonts.Font.__elements__``: the order openpyxl's serialisable ``Font`` writes
  its children in. openpyxl writes ``name`` first, which Excel accepts but the OOXML schema (and
  the Open XML SDK behind ``openxml-audit``) refuses; it is set to the schema's order for the
  save and put back afterwards.
"""

from __future__ import annotations

import contextlib
import io
import zipfile
from collections.abc import Iterator

from openpyxl import Workbook
from openpyxl.styles.fonts import Font as FontElement
from openpyxl.writer.excel import ExcelWriter

# CT_Font's sequence in the OOXML schema (ECMA-376 Part 1, sml.xsd)
SCHEMA_FONT_ORDER = (
    "b",
    "i",
    "strike",
    "condense",
    "extend",
    "outline",
    "shadow",
    "u",
    "vertAlign",
    "sz",
    "color",
    "name",
    "family",
    "charset",
    "scheme",
)


@contextlib.contextmanager
def schema_font_order() -> Iterator[None]:
    """Write ``<font>`` children in the schema's order while the block runs."""
    before = FontElement.__elements__
    FontElement.__elements__ = SCHEMA_FONT_ORDER
    try:
        yield
    finally:
        FontElement.__elements__ = before


def save_unstamped(workbook: Workbook, buffer: io.BytesIO) -> None:
    """Write ``workbook`` into ``buffer`` as an .xlsx package: properties as set, fonts in schema order."""
    with schema_font_order():
        ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
