"""``python -m pipeline`` and the ``gyokaku`` command: Ctrl-C during start-up ends quietly too."""

from __future__ import annotations

import os


def main() -> None:
    """Import the command line, then run it; an interrupt while importing is no traceback."""
    try:
        from .cli import EXIT_INTERRUPTED, run
    except KeyboardInterrupt:
        os.write(2, "中断しました。\n".encode())
        os._exit(130)
    try:
        run()
    except KeyboardInterrupt:  # between run()'s own handlers
        os._exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
