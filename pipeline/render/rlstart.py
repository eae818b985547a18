"""reportlab's paragraph module, imported with its URL pattern compiled only when used.

Imported by the PDF modules before anything of reportlab (``lazyre``: 40–70 ms a process).
"""

from __future__ import annotations

from ..lazyre import REPORTLAB_URI, deferred

with deferred(REPORTLAB_URI):
    import reportlab.platypus.paragraph  # noqa: F401
