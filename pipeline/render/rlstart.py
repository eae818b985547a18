"""reportlab's paragraph module imported without compiling its URL pattern up front.

``reportlab.platypus.paragraph`` compiles, as it is imported, a case-insensitive pattern over
most of Unicode that recognises URLs (``uri_pat``, for hyphenating them): 40–70 ms, a tenth of
the PDF side of building the sample. gyokaku never hyphenates a URL, so the pattern is handed
out as a stand-in that compiles it the first time it is used: the same pattern, the same
matches, paid only by whoever needs it. Imported by the PDF writer before reportlab.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator

URI_PATTERN_START = "(^(?:[a-z0-9\\.\\-\\+]*)://)"  # how reportlab's ``uri_pat`` begins


class LazyPattern:
    """A compiled pattern made on first use; it answers as ``re.Pattern`` does."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return self._compiled

    def __getattr__(self, name: str):
        return getattr(self.compiled(), name)


@contextlib.contextmanager
def _lazy_uri_pattern() -> Iterator[None]:
    """While importing: ``re.compile`` of reportlab's URL pattern gives a ``LazyPattern``."""
    original = re.compile

    def compile_(pattern, flags=0):
        if isinstance(pattern, str) and pattern.startswith(URI_PATTERN_START):
            return LazyPattern(pattern, flags)
        return original(pattern, flags)

    re.compile = compile_  # type: ignore[assignment]
    try:
        yield
    finally:
        re.compile = original


def import_paragraph() -> None:
    """Import ``reportlab.platypus.paragraph`` (once), its URL pattern compiled when first used."""
    if "reportlab.platypus.paragraph" in sys.modules:
        return
    with _lazy_uri_pattern():
        import reportlab.platypus.paragraph  # noqa: F401


import_paragraph()
