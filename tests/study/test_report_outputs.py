"""`govreports report` output folders: one run's files only, listed in a manifest; every table stamped."""

import hashlib
import json

import nbformat
import pandas as pd
import pytest
from click.testing import CliRunner

from govreports import __version__
from govreports.cli import cli
from govreports.study import notebooks as report

VERSION = "9.9.9+data.0123456789ab"

# A notebook writing what the study's notebooks write: a stamped CSV and LaTeX table under out_dir
# and a figure file under figures_dir.
TABLES_NOTEBOOK = [
    ("parameters", 'label = "a"\nprocessed = ""\nout_dir = ""\nfigures_dir = ""'),
    (None, "from pathlib import Path\nimport pandas as pd\nfrom govreports.study.models import export\n"
           "from govreports.study.index import dataset_version\n"
           "version = dataset_version(processed)\n"
           "Path(out_dir).mkdir(parents=True, exist_ok=True)\n"
           "export.stamp(pd.DataFrame({'x': [1, 2]}), version).to_csv(Path(out_dir) / f'{label}.csv', index=False)\n"
           "(Path(out_dir) / f'{label}.tex').write_text(export.stamp_caption('A table', version))\n"
           "Path(figures_dir).mkdir(parents=True, exist_ok=True)\n"
           "(Path(figures_dir) / '01-figure.svg').write_text('<svg/>')\n"
           "print(label)"),
]


@pytest.fixture
def processed(tmp_path):
    folder = tmp_path / "processed"
    folder.mkdir()
    pd.DataFrame({"year": [2023], "province": ["湖南省"], "prefecture": [None], "county": [None],
                  "adcode": ["430000"]}).to_parquet(folder / "reports.parquet")
    (folder / "datapackage.json").write_text(json.dumps({"version": VERSION, "synthetic": False}), encoding="utf-8")
    return folder


@pytest.fixture
def notebooks_dir(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(code, metadata={"tags": [tag]} if tag else {})
                      for tag, code in TABLES_NOTEBOOK]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / "tables.ipynb")
    return folder


def manifest_of(out):
    return json.loads((out / report.MANIFEST_NAME).read_text(encoding="utf-8"))


def params_file(tmp_path, label):
    path = tmp_path / f"{label}.yml"
    path.write_text(f"notebook: tables\nparameters:\n  label: {label}\n", encoding="utf-8")
    return path


def test_a_second_run_replaces_the_first_and_the_manifest_lists_what_it_wrote(processed, notebooks_dir, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")  # the user's own file: never listed, never removed
    runner = CliRunner()
    for label in ("a", "b"):
        result = runner.invoke(cli, ["report", "--params", str(params_file(tmp_path, label)), "--processed",
                                     str(processed), "--out", str(out), "--notebooks", str(notebooks_dir)],
                               catch_exceptions=False)
        assert result.exit_code == 0, result.output
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == ["figures/tables__label-b/01-figure.svg", "index.html", "notes.txt", report.MANIFEST_NAME,
                     "tables/b.csv", "tables/b.tex", "tables__label-b.html", "tables__label-b.ipynb"]
    manifest = manifest_of(out)
    assert manifest["govreports_version"] == __version__ and manifest["dataset_version"] == VERSION
    assert manifest["synthetic"] is False
    assert manifest["runs"] == [{"name": "tables__label-b", "notebook": "tables", "parameters": {"label": "b"},
                                 "status": "ok", "error": None}]
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert sorted(listed) == [f for f in files if f not in ("notes.txt", report.MANIFEST_NAME)]
    for name, entry in listed.items():
        data = (out / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["size_bytes"] == len(data)
    assert listed["tables/b.csv"]["stamped"] is True and listed["tables/b.tex"]["stamped"] is True
    assert "stamped" not in listed["index.html"]
    table = pd.read_csv(out / "tables" / "b.csv")
    assert set(table["dataset_version"]) == {VERSION} and set(table["govreports_version"]) == {__version__}
    assert (out / "tables" / "b.tex").read_text() == f"A table. Dataset {VERSION}; govreports {__version__}"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "tables__label-b.html" in index and "tables__label-a" not in index


def test_a_folder_written_before_manifests_is_cleared_by_name(tmp_path):
    out = tmp_path / "reports"
    (out / "tables").mkdir(parents=True)
    (out / "figures" / "year__year-2020").mkdir(parents=True)
    generated = ["year__year-2020.html", "year__year-2020.ipynb", "quality.html", "index.html", "models.ipynb",
                 "study.numbers.json", "region__region-x.numbers.json",
                 "tables/comparison.csv", "tables/comparison.tex", "figures/year__year-2020/01-x.png"]
    kept = ["my_notes.html", "yearbook.html", "tables/README.md", "data.csv", "study.txt", "quality-notes.json"]
    for name in generated + kept:
        (out / name).write_text("x", encoding="utf-8")
    removed = report.clear_previous(out, tmp_path / "no-notebooks-here")
    assert sorted(p.relative_to(out).as_posix() for p in removed) == sorted(generated)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == sorted(kept)
    assert not (out / "figures").exists() and (out / "tables").is_dir()  # emptied folders go, others stay


def test_a_manifest_cannot_reach_outside_the_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "precious.txt"
    outside.write_text("keep", encoding="utf-8")
    (out / "old.txt").write_text("old run", encoding="utf-8")
    (out / report.MANIFEST_NAME).write_text(json.dumps({"files": [{"path": "../precious.txt"}, {"path": "old.txt"},
                                                                  {"path": "/etc/hostname"}]}), encoding="utf-8")
    removed = report.clear_previous(out, tmp_path)
    assert sorted(p.name for p in removed) == ["old.txt", report.MANIFEST_NAME]
    assert outside.read_text(encoding="utf-8") == "keep" and not (out / "old.txt").exists()


def test_a_damaged_manifest_still_lets_the_name_rules_clear(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / report.MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    (out / "quality.html").write_text("x", encoding="utf-8")
    assert sorted(p.name for p in report.clear_previous(out, tmp_path)) == ["quality.html", report.MANIFEST_NAME]


@pytest.mark.parametrize("name, text, stamped", [
    ("t.csv", f"x,dataset_version,govreports_version\n1,{VERSION},{__version__}\n", True),
    ("t.csv", "x,dataset_version,govreports_version\n", True),  # no rows: the columns are there
    ("t.csv", f"x,dataset_version\n1,{VERSION}\n", False),
    ("t.csv", f"x,dataset_version,govreports_version\n1,{VERSION},{__version__}\n2,other,{__version__}\n", False),
    ("t.tex", f"\\caption{{A. Dataset {VERSION}; govreports {__version__}}}", True),
    ("t.tex", f"\\caption{{A. Dataset {VERSION}}}", False),  # the package version is a prefix of the dataset's
])
def test_is_stamped(tmp_path, name, text, stamped):
    (tmp_path / name).write_text(text, encoding="utf-8")
    assert report.is_stamped(tmp_path / name, VERSION, __version__) is stamped


def test_figures_go_to_one_folder_per_run(tmp_path, monkeypatch, notebooks_dir):
    seen = {}

    def fake_execute(source, target, parameters, **options):
        seen.update(parameters)

    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", fake_execute)
    report.execute(report.make_run("tables", label="x"), tmp_path / "p", tmp_path / "out", notebooks_dir)
    assert seen["figures_dir"] == str((tmp_path / "out" / "figures" / "tables__label-x").resolve())
    assert seen["out_dir"] == str((tmp_path / "out" / "tables").resolve())
