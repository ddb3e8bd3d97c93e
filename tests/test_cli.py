"""The zsl-course command line."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest

import zsl_course.benchmark as benchmark
from zsl_course.cli import main
from zsl_utils.data import course_data


def test_datasets_lists_every_dataset(tmp_path: Path, capsys):
    assert main(["datasets", "--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "SHAPES" in out and "present" in out.splitlines()[1]
    for name in ("AWA1", "AWA2", "CUB", "SUN", "APY"):
        assert f"missing (zsl-course download {name})" in out


def test_unknown_dataset_is_a_clear_error(capsys):
    assert main(["download", "AWA9"]) == 2
    err = capsys.readouterr().err
    assert "unknown dataset 'AWA9'" in err and "SHAPES, AWA1, AWA2, CUB, SUN, APY" in err


def test_embedded_dataset_needs_no_download(capsys):
    assert main(["download", "shapes"]) == 0
    assert "nothing to download" in capsys.readouterr().out


def test_download_failure_is_reported_without_traceback(tmp_path: Path, capsys, monkeypatch):
    import zsl_course.download as download

    monkeypatch.setattr(download, "XLSA17_URL", "http://127.0.0.1:9/xlsa17.zip")
    monkeypatch.setattr(
        download.download_xlsa17,
        "__defaults__",
        ("http://127.0.0.1:9/xlsa17.zip",) + download.download_xlsa17.__defaults__[1:],
    )
    assert main(["download", "cub", "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("error: downloading http://127.0.0.1:9/xlsa17.zip failed")
        and "rerun `zsl-course download CUB`" in err
    )
    assert not (tmp_path / "xlsa17").exists()


# A user's mistake is `error: ...` and exit code 2, found before anything is loaded; nothing already saved is lost.

COMMITTED = course_data("results", "SHAPES_attributes", "results.json")


@pytest.fixture
def no_loading(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the dataset was loaded before the arguments were checked")

    monkeypatch.setattr(benchmark, "load_dataset", fail)


@pytest.fixture
def earlier_results(tmp_path: Path) -> Path:
    """An output folder holding the committed SHAPES results' ESZSL and DeViSE rows, as an earlier run left them."""
    saved = json.loads(COMMITTED.read_text())
    saved["results"] = [r for r in saved["results"] if r["model"] in ("devise", "eszsl")]
    out = tmp_path / "bench"
    out.mkdir()
    (out / "results.json").write_text(json.dumps(saved))
    return out


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--seeds", "0"], r"^error: the number of seeds \(--seeds\) must be a positive int, got 0$"),
        (["--seeds", "-2"], r"^error: the number of seeds \(--seeds\) must be a positive int, got -2$"),
        (
            ["--models", "eszsl", "nope"],
            r"^error: unknown model\(s\) 'nope'; valid names: ale, attention, bilinear, .*two_branch$",
        ),
        (
            ["--semantics", "glove"],
            r"^error: unknown semantics 'glove'; valid: attributes, original_attributes, glove50",
        ),
        (["--dataset", "AWA9"], r"^error: unknown dataset 'AWA9'; valid names: SHAPES, AWA1"),
    ],
)
def test_benchmark_arguments_are_checked_before_loading(no_loading, earlier_results: Path, capsys, arguments, message):
    before = (earlier_results / "results.json").read_text()
    assert main(["benchmark", "--out", str(earlier_results), *arguments]) == 2
    captured = capsys.readouterr()
    assert re.search(message, captured.err.strip()), captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    assert (earlier_results / "results.json").read_text() == before


