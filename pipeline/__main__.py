"""``python -m pipeline`` is the ``gyokaku`` command."""

from .cli import main

main(prog_name="gyokaku")
