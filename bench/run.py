"""gyokaku's benchmark (``make bench``): gyokaku against LibreOffice, and plans of growing size.

Every figure is a fresh process, as a user starts it: ``python -m pipeline build …``, timed
from start to exit, with the child's peak memory (``ru_maxrss``). Prints a table, whether each
target is met, and writes the same as JSON (bench/results.json).

    python bench/run.py                 # the full run (15,000 activities take a while)
    python bench/run.py --quick         # 150 and 1,500 activities only, one run each
    python bench/run.py --additions     # every plan with effects, indicators and a previous report
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import gen  # noqa: E402

from pipeline.resources import sample_input  # noqa: E402

SAMPLE = sample_input()
from pipeline.progress import columns  # noqa: E402

SIZES = (150, 1_500, 15_000)
RATIO_TARGET, RATIO_AIM = 0.5, 0.25
SECONDS_1500 = 10.0
GROWTH_TARGET = 12.0
MEMORY_MB_15000 = 500.0
LONG_RUN = 20.0  # a run longer than this is not repeated
ADDITIONS = False  # --additions: every plan with ids, effects, indicators and a previous report
SAMPLE_REPEAT = 9  # the sample and LibreOffice, by turns: their ratio is the target
ADDITIONS_TARGET = 1.10  # issue 10: with the Additions at most 10 % over the same plan without
ADDITIONS_SIZE = 1_500


@dataclass
class Run:
    """One measured command: wall seconds of each run, and the largest peak memory."""

    label: str
    seconds: list[float] = field(default_factory=list)
    peak_mb: float = 0.0
    ok: bool = True
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")


@dataclass
class Target:
    name: str
    goal: str
    measured: str
    met: bool | None  # None: not measured here


# --- measuring ---------------------------------------------------------------------------


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int, str]:
    """Run ``cmd``; wall seconds, its peak memory in MB, exit code and its error output."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        message = err.read().decode("utf-8", "replace")
    return seconds, usage.ru_maxrss / 1024, proc.returncode, message


def measure(
    label: str,
    make_cmd: Callable[[int], list[str]],
    repeat: int,
    warm: bool = False,
    env: dict[str, str] | None = None,
) -> Run:
    """Run the command ``repeat`` times (once when it is long); ``warm`` adds an untimed first run."""
    run = Run(label)
    if warm:
        timed(make_cmd(-1), env)
    for i in range(repeat):
        _record(run, make_cmd(i), env)
        if not run.ok or run.seconds[-1] > LONG_RUN:
            break
    return run


def _record(run: Run, cmd: list[str], env: dict[str, str] | None = None) -> None:
    """One more timed run of ``cmd`` into ``run`` (none after a failure)."""
    if not run.ok:
        return
    seconds, peak, code, message = timed(cmd, env)
    if code != 0:
        run.ok, run.note = False, message.strip().splitlines()[-1] if message.strip() else f"exit {code}"
        return
    run.seconds.append(seconds)
    run.peak_mb = max(run.peak_mb, peak)


def compile_pipeline() -> None:
    """Bytecode for the pipeline, as an installed package has it.

    With ``PYTHONDONTWRITEBYTECODE`` set (some shells and containers set it), an editable
    install would compile every changed module from source at each start (about 40 ms).
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "pipeline")], check=False)


def gyokaku_cmd(inputs: list[Path], out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", "build", *map(str, inputs), "--out", str(out), *extra]


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_cmd(binary: str, profile: Path, docx: Path, out: Path) -> list[str]:
    return [
        binary,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
        str(docx),
    ]


def summary_docx_name(source: Path) -> str:
    """The summary's DOCX file name, as the build names it."""
    from pipeline.build import file_name

    return file_name(source, "summary", "docx")


def document_count(source: Path) -> int:
    from pipeline.build import documents
    from pipeline.load import load

    return len(documents(load(source)))


# --- the runs ----------------------------------------------------------------------------


