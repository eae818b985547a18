"""The build step that puts the bundled files into the wheel (everything else is in pyproject.toml).

The style sheets (``styles/*.yaml``) and the sample input are committed once, outside the package;
a wheel gets a copy as ``pipeline/data/`` (``pipeline/resources.py`` finds either), and an sdist
keeps them where they are, so a wheel built from it gets them too. An editable install copies
nothing: it runs from the repository, whose files ``resources`` uses.
"""

from __future__ import annotations

from pathlib import Path

# setuptools without type information here: its classes are Any (ignores are for mypy --strict)
from setuptools import setup  # type: ignore[import-untyped, unused-ignore]
from setuptools.command.build_py import build_py  # type: ignore[import-untyped, unused-ignore]
from setuptools.command.sdist import sdist  # type: ignore[import-untyped, unused-ignore]

ROOT = Path(__file__).resolve().parent
SAMPLE = "inputs/hiratsuka-2022-h1.yaml"  # as pipeline.resources.SAMPLE_NAME


def bundled() -> list[str]:
    """The bundled files, relative to the repository (and to ``pipeline/data/`` in the wheel)."""
    styles = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "styles").glob("*.yaml"))
    if not styles or not (ROOT / SAMPLE).is_file():
        raise SystemExit(f"setup.py: styles/*.yaml or {SAMPLE} missing in {ROOT}")
    return [*styles, SAMPLE]


class BuildPy(build_py):  # type: ignore[misc, unused-ignore]  # build_py is Any
    """``build_py``, then the bundled files copied to ``pipeline/data/`` (not for editable installs)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for target, source in self._bundled_targets():
            self.mkpath(str(Path(target).parent))
            self.copy_file(source, target)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs: list[str] = super().get_outputs(include_bytecode)
        if getattr(self, "editable_mode", False):
            return outputs
        return outputs + [target for target, _ in self._bundled_targets()]

    def _bundled_targets(self) -> list[tuple[str, str]]:
        data = Path(self.build_lib) / "pipeline" / "data"
        return [(str(data / rel), str(ROOT / rel)) for rel in bundled()]


class Sdist(sdist):  # type: ignore[misc, unused-ignore]  # sdist is Any
    """``sdist`` with the bundled files in their repository places."""

    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        for rel in bundled():
            target = Path(base_dir) / rel
            self.mkpath(str(target.parent))
            self.copy_file(str(ROOT / rel), str(target))


setup(cmdclass={"build_py": BuildPy, "sdist": Sdist})
