"""gyokaku: reform-plan progress reports from YAML to an editable Word draft and an official PDF.

Stages: load → aggregate → assemble → render → write (one module each).
"""

__version__ = "0.1.0"  # the one place: pyproject.toml reads it (dynamic version) for the package metadata