def sample_runs(tmp: Path, repeat: int) -> tuple[Run | None, Run | None, str]:
    """The sample's whole set built cold, and LibreOffice converting its summary DOCX.

    The two are run by turns (``SAMPLE_REPEAT`` times each at least): on a shared machine
    whose speed drifts over minutes, both then meet the same conditions.
    """
    if not SAMPLE.exists():
        missing = SAMPLE.relative_to(ROOT)
        return None, None, f"見本 {missing} がないため、見本と LibreOffice の比較は省きました。"
    build = Run(f"gyokaku build {SAMPLE.name}（{document_count(SAMPLE)} 文書 × docx+pdf）")
    timed(gyokaku_cmd([SAMPLE], tmp / "sample-warm"))  # as every run after the first: fonts cached
    binary = soffice()
    docx = tmp / "sample-warm" / summary_docx_name(SAMPLE)
    lo = None
    lo_binary = binary or ""
    if binary is not None and docx.exists():
        lo = Run(f"LibreOffice {docx.name} → PDF（プロファイル準備済み）")
        timed(libreoffice_cmd(binary, tmp / "lo-profile", docx, tmp / "lo-warm"))  # its profile made
    for i in range(max(repeat, SAMPLE_REPEAT) if repeat > 1 else repeat):
        _record(build, gyokaku_cmd([SAMPLE], tmp / f"sample-{i}"))
        if lo is not None:
            _record(lo, libreoffice_cmd(lo_binary, tmp / "lo-profile", docx, tmp / f"lo-{i}"))
    if binary is None:
        return build, None, "LibreOffice（soffice）がないため、LibreOffice との比較は省きました。"
    if lo is None or not build.ok:
        return build, None, f"{docx.name} ができなかったため、LibreOffice との比較は省きました。"
    return build, lo, ""


def first_run(tmp: Path, repeat: int) -> Run | None:
    """The sample as on the very first run: no font cache (every font parsed)."""
    if not SAMPLE.exists():
        return None
    return measure(
        f"gyokaku build {SAMPLE.name}（フォントキャッシュなし）",
        lambda i: gyokaku_cmd([SAMPLE], tmp / f"first-{i}"),
        repeat,
        env={**os.environ, "GYOKAKU_CACHE_DIR": ""},
    )


def size_runs(tmp: Path, sizes: tuple[int, ...], repeat: int) -> dict[int, Run]:
    runs = {}
    for n in sizes:
        source = gen.write(tmp / f"plan-{n}.yaml", n, additions=ADDITIONS)
        label = f"{n:,} 活動（{source.stat().st_size / 1e6:.1f} MB の YAML）"

        def command(i: int, n: int = n, s: Path = source) -> list[str]:
            return gyokaku_cmd([s], tmp / f"out-{n}-{i}")

        runs[n] = measure(label, command, repeat)
        print(f"  {label}: {runs[n].median:.2f} s", file=sys.stderr)
    return runs


def batch_runs(tmp: Path, count: int, repeat: int) -> dict[str, Run]:
    """``count`` inputs built with one worker and with every core."""
    base = SAMPLE if SAMPLE.exists() else gen.write(tmp / "plan-batch.yaml", 150)
    inputs = []
    for i in range(count):
        copy = tmp / "batch" / f"{base.stem}-{i + 1}.yaml"
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(base, copy)
        inputs.append(copy)
    previous = re.search(r"^\s+previous:\s*(\S+)\s*$", base.read_text(encoding="utf-8"), re.M)
    if previous:  # --additions: the copies name the same previous report, relative to themselves
        shutil.copyfile(base.parent / previous.group(1), tmp / "batch" / previous.group(1))
    cores = os.cpu_count() or 1
    return {
        "serial": measure(
            f"{count} 入力 --jobs 1", lambda i: gyokaku_cmd(inputs, tmp / f"b1-{i}", "--jobs", "1"), repeat
        ),
        "parallel": measure(
            f"{count} 入力 --jobs {cores}（既定）", lambda i: gyokaku_cmd(inputs, tmp / f"bn-{i}"), repeat
        ),
    }


@dataclass
class Paired:
    """One plan built without and with the Additions by turns, and each pair's wall-time ratio."""

    without: Run
    with_: Run
    ratios: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios) if self.ratios else float("nan")


