"""Where one build spends its time: each stage timed in this process, then a pyinstrument profile.

python bench/profile.py 1500            # a generated plan of 1,500 activities
python bench/profile.py inputs/x.yaml   # an input file
python bench/profile.py 1500 --flat     # flat profile (self time per function)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import gen  # noqa: E402

from pipeline.batch import warm  # noqa: E402
from pipeline.build import documents, unprintable  # noqa: E402
from pipeline.load import load  # noqa: E402


def stages(source: Path, formats: tuple[str, ...]) -> list[tuple[str, float]]:
    """Seconds of each stage of one build (fonts already parsed)."""
    renderers = warm("default", formats)
    out = []
    start = time.perf_counter()
    data = load(source)
    out.append(("load", time.perf_counter() - start))
    start = time.perf_counter()
    unprintable(data, renderers.covered())
    out.append(("font check", time.perf_counter() - start))
    start = time.perf_counter()
    docs = documents(data)
    out.append(("aggregate + assemble", time.perf_counter() - start))
    for doc in docs:
        for fmt in formats:
            start = time.perf_counter()
            renderers.writer(fmt).render(doc)
            out.append((f"{doc.name} {fmt}", time.perf_counter() - start))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="an input file, or a number of activities to generate")
    parser.add_argument("--format", default="docx,pdf")
    parser.add_argument("--flat", action="store_true")
    args = parser.parse_args()
    formats = tuple(args.format.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(args.input)
        if args.input.isdigit():
            source = gen.write(Path(tmp) / f"plan-{args.input}.yaml", int(args.input))
        for name, seconds in stages(source, formats):
            print(f"{name:<28} {seconds:8.2f} s")
        try:
            from pyinstrument import Profiler  # type: ignore[import-not-found, unused-ignore]  # bench extra
        except ImportError:
            print("プロファイルには pyinstrument が要ります: pip install -e '.[bench]'")
            return 1

        profiler = Profiler(interval=0.001)
        profiler.start()
        stages(source, formats)
        profiler.stop()
        if args.flat:
            print(profiler.output_text(flat=True, flat_time="self")[:6000])
        else:
            print(profiler.output_text(show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
