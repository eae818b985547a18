"""gyokaku as a user installs it: a wheel in a fresh environment, away from the repository."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pipeline
from pipeline import resources
from pipeline.build import DOCUMENTS, FORMATS, file_name

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "setup.py", "README.md", "pipeline", "styles", "inputs")


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _wheel(tmp_path: Path) -> Path:
    """A wheel built from a copy of the sources (concurrent runs never share a build folder)."""
    src = tmp_path / "src"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "data"))
        else:
            shutil.copy2(ROOT / name, src / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", tmp_path / "dist", src], tmp_path)
    (wheel,) = (tmp_path / "dist").glob("gyokaku-*.whl")
    return wheel


def test_repository_files_are_used_when_run_from_the_repository() -> None:
    assert resources.styles_dir() == ROOT / "styles"
    assert resources.sample_input() == ROOT / "inputs" / resources.SAMPLE_NAME
    assert (resources.styles_dir() / "default.yaml").is_file() and resources.sample_input().is_file()


def test_wheel_installed_elsewhere_builds_the_sample(tmp_path: Path) -> None:
    """The wheel carries the style sheets and the sample; installed alone, it builds all six files."""
    wheel = _wheel(tmp_path)
    with zipfile.ZipFile(wheel) as z:
        for rel in [p.relative_to(ROOT).as_posix() for p in (ROOT / "styles").glob("*.yaml")] + [
            f"inputs/{resources.SAMPLE_NAME}"
        ]:
            assert z.read(f"pipeline/data/{rel}") == (ROOT / rel).read_bytes(), rel
        assert not [n for n in z.namelist() if n.startswith(("styles/", "inputs/", "tests/"))]

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], tmp_path)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    pip: list[str | Path] = [
        sys.executable,
        "-m",
        "pip",
        "--disable-pip-version-check",
        "-q",
        "--python",
        python,
    ]
    _run([*pip, "install", "--no-deps", wheel], tmp_path)
    # the dependencies from this project's environment, not downloaded again (.pth: its path only,
    # so the editable install's own .pth there, which points at the repository, is not run)
    site = Path(
        _run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp_path).strip()
    )
    (site / "gyokaku-test-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "GYOKAKU_"))}
    env["GYOKAKU_CACHE_DIR"] = str(tmp_path / "cache")
    work = tmp_path / "empty"
    work.mkdir()
    where = _run([python, "-c", "import pipeline, sys; print(pipeline.__file__); print(sys.path)"], work, env)
    assert Path(where.splitlines()[0]).is_relative_to(site)
    assert str(ROOT) not in ast.literal_eval(where.splitlines()[1])  # the repository is not on the path

    version = _run([python, "-m", "pipeline", "--version"], work, env)
    assert version.split()[-1] == pipeline.__version__

    _run([python, "-m", "pipeline", "build", "--out", "OUT"], work, env)
    stem = Path(resources.SAMPLE_NAME)
    expected = {file_name(stem, name, fmt) for name in DOCUMENTS for fmt in FORMATS}
    assert len(expected) == 6
    made = {p.name for p in (work / "OUT").iterdir() if p.is_file()}
    assert made == expected
    assert all((work / "OUT" / name).stat().st_size > 1000 for name in expected)
    assert sorted(p.name for p in work.iterdir()) == ["OUT"]  # nothing written beside it