def additions_runs(tmp: Path, repeat: int) -> dict[str, Paired]:
    """The sample and ``ADDITIONS_SIZE`` activities, each built without and with the Additions
    (``gen``'s shares: effects on 70 % of the activities, indicators on 40 %, a previous report)
    by turns, so that both meet the machine in the same state; the ratio is taken pair by pair."""
    folder = tmp / "additions"
    folder.mkdir()
    plans = []
    if SAMPLE.exists():
        text = SAMPLE.read_text(encoding="utf-8")
        plans.append(("sample", SAMPLE, gen.write_text_additions(folder / SAMPLE.name, text)))
    plain = gen.write(tmp / f"plain-{ADDITIONS_SIZE}.yaml", ADDITIONS_SIZE)
    plans.append((str(ADDITIONS_SIZE), plain, gen.write(folder / plain.name, ADDITIONS_SIZE, additions=True)))
    out = {}
    for key, without, with_ in plans:
        label = "見本" if key == "sample" else f"{ADDITIONS_SIZE:,} 活動"
        pair = Paired(Run(f"{label}（Additions なし）"), Run(f"{label}（Additions あり）"))
        timed(gyokaku_cmd([with_], tmp / f"add-warm-{key}"))
        turns = max(repeat, SAMPLE_REPEAT if key == "sample" else 5) if repeat > 1 else 1
        for i in range(turns):
            _record(pair.without, gyokaku_cmd([without], tmp / f"add-{key}-0-{i}"))
            _record(pair.with_, gyokaku_cmd([with_], tmp / f"add-{key}-1-{i}"))
            if pair.without.ok and pair.with_.ok:
                pair.ratios.append(pair.with_.seconds[-1] / pair.without.seconds[-1])
        out[key] = pair
        print(f"  {label}: Additions あり ÷ なし {pair.ratio:.2f}", file=sys.stderr)
    return out


def additions_targets(pairs: dict[str, Paired]) -> tuple[list[Target], dict[str, float]]:
    """Issue 10's target: with the Additions within ``ADDITIONS_TARGET`` of without."""
    checks, ratios = [], {}
    for key, pair in pairs.items():
        label = "見本一式" if key == "sample" else f"{ADDITIONS_SIZE:,} 活動"
        name = f"{label}：Additions あり ÷ なし（交互に実行）"
        if not pair.ratios:
            checks.append(Target(name, f"≤ {ADDITIONS_TARGET:.2f}", pair.with_.note or "失敗", None))
            continue
        ratios[f"additions_{key}"] = round(pair.ratio, 3)
        checks.append(
            Target(name, f"≤ {ADDITIONS_TARGET:.2f}", f"{pair.ratio:.2f}", pair.ratio <= ADDITIONS_TARGET)
        )
    return checks, ratios


# --- machine and report ------------------------------------------------------------------


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    lo_version = None
    binary = soffice()
    if binary:
        try:
            lo_version = subprocess.run(
                [binary, "--version"], capture_output=True, text=True, timeout=60
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            lo_version = None
    from importlib.metadata import version

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "reportlab": version("reportlab"),
        "python-docx": version("python-docx"),
        "libreoffice": lo_version,
    }


