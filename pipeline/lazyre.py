"""Library modules imported with their slowest regular expressions compiled on first use.

Two libraries compile, as they are imported, a pattern over most of Unicode that gyokaku never
uses: PyYAML's test for unprintable characters (only its pure-Python reader uses it; libyaml
reads gyokaku's files) and reportlab's URL pattern (for hyphenating URLs). While such a module
is imported, ``re.compile`` of that one pattern gives a stand-in that compiles it the first
time it is used: the same pattern and the same matches, paid only by whoever needs it.

What it relies on (no private name, but the libraries' module-level code): that
``yaml.reader`` compiles ``Reader.NON_PRINTABLE`` from a ``str`` beginning ``YAML_NON_PRINTABLE``
and ``reportlab.platypus.paragraph`` compiles ``uri_pat`` from one beginning ``REPORTLAB_URI``,
through ``re.compile`` looked up at call time (``re.compile(...)``, not a name imported from
``re``), while the ``with deferred(...)`` block imports them (``yamlc``, ``render.rl_internals``).
``re.compile`` is swapped process-wide for the block only (harmless: another thread compiling
the same pattern meanwhile would get the same stand-in). Verified with
PyYAML 6.0.4 and reportlab 5.1.0 (``tests/test_yamlc.py`` checks both patterns are deferred
and match as compiled). Should a release change either line, the pattern is simply compiled
at import again: slower, never different. Measured (compiling each alone, 15 times, 2-core
EPYC): reportlab's URL pattern 24–45 ms, PyYAML's 4 ms, of every start that imports them.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

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

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled(), name)


@contextlib.contextmanager
def deferred(start: str) -> Iterator[None]:
    """While this block runs, ``re.compile`` of a pattern beginning ``start`` is deferred."""
    original = re.compile

    def compile_(pattern: Any, flags: Any = 0) -> Any:
        if isinstance(pattern, str) and pattern.startswith(start):
            return LazyPattern(pattern, flags)
        return original(pattern, flags)

    re.compile = compile_
    try:
        yield
    finally:
        re.compile = original