def test_a_device_that_is_no_device_names_the_option_or_the_variable(no_loading, monkeypatch, tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["benchmark", "--device", "garbage", "--out", str(tmp_path)])
    assert exit_.value.code == 2
    assert (
        "argument --device: the device asked for is 'garbage', which is not a torch device" in capsys.readouterr().err
    )
    monkeypatch.setenv("ZSL_DEVICE", "garbage")
    assert main(["benchmark", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: ZSL_DEVICE is 'garbage', which is not a torch device")
    assert main(["run", "--out", str(tmp_path / "run")]) == 2  # checked before any notebook starts
    assert capsys.readouterr().err.startswith("error: ZSL_DEVICE is 'garbage'")
    assert not (tmp_path / "run").exists()


def test_run_checks_zsl_dataset_before_starting(monkeypatch, tmp_path: Path, capsys):
    monkeypatch.setenv("ZSL_DATASET", "AWA3")
    assert main(["run", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: ZSL_DATASET: unknown dataset 'AWA3'; valid names: SHAPES")
    monkeypatch.setenv("ZSL_DATASET", "CUB")
    monkeypatch.setenv("ZSL_DATA_ROOT", str(tmp_path))
    assert main(["run", "--out", str(tmp_path / "out")]) == 2
    assert "error: ZSL_DATASET=CUB is not downloaded: run `zsl-course download CUB`" in capsys.readouterr().err


def test_another_experiment_or_a_broken_results_file_is_never_replaced(no_loading, earlier_results: Path, capsys):
    before = (earlier_results / "results.json").read_text()
    assert main(["benchmark", "--semantics", "glove50", "--out", str(earlier_results)]) == 2
    assert (
        "holds the results of SHAPES with attributes; this run (SHAPES with glove50) would replace them"
        in capsys.readouterr().err
    )
    (earlier_results / "results.json").write_text(
        '{"dataset": "SHAPES", "semantics": "attributes", "results": [{"model": "x"}]}'
    )
    assert main(["benchmark", "--out", str(earlier_results)]) == 2
    assert "is not a results file of this version" in capsys.readouterr().err
    assert main(["benchmark", "--out", str(earlier_results / "results.json")]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    (earlier_results / "results.json").write_text(before)


def test_benchmark_saves_each_model_as_it_finishes_and_keeps_earlier_rows(earlier_results: Path, monkeypatch, capsys):
    """ESZSL runs for real on SHAPES; the next model fails inside the package (a config fit rejects). ESZSL's new
    rows replace the earlier ESZSL rows, the earlier DeViSE rows stay, and the failure is `error: ...`."""
    real = benchmark.select_and_train

    def second_model_fails(name, dataset, semantic_kind, config, seed):
        if name == "bilinear":
            config = dataclasses.replace(config, batch_size=0)
        return real(name, dataset, semantic_kind, config=config, seed=seed)

    monkeypatch.setattr(benchmark, "select_and_train", second_model_fails)
    earlier = json.loads((earlier_results / "results.json").read_text())["results"]
    arguments = [
        "benchmark",
        "--models",
        "eszsl",
        "bilinear",
        "--seeds",
        "1",
        "--no-tsne",
        "--device",
        "cpu",
        "--jobs",
        "1",
    ]
    assert main([*arguments, "--out", str(earlier_results)]) == 2
    assert capsys.readouterr().err.strip() == "error: TrainConfig.batch_size must be an int >= 1, got 0"
    saved = json.loads((earlier_results / "results.json").read_text())
    keys = [(r["model"], r["seed"]) for r in saved["results"]]
    assert keys == [(r["model"], r["seed"]) for r in earlier]  # same rows, in the same order
    assert [r for r in saved["results"] if r["model"] == "devise"] == [r for r in earlier if r["model"] == "devise"]
    new_eszsl = next(r for r in saved["results"] if r["model"] == "eszsl" and r["seed"] == 0)
    assert new_eszsl != next(r for r in earlier if r["model"] == "eszsl" and r["seed"] == 0)  # its own timing at least
    committed = next(r for r in earlier if r["model"] == "eszsl" and r["seed"] == 0)
    assert new_eszsl["metrics"]["zsl"] == pytest.approx(committed["metrics"]["zsl"], abs=0.001)  # the committed row
    table = (earlier_results / "results.md").read_text()
    assert "| eszsl |" in table and "| devise |" in table and "+ 5 runs kept from an earlier benchmark" in table


def test_an_unexpected_error_keeps_its_traceback(monkeypatch, tmp_path: Path):
    """A ValueError raised inside a library (here NumPy) is a bug to see, not a user's mistake to summarise."""
    import zsl_course.runner as course

    monkeypatch.setattr(course, "run_course", lambda *args, **kwargs: np.zeros(-1))
    with pytest.raises(ValueError, match="negative dimensions"):
        main(["run", "--out", str(tmp_path)])


def test_missing_paths_are_named(capsys, tmp_path: Path):
    assert main(["grade", str(tmp_path / "nothere.ipynb")]) == 2
    assert capsys.readouterr().err.startswith("error: notebook or folder not found:")
    assert main(["release", "--source", str(tmp_path / "none"), "--out", str(tmp_path / "release")]) == 2
    assert capsys.readouterr().err.startswith("error: --source not found:")
    assert main(["editions", "--source", str(tmp_path / "none"), "--out", str(tmp_path / "notebooks")]) == 2
    assert capsys.readouterr().err.startswith("error: --source not found:")
    assert main(["run", "--notebooks", str(tmp_path / "none"), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.startswith("error: --notebooks not found:")


def test_notebooks_copies_the_reader_edition_and_never_replaces_a_file(tmp_path: Path, capsys):
    from zsl_course.distribution import reader_edition

    dest = tmp_path / "course"
    assert main(["notebooks", str(dest)]) == 0
    expected = sorted(p.name for p in reader_edition().glob("[0-9]*.ipynb")) + ["NOTATION.md"]
    assert sorted(p.name for p in dest.iterdir()) == sorted(expected) and len(expected) >= 12
    assert (dest / expected[0]).read_bytes() == (reader_edition() / expected[0]).read_bytes()
    edited = dest / expected[0]
    edited.write_text("my answers")
    capsys.readouterr()
    assert main(["notebooks", str(dest)]) == 2
    assert f"already holds {expected[0]}" in capsys.readouterr().err and edited.read_text() == "my answers"


def test_run_executes_the_reader_edition_the_installed_package_holds(monkeypatch, tmp_path: Path):
    """In a wheel install the reader's edition is the package's notebooks/, not a folder beside it: `zsl-course run`
    finds it through distribution.reader_edition(), as `zsl-course notebooks` does."""
    import zsl_course.distribution as distribution
    import zsl_course.runner as course

    installed = tmp_path / "site-packages" / "zsl_course" / "notebooks"
    monkeypatch.setattr(distribution, "reader_edition", lambda: installed)
    ran = []
    monkeypatch.setattr(course, "run_course", lambda out, notebooks, pattern: ran.append(notebooks))
    assert main(["run", "--out", str(tmp_path / "out")]) == 0
    assert ran == [installed]


def test_help_and_version_import_no_heavy_library():
    """``--help`` and ``--version`` parse and exit before any subcommand imports torch, NumPy or the notebook tools,
    so they answer as fast as Python starts (benchmarks/cli_startup.py measures the ratio; tests assert no time)."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from zsl_course.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('torch', 'numpy', 'scipy', 'matplotlib', 'nbformat', 'nbclient', 'pandas', 'gensim', 'zsl_utils')\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in heavy))\n"
    )
    for flag in ("--help", "--version"):
        run = subprocess.run([sys.executable, "-c", probe, flag], capture_output=True, text=True, check=True)
        assert run.stdout.strip().splitlines()[-1] == "[]", f"zsl-course {flag} imported {run.stdout.splitlines()[-1]}"
        assert "zsl-course" in run.stdout


def test_clean_strips_volatile_metadata_in_place_and_keeps_outputs(tmp_path: Path, capsys):
    """`zsl-course clean` (the pre-commit hook's notebook cleaner) leaves a notebook as JupyterLab writes it on opening:
    kernelspec and language_info only, no execution timings or cell ids; outputs stay."""
    import nbformat

    from zsl_course.kernels import clean_notebook

    notebook = nbformat.v4.new_notebook(
        metadata={"widgets": {"state": {}}, "kernelspec": {"name": "other", "display_name": "Other"}}
    )
    cell = nbformat.v4.new_code_cell("print(1)", metadata={"execution": {"iopub.status.busy": "2026"}})
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    notebook.cells = [cell]
    path = tmp_path / "03_example.ipynb"
    nbformat.write(notebook, path)
    assert main(["clean", str(path)]) == 0 and "1 notebook(s) cleaned" in capsys.readouterr().out
    cleaned = nbformat.read(path, as_version=4)
    assert cleaned.metadata == clean_notebook(nbformat.v4.new_notebook()).metadata
    assert "execution" not in cleaned.cells[0].metadata and "id" not in cleaned.cells[0]
    assert cleaned.cells[0].outputs[0]["text"] == "1\n"
    before = path.read_bytes()
    assert main(["clean", str(path)]) == 0 and path.read_bytes() == before  # clean notebooks stay byte for byte
    assert main(["clean", str(tmp_path / "missing.ipynb")]) == 2


def test_the_pre_commit_hooks_are_the_ci_tools():
    """The pre-commit configuration runs ruff (pinned in pyproject's lint extra, as CI runs it) and the notebook
    cleaner on the course's notebooks."""
    import tomllib

    import yaml

    root = Path(__file__).resolve().parents[1]
    hooks = {
        hook["id"]: hook
        for repo in yaml.safe_load((root / ".pre-commit-config.yaml").read_text())["repos"]
        for hook in repo["hooks"]
    }
    assert hooks["zsl-course-clean"]["entry"] == "zsl-course clean"
    assert re.fullmatch(hooks["zsl-course-clean"]["files"], "instructor/03_devise.ipynb")
    assert hooks["ruff-check"]["entry"].startswith("ruff check") and hooks["ruff-format"]["entry"].startswith(
        "ruff format"
    )
    lint = tomllib.loads((root / "pyproject.toml").read_text())["project"]["optional-dependencies"]["lint"]
    ci = (root / ".ci" / "run").read_text()
    assert lint[0].startswith("ruff==") and 'pip install -e ".[lint]" && ruff check . && ruff format --check .' in ci


def test_every_option_of_every_command_has_help_and_names_its_default():
    import argparse

    from zsl_course.cli import build_parser

    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    missing = []
    for name, parser in commands.choices.items():
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            if not action.help:
                missing.append(f"{name} {action.dest}: no help")
            elif action.default not in (None, False, True, argparse.SUPPRESS) and "default" not in action.help:
                missing.append(f"{name} {action.dest}: default {action.default!r} not in its help")
    assert not missing, missing
    helps = {action.dest: action.help for action in commands._choices_actions}
    assert set(helps) == set(commands.choices) and all(helps.values())