def targets(
    build: Run | None, lo: Run | None, sizes: dict[int, Run], skipped: str
) -> tuple[list[Target], dict[str, float]]:
    ratios: dict[str, float] = {}
    out = []
    if build and lo and build.ok and lo.ok:
        ratio = build.median / lo.median
        ratios["sample_vs_libreoffice"] = round(ratio, 3)
        aim = "（目安 0.25 も達成）" if ratio <= RATIO_AIM else f"（目安 {RATIO_AIM} は未達）"
        out.append(
            Target(
                "見本一式 ÷ LibreOffice 変換",
                f"≤ {RATIO_TARGET}",
                f"{ratio:.2f}{aim}",
                ratio <= RATIO_TARGET,
            )
        )
    else:
        out.append(Target("見本一式 ÷ LibreOffice 変換", f"≤ {RATIO_TARGET}", skipped or "未測定", None))
    mid, big, small = sizes.get(1_500), sizes.get(15_000), sizes.get(150)
    if mid and mid.ok:
        out.append(
            Target("1,500 活動", f"< {SECONDS_1500:.0f} s", f"{mid.median:.2f} s", mid.median < SECONDS_1500)
        )
    if small and mid and small.ok and mid.ok:
        ratios["growth_150_to_1500"] = round(mid.median / small.median, 2)
    if mid and big and mid.ok and big.ok:
        growth = big.median / mid.median
        ratios["growth_1500_to_15000"] = round(growth, 2)
        out.append(
            Target(
                "15,000 ÷ 1,500 活動（線形）",
                f"≤ {GROWTH_TARGET:.0f}×",
                f"{growth:.1f}×",
                growth <= GROWTH_TARGET,
            )
        )
    if big and big.ok:
        out.append(
            Target(
                "15,000 活動のピークメモリ",
                f"< {MEMORY_MB_15000:.0f} MB",
                f"{big.peak_mb:.0f} MB",
                big.peak_mb < MEMORY_MB_15000,
            )
        )
    return out, ratios


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded to ``width`` terminal columns (Japanese characters take two)."""
    fill = " " * max(0, width - columns(text))
    return fill + text if right else text + fill


def table(runs: list[Run], checks: list[Target], ratios: dict[str, float], info: dict[str, object]) -> str:
    width = max(columns(r.label) for r in runs) if runs else 20
    lines = [
        f"gyokaku ベンチマーク — {info['cpu']}、{info['cores']} コア、{info['ram_gb']} GB、"
        f"Python {info['python']}",
        "",
        "  ".join(
            [pad("測定", width), pad("中央値 s", 9, True), pad("回数", 4, True), pad("ピーク MB", 9, True)]
        ),
    ]
    for r in runs:
        if r.ok:
            lines.append(f"{pad(r.label, width)}  {r.median:>9.2f}  {len(r.seconds):>4}  {r.peak_mb:>9.0f}")
        else:
            lines.append(f"{pad(r.label, width)}  失敗: {r.note}")
    if ratios:
        lines += ["", "比: " + "、".join(f"{k} = {v}" for k, v in ratios.items())]
    lines += ["", "目標:"]
    for t in checks:
        mark = {True: "達成", False: "未達", None: "未測定"}[t.met]
        lines.append(f"  [{mark}] {t.name}: {t.measured}（目標 {t.goal}）")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="150 と 1,500 活動だけ、各 1 回")
    parser.add_argument("--sizes", type=lambda s: tuple(int(v) for v in s.split(",")), default=SIZES)
    parser.add_argument("--repeat", type=int, default=3, help="各測定の回数（長いものは 1 回）")
    parser.add_argument("--batch", type=int, default=6, help="並列ビルドの入力数（0 で省略）")
    parser.add_argument("--json", type=Path, default=BENCH / "results.json")
    parser.add_argument(
        "--additions", action="store_true", help="効果額・指標・前回の報告つきの計画で測る（issue 10）"
    )
    args = parser.parse_args(argv)
    global SAMPLE, ADDITIONS
    ADDITIONS = args.additions
    sizes = tuple(s for s in args.sizes if s < 15_000) if args.quick else args.sizes
    repeat = 1 if args.quick else args.repeat
    info = machine()
    compile_pipeline()
    with tempfile.TemporaryDirectory(prefix="gyokaku-bench-") as name:
        tmp = Path(name)
        if ADDITIONS and SAMPLE.exists():
            SAMPLE = gen.write_text_additions(tmp / SAMPLE.name, SAMPLE.read_text(encoding="utf-8"))
        print("見本と LibreOffice …", file=sys.stderr)
        build, lo, skipped = sample_runs(tmp, repeat)
        first = first_run(tmp, repeat)
        if skipped:
            print(skipped, file=sys.stderr)
        print("規模別 …", file=sys.stderr)
        sizes_run = size_runs(tmp, sizes, repeat)
        pairs = {}
        if not ADDITIONS and not args.quick:  # every plan has them already under --additions
            print("Additions の有無 …", file=sys.stderr)
            pairs = additions_runs(tmp, repeat)
        batch = {}
        if args.batch:
            print("一括ビルド …", file=sys.stderr)
            batch = batch_runs(tmp, args.batch, repeat)
    checks, ratios = targets(build, lo, sizes_run, skipped)
    more_checks, more_ratios = additions_targets(pairs)
    checks += more_checks
    ratios.update(more_ratios)
    if "serial" in batch and batch["serial"].ok and batch["parallel"].ok:
        ratios["batch_speedup"] = round(batch["serial"].median / batch["parallel"].median, 2)
    paired = [r for p in pairs.values() for r in (p.without, p.with_)]
    runs = [r for r in (build, first, lo) if r] + list(sizes_run.values()) + paired + list(batch.values())
    print(table(runs, checks, ratios, info))
    result = {
        "machine": info,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "runs": {
            "sample": asdict(build) if build else None,
            "sample_without_font_cache": asdict(first) if first else None,
            "libreoffice": asdict(lo) if lo else None,
            "sizes": {str(n): asdict(r) for n, r in sizes_run.items()},
            "batch": {k: asdict(r) for k, r in batch.items()},
            "additions": {k: asdict(p) for k, p in pairs.items()},
        },
        "medians": {r.label: round(r.median, 3) for r in runs if r.ok},
        "ratios": ratios,
        "targets": [asdict(t) for t in checks],
        "skipped": skipped or None,
        "additions": ADDITIONS,
    }
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\n{args.json} に書きました。", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
