"""The study without a clone: a built wheel, installed non-editable into a fresh environment, runs a report.

The fresh environment is a new venv whose only packages are govreports (the wheel, installed with
--no-deps) and, through a path file, this environment's dependencies: so the test needs no
download beyond the wheel's build backend, and proves that the wheel, not the checkout, runs.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def build_wheel(folder: Path) -> Path:
    """Build the wheel from a copy of the checkout's packaged files (so no build/ folder lands in the checkout).

    Without build isolation when this environment's setuptools can build it (>= 77, as locked);
    else pip fetches the build backend.
    """
    from importlib.metadata import version

    from packaging.version import Version

    source = folder / "source"
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    for name in ("govreports", "notebooks"):
        # compiled extensions of an editable install left out: the wheel builds its own
        shutil.copytree(ROOT / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.so", "*.pyd"))
    flags = ["--no-build-isolation"] if Version(version("setuptools")) >= Version("77") else []
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", *flags, "-w", str(folder),
                    str(source)], check=True, capture_output=True, text=True)
    (wheel,) = folder.glob("govreports-*.whl")
    return wheel


def fresh_environment(folder: Path, wheel: Path) -> Path:
    """Return the Python of a new venv holding the wheel, with this environment's packages behind it."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    shared = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    # A plain path line: the shared folder's own .pth files (an editable govreports) are not run.
    (Path(purelib) / "shared_dependencies.pth").write_text("\n".join(sorted(shared)) + "\n", encoding="utf-8")
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
                   check=True, capture_output=True, text=True, env=clean_env())
    return python


def clean_env() -> dict:
    """Return this process's environment without anything pointing at the checkout.

    JUPYTER_PATH names this environment's share/jupyter: nbconvert's templates are data files
    there, which the path file does not bring into the fresh venv (a real install has its own).
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith(("GOVREPORTS_", "VIRTUAL_ENV"))}
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    return env


def test_a_wheel_runs_the_study_from_any_folder(tmp_path):
    wheel = build_wheel(tmp_path / "dist")
    names = set(zipfile.ZipFile(wheel).namelist())
    for source in (ROOT / "notebooks").rglob("*"):
        if source.is_file() and ".ipynb_checkpoints" not in source.parts:
            shipped = "govreports/" + source.relative_to(ROOT).as_posix()
            assert shipped in names, shipped
            assert zipfile.ZipFile(wheel).read(shipped) == source.read_bytes()  # the same file, not a copy that drifted

    python = fresh_environment(tmp_path / "venv", wheel)
    where = subprocess.run([str(python), "-c", "import govreports, govreports.paths as p; "
                            "print(govreports.__file__); print(p.NOTEBOOKS_DIR)"],
                           cwd=tmp_path, env=clean_env(), check=True, capture_output=True, text=True).stdout.split()
    assert where[0].startswith(str(tmp_path / "venv")) and where[1].startswith(str(tmp_path / "venv"))
    assert where[1].endswith("site-packages/govreports/notebooks")
    version = subprocess.run([str(tmp_path / "venv" / "bin" / "govreports"), "--version"], cwd=tmp_path,
                             env=clean_env(), check=True, capture_output=True, text=True).stdout
    if shutil.which(sysconfig.get_config_var("CC").split()[0] if sysconfig.get_config_var("CC") else "cc"):
        # the PDF loops, compiled into the wheel, import from it (the extension is optional elsewhere)
        assert any(n.startswith("govreports/read/_pdfium_loops.") for n in names), sorted(names)[:5]
        assert "loops: compiled (govreports.read._pdfium_loops)" in version, version

    project = tmp_path / "my study"  # a folder of one's own: no checkout, no pyproject.toml
    shutil.copytree(ROOT / "data" / "processed", project / "data" / "processed")
    year = int(pd.read_parquet(project / "data" / "processed" / "reports.parquet")["year"].max())
    result = subprocess.run([str(tmp_path / "venv" / "bin" / "govreports"), "report", "--year", str(year), "--study",
                             "--models"],
                            cwd=project, env=clean_env(), capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    out = project / "reports"
    page = out / f"year__year-{year}.html"
    assert page.is_file() and str(year) in page.read_text(encoding="utf-8")
    assert (out / "study.html").is_file() and (out / "index.html").is_file()
    manifest = json.loads((out / "report_manifest.json").read_text(encoding="utf-8"))
    assert [(r["name"], r["status"]) for r in manifest["runs"]] == [("study", "ok"), (f"year__year-{year}", "ok"),
                                                                     ("models", "ok")]
    tables = {entry["path"]: entry["stamped"] for entry in manifest["files"] if "stamped" in entry}
    assert "tables/models_summary.csv" in tables and "tables/models_summary.tex" in tables
    assert all(tables.values()), tables  # every exported table names the dataset and govreports versions
    listed = {entry["path"] for entry in manifest["files"]}
    assert {f"year__year-{year}.html", "study.html", "index.html"} <= listed
    saved = sorted(p.relative_to(out).as_posix() for p in (out / "figures" / "study").glob("*.svg"))
    assert saved and set(saved) <= listed  # the study's figures, saved from the installed package, under --out
    wrong = subprocess.run([str(tmp_path / "venv" / "bin" / "govreports"), "report", "--year", "2999"],
                           cwd=project, env=clean_env(), capture_output=True, text=True, timeout=120)
    assert wrong.returncode == 1 and "did you mean" in wrong.stderr and "2999" in wrong.stderr
