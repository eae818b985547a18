"""Where gyokaku's bundled files are: the style sheets and the sample input.

They are committed once, in the repository's ``styles/`` and ``inputs/``. Run from the repository
(a clone, or an editable install) those files are used; an installed wheel carries a copy in the
package, ``pipeline/data/styles/`` and ``pipeline/data/inputs/``, made by ``setup.py`` when the
wheel is built (plain files in the installed package: a zip import is not supported).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPOSITORY = PACKAGE.parent
DATA = PACKAGE / "data"  # only in a built wheel: the same layout as the repository's
SAMPLE_NAME = "hiratsuka-2022-h1.yaml"


def root() -> Path:
    """The repository when the package runs from one (``pyproject.toml`` beside it), else the data."""
    if (REPOSITORY / "pyproject.toml").is_file() and (REPOSITORY / "styles").is_dir():
        return REPOSITORY
    return DATA


def styles_dir() -> Path:
    """The folder of the bundled style sheets (``default.yaml``)."""
    return root() / "styles"


def sample_input() -> Path:
    """The bundled sample input (Hiratsuka's 令和4年度上半期)."""
    return root() / "inputs" / SAMPLE_NAME
