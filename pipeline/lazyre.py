"""Library modules imported with their slowest regular expressions compiled on first use.

Two libraries compile, as they are imported, a pattern over most of Unicode that gyokaku never
uses: PyYAML's test for unprintable characters (only its pure-Python reader uses it; libyaml
reads gyokaku's files) and reportlab's URL pattern (for hyphenating URLs). Compiling them
costs 15–70 ms of every start. While such a module is imported, ``re.compile`` of that one
pattern gives a stand-in that compiles it the first time it is used: the same pattern and the
same matches, paid only by whoever needs it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

YAML_NON_PRINTABLE = "[^\x09\x0a\x0d\x20-\x7e"  # how PyYAML's ``Reader.NON_PRINTABLE`` begins
REPORTLAB_URI = "(^(?:[a-z0-9\\.\\-\\+]*)://)"  # how reportlab's ``paragraph.uri_pat`` begins


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
def deferred(start: str) -> Iterator[None]:
    """While this block runs, ``re.compile`` of a pattern beginning ``start`` is deferred."""
    original = re.compile

    def compile_(pattern, flags=0):
        if isinstance(pattern, str) and pattern.startswith(start):
            return LazyPattern(pattern, flags)
        return original(pattern, flags)

    re.compile = compile_  # type: ignore[assignment]
    try:
        yield
    finally:
        re.compile = original
