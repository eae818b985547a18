"""Every use of python-docx's private names, in one place: the package handed over part by part.

``Document.save`` runs ``part.before_marshal()`` for every part, then ``PackageWriter.write``,
whose three steps write the package through a zip writer of python-docx's own (entry times
from the clock, every part deflated). ``write_package`` runs the same steps with gyokaku's
writer, so the package is written once with fixed entry times. It relies on these names of
``docx.opc.pkgwriter.PackageWriter``, none of them documented:

- ``_write_content_types_stream(writer, parts)``, ``_write_pkg_rels(writer, package_rels)``
  and ``_write_parts(writer, parts)``: static methods, called in this order by ``write``;
- each calls ``writer.write(pack_uri, blob)`` with a ``PackURI`` whose ``membername`` is the
  zip entry's name, and ``writer`` needs nothing else.

Verified with python-docx 1.2.0 (the pinned version) and 1.1.2 (the last of 1.1, which the range
allows: the sample's Word files byte-identical with both). ``tests/test_docx_stream.py`` checks
that these steps give the bytes of the public way, ``Document.save`` and a re-zip with fixed
entry times (``docx_xml.save_package``): when the names are missing (another python-docx),
the public way is used, same bytes. Worth it, measured on the sample's three Word documents
(2-core EPYC, 60 saves each): 5.5–8.8 ms a document saved this way, 9.4–11.4 ms through
``Document.save`` and the re-zip (every part inflated and deflated again, the chart's PNG
included): about 15 ms of each sample build (below the noise of one ``bench/run.py --quick``
run on a loaded VM: sample 1.04-1.72 s either way), and the package is deflated once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from docx.document import Document as DocxDocument
from docx.opc.pkgwriter import PackageWriter

STEPS = ("_write_content_types_stream", "_write_pkg_rels", "_write_parts")


class _PackUri(Protocol):
    @property
    def membername(self) -> str: ...


class _Writer:
    """What ``PackageWriter``'s steps write through: ``write(pack_uri, blob)``."""

    def __init__(self, write: Callable[[str, bytes], None]) -> None:
        self._write = write

    def write(self, pack_uri: _PackUri, blob: bytes) -> None:
        self._write(pack_uri.membername, blob)


def available() -> bool:
    """This python-docx has the ``PackageWriter`` steps ``write_package`` uses."""
    return all(callable(getattr(PackageWriter, step, None)) for step in STEPS)


def write_package(document: DocxDocument, write: Callable[[str, bytes], None]) -> bool:
    """``write(entry name, bytes)`` for every entry ``document.save`` would write, in its order.

    ``False`` (and nothing written) when this python-docx lacks the steps.
    """
    if not available():
        return False
    package = document.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    writer: Any = _Writer(write)  # the steps are typed for python-docx's own zip writer
    PackageWriter._write_content_types_stream(writer, parts)  # type: ignore[no-untyped-call]  # unannotated
    PackageWriter._write_pkg_rels(writer, package.rels)  # type: ignore[no-untyped-call]  # unannotated
    PackageWriter._write_parts(writer, parts)
    return True
