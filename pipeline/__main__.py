"""``python -m pipeline`` is the ``gyokaku`` command."""

from .cli import run

run()
