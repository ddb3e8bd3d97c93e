"""Bad inputs and faults as users produce them: no command destroys a user's files, degenerate data is caught, and
every mistake is a clear message (the exit code 2 of ``zsl-course``), never a traceback or a silently wrong number.
One test (or a few) per row of the robustness audit's table."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from zsl_course.cli import main

ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0
"""root ignores file permissions: the read-only tests cannot fail for it."""


class _Started(Exception):
    """Raised in place of the first real work of a command: the test stops there (checks must come before it)."""


def _no_work(*_: object, **__: object) -> None:
    raise _Started


# Row 1 and row 18: build-shapes --out over a folder it did not create, a file, a read-only place.


def test_build_shapes_refuses_a_folder_that_is_not_a_build(tmp_path: Path, monkeypatch, capsys):
    import zsl_shapes.render as render

    monkeypatch.setattr(render, "render_dataset", _no_work)
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "chapter1.tex").write_text("three months of work")
    assert main(["build-shapes", "--out", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "no SHAPES build" in err and "--force" in err and "Traceback" not in err
    assert (folder / "chapter1.tex").read_text() == "three months of work"


def test_build_shapes_force_goes_past_the_check(tmp_path: Path, monkeypatch):
    import zsl_shapes.render as render

    monkeypatch.setattr(render, "render_dataset", _no_work)
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(_Started):
        main(["build-shapes", "--out", str(tmp_path), "--force"])


def test_build_shapes_checks_out_before_training(tmp_path: Path, monkeypatch, capsys):
    import zsl_shapes.render as render

    monkeypatch.setattr(render, "render_dataset", _no_work)
    file = tmp_path / "SHAPES"
    file.write_text("a file")
    assert main(["build-shapes", "--out", str(file)]) == 2
    assert "is a file" in capsys.readouterr().err and file.read_text() == "a file"


@pytest.mark.skipif(ROOT_USER, reason="root writes anywhere")
def test_build_shapes_checks_permissions_before_training(tmp_path: Path, monkeypatch, capsys):
    import zsl_shapes.render as render

    monkeypatch.setattr(render, "render_dataset", _no_work)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert main(["build-shapes", "--out", str(locked / "SHAPES")]) == 2
    finally:
        locked.chmod(0o755)
    assert "permission denied" in capsys.readouterr().err


def test_build_shapes_replaces_its_own_build_with_the_usual_mode(tmp_path: Path):
    from zsl_shapes.build import BuildConfig, build_shapes

    config = BuildConfig(images_per_class=8, epochs=1, width=8, batch_size=32)
    out = build_shapes(tmp_path / "SHAPES", config, progress=False)
    (out / "res101.mat").write_bytes(b"old")
    build_shapes(out, config, progress=False)  # an earlier build (build.json) is replaced without --force
    assert (out / "res101.mat").read_bytes() != b"old"
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~_umask()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["SHAPES"]  # no staging or old copy left beside it


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Row 3: release / editions --no-execute --out over a student's worked notebooks.

_SOURCE = Path(__file__).resolve().parents[1] / "instructor" / "07_cross_modal_attention.ipynb"


def _work_on_first_exercise(path: Path) -> None:
    """What a student does: replace the first exercise's stub by an answer."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution"))
    cell.source = "my_answer = 42  # a week of work"
    nbformat.write(notebook, path)


@pytest.mark.parametrize("command", [["release"], ["editions", "--no-execute"]])
def test_editions_never_overwrite_a_students_worked_notebook(command: list[str], tmp_path: Path, capsys):
    out = tmp_path / "notebooks"
    args = [*command, "--source", str(_SOURCE), "--out", str(out)]
    assert main(args) == 0
    assert main(args) == 0  # an untouched edition is the command's own: replaced
    target = out / _SOURCE.name
    _work_on_first_exercise(target)
    worked = target.read_text()
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert _SOURCE.name in err and "--force" in err and "nothing was written" in err
    assert target.read_text() == worked
    assert main([*args, "--force"]) == 0
    assert "my_answer = 42" not in target.read_text()
    assert sorted(p.name for p in out.iterdir()) == [_SOURCE.name]  # no temporary file left


def test_editions_refuse_a_foreign_notebook_of_the_same_name(tmp_path: Path, capsys):
    (tmp_path / _SOURCE.name).write_text("{not a notebook")
    assert main(["release", "--source", str(_SOURCE), "--out", str(tmp_path)]) == 2
    assert (tmp_path / _SOURCE.name).read_text() == "{not a notebook"


# Rows 2, 4, 9, 17 (the benchmark's results folder): zsl_course.results_store.


def _add_rows_slowly(out: str, model: str, count: int, start: float) -> None:
    """What a benchmark does as each run finishes, slowed down: re-read results.json under the lock, merge, rewrite
    (from time ``start`` on, so that both writers overlap)."""
    import json
    import time

    from zsl_course.results_store import results_lock

    time.sleep(max(0.0, start - time.time()))
    for seed in range(count):
        with results_lock(out):
            path = Path(out) / "results.json"
            rows = json.loads(path.read_text())["results"] if path.exists() else []
            time.sleep(0.05)  # the other process tries to write meanwhile
            path.write_text(json.dumps({"results": [*rows, {"model": model, "seed": seed}]}))


def test_two_writers_into_one_folder_keep_every_row(tmp_path: Path):
    import json
    import multiprocessing
    import time

    context = multiprocessing.get_context("spawn")
    start = time.time() + 15
    writers = [context.Process(target=_add_rows_slowly, args=(str(tmp_path), m, 3, start)) for m in ("eszsl", "devise")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
    rows = json.loads((tmp_path / "results.json").read_text())["results"]
    assert sorted((r["model"], r["seed"]) for r in rows) == [(m, s) for m in ("devise", "eszsl") for s in range(3)]


def test_rows_of_other_dataset_files_are_refused(tiny_folder: Path, tmp_path: Path, capsys):
    from conftest import tiny_xlsa17_arrays
    from zsl_course.results_store import check_fingerprints, data_fingerprint
    from zsl_utils.data import save_xlsa17

    other = tmp_path / "OTHER"
    save_xlsa17(other, **tiny_xlsa17_arrays(seed=1))
    mine, theirs = data_fingerprint(tiny_folder), data_fingerprint(other)
    assert mine == data_fingerprint(tiny_folder) and mine != theirs
    rows = [{"model": "eszsl", "seed": 0, "data": theirs}]
    with pytest.raises(ValueError, match=r"other dataset files \(att_splits.mat, res101.mat differ"):
        check_fingerprints(rows, mine, tmp_path / "results.json")
    check_fingerprints([{"model": "eszsl", "seed": 0, "data": mine}], mine, "results.json")
    check_fingerprints([{"model": "eszsl", "seed": 0}], mine, "results.json")  # an older row: merged, with a warning
    assert "record no dataset fingerprint" in capsys.readouterr().out


def test_repeated_models_run_once(capsys):
    from zsl_course.results_store import unique_models

    assert unique_models(["eszsl", "devise", "eszsl"]) == ["eszsl", "devise"]
    assert "eszsl more than once" in capsys.readouterr().out
    assert unique_models(None) is None


def test_results_folder_is_checked_before_any_work(tmp_path: Path):
    from zsl_course.results_store import check_out_folder

    (tmp_path / "results.json").mkdir()
    with pytest.raises(ValueError, match="is a folder, not a file"):
        check_out_folder(tmp_path)
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        check_out_folder(file)
    check_out_folder(tmp_path / "new" / "deeper")
    assert not (tmp_path / "new").exists()  # checking creates nothing


@pytest.mark.skipif(ROOT_USER, reason="root writes anywhere")
def test_read_only_results_folder_is_refused_before_any_work(tmp_path: Path):
    from zsl_course.results_store import check_out_folder

    tmp_path.chmod(0o555)
    try:
        with pytest.raises(ValueError, match="permission denied"):
            check_out_folder(tmp_path / "runs")
    finally:
        tmp_path.chmod(0o755)


# Row 11: a NaN in one minibatch of a custom loss.


def _toy_problem(seed: int = 0):
    import torch

    generator = torch.Generator().manual_seed(seed)
    semantics = torch.randn(4, 6, generator=generator)
    labels = torch.arange(4).repeat_interleave(16)
    visual = semantics[labels] @ torch.randn(6, 8, generator=generator) + 0.1 * torch.randn(64, 8, generator=generator)
    return visual, labels, semantics


def test_a_nan_batch_is_named_blamed_on_the_loss_and_the_weights_restored():
    import torch

    from zsl_utils.errors import TrainingDiverged
    from zsl_utils.losses import cross_entropy_loss
    from zsl_utils.models import Bilinear
    from zsl_utils.train import TrainConfig, fit

    visual, labels, semantics = _toy_problem()
    calls = []

    def objective(model, batch_visual, targets, class_semantics):
        calls.append(1)
        loss = cross_entropy_loss(model.class_scores(batch_visual, class_semantics), targets)
        poisoned = (targets == 3).any() and len(calls) > 4  # batch 1 of epoch 2 on: undefined for class 3's images
        return loss * float("nan") if poisoned else loss

    torch.manual_seed(0)
    model = Bilinear(8, 6)
    config = TrainConfig(epochs=3, batch_size=16, loss=objective, progress=False)
    with pytest.raises(
        TrainingDiverged, match=r"at batch 1 of 4 in epoch 2 of 3: the loss is not finite on that batch"
    ):
        fit(model, visual, labels, semantics, torch.arange(4), config)
    assert all(torch.isfinite(p).all() for p in model.parameters())  # the weights of the start of epoch 2


def test_a_too_large_learning_rate_is_blamed_on_the_learning_rate():
    import torch

    from zsl_utils.errors import TrainingDiverged
    from zsl_utils.models import Bilinear
    from zsl_utils.train import TrainConfig, fit

    visual, labels, semantics = _toy_problem()
    torch.manual_seed(0)
    model = Bilinear(8, 6)

    def squared_scores(model, batch_visual, targets, class_semantics):  # unbounded: overflows as the weights grow
        return model.class_scores(batch_visual, class_semantics).pow(2).mean()

    config = TrainConfig(epochs=3, batch_size=16, lr=1e12, warmup_epochs=0, loss=squared_scores, progress=False)
    with pytest.raises(
        TrainingDiverged, match=r"training diverged \(the weights are restored .*lower the learning rate"
    ):
        fit(model, visual, labels, semantics, torch.arange(4), config)
    assert all(torch.isfinite(p).all() for p in model.parameters())


# Rows 5 and 6: one NaN feature row (or class vector) into a model's own fit; a generator that diverges.


def _generative_problem():
    import torch

    g = torch.Generator().manual_seed(0)
    semantics = torch.rand(8, 5, generator=g)
    labels = torch.arange(6).repeat_interleave(20)
    features = torch.relu(semantics[labels] @ torch.randn(5, 12, generator=g) * 3)
    return features, labels, semantics, torch.arange(6), torch.tensor([6, 7])


@pytest.mark.parametrize("name", ["cvae", "clswgan"])
@pytest.mark.parametrize("where", ["features", "semantics"])
def test_generative_fit_refuses_nan(name: str, where: str):
    from zsl_utils.models import CLSWGAN, ConditionalVAE
    from zsl_utils.train import TrainConfig

    features, labels, semantics, seen, unseen = _generative_problem()
    if where == "features":
        features[7, 3] = float("nan")
    else:
        semantics[7, 0] = float("nan")  # an unseen class: its synthetic features would be NaN
    model = (ConditionalVAE if name == "cvae" else CLSWGAN)(12, 5, hidden_dim=16, n_per_class=5, classifier_epochs=1)
    message = r"rows \[7\] \(1 in all\)" if where == "features" else r"class vectors hold NaN or Inf in rows \[7\]"
    with pytest.raises(ValueError, match=message):
        model.fit(features, labels, semantics, seen, unseen, TrainConfig(epochs=1, batch_size=32, progress=False))


def test_a_diverging_vae_stops_and_leaves_no_model_that_scores():
    from zsl_utils.errors import TrainingDiverged
    from zsl_utils.models import ConditionalVAE
    from zsl_utils.train import TrainConfig

    features, labels, semantics, seen, unseen = _generative_problem()
    model = ConditionalVAE(12, 5, hidden_dim=16, n_per_class=5, classifier_epochs=1)
    config = TrainConfig(epochs=5, batch_size=32, lr=1e4, progress=False)
    with pytest.raises(TrainingDiverged, match=r"at batch \d+ of 3 in epoch \d of 5: the conditional VAE diverged"):
        model.fit(features, labels, semantics, seen, unseen, config)
    with pytest.raises(RuntimeError, match="call fit"):
        model.class_scores(features, semantics)


@pytest.mark.parametrize("name", ["eszsl", "nearest_prototype"])
def test_closed_form_fit_refuses_nan(name: str):
    from zsl_utils.models import build_model

    features, labels, semantics, seen, _ = _generative_problem()
    features[11, 0] = float("inf")
    model = build_model(name, 12, 5)
    with pytest.raises(ValueError, match=r"fit: features hold NaN or Inf in rows \[11\]"):
        model.fit(features, labels, semantics, seen)


# Rows 7 and 8: degenerate class vectors and features; class names that collide.


def _saved(tmp_path: Path, **changes) -> Path:
    from conftest import tiny_xlsa17_arrays
    from zsl_utils.data import save_xlsa17

    arrays = {**tiny_xlsa17_arrays(), **changes}
    folder = tmp_path / "TINY"
    save_xlsa17(folder, **arrays)
    return folder


def test_a_class_vector_of_zeros_or_a_repeated_one_warns(tmp_path: Path):
    from conftest import tiny_xlsa17_arrays
    from zsl_utils.data import load_xlsa17

    att = tiny_xlsa17_arrays()["att"].copy()
    att[4] = 0.0
    att[5] = att[2]
    with pytest.warns(UserWarning, match=r"all zeros for \['dolphin'\] and repeats the vector of \['zebra'\]"):
        load_xlsa17(_saved(tmp_path, att=att))


def test_identical_class_vectors_or_constant_features_are_refused(tmp_path: Path):
    import numpy as np

    from conftest import tiny_xlsa17_arrays
    from zsl_utils.data import load_xlsa17
    from zsl_utils.errors import ZSLDataError

    arrays = tiny_xlsa17_arrays()
    with pytest.raises(ZSLDataError, match="every class the same vector"):
        load_xlsa17(_saved(tmp_path / "a", att=np.tile(arrays["att"][:1], (6, 1))))
    with pytest.raises(ZSLDataError, match="every image has the same features"):
        load_xlsa17(_saved(tmp_path / "b", features=np.ones_like(arrays["features"])))


@pytest.mark.parametrize("twin", ["ZEBRA", "zebra ", " Zebra"])
def test_class_names_equal_up_to_case_or_spaces_are_refused(twin: str, tmp_path: Path):
    from conftest import tiny_xlsa17_arrays
    from zsl_utils.data import load_xlsa17
    from zsl_utils.errors import ZSLDataError

    names = list(tiny_xlsa17_arrays()["class_names"])
    names[3] = twin  # beside "zebra"
    with pytest.raises(ZSLDataError, match=r"repeats .* \(up to case and spaces\)"):
        load_xlsa17(_saved(tmp_path, class_names=names))


def test_class_names_read_as_the_same_words_warn():
    import numpy as np
    from gensim.models import KeyedVectors

    from zsl_utils.semantic import class_name_vectors

    vectors = KeyedVectors(3)
    vectors.add_vectors(["red", "circle", "blue"], np.eye(3, dtype=np.float32))
    with pytest.warns(UserWarning, match=r"\['red circle', 'red_circle'\] are read as the same words"):
        class_name_vectors(["red circle", "blue circle", "red_circle"], vectors)


def test_word_vectors_of_placeholder_class_names_are_refused(tmp_path: Path):
    import scipy.io

    from zsl_utils.data import load_xlsa17
    from zsl_utils.errors import ZSLDataError

    folder = _saved(tmp_path)
    content = {k: v for k, v in scipy.io.loadmat(folder / "att_splits.mat").items() if not k.startswith("__")}
    del content["allclasses_names"]
    scipy.io.savemat(folder / "att_splits.mat", content)
    assert load_xlsa17(folder).class_names[0] == "class_000"  # attributes alone: fine
    with pytest.raises(ZSLDataError, match="no allclasses_names: word vectors"):
        load_xlsa17(folder, word_vectors=("glove50",))


# Row 10: patterns and paths that match nothing.


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["run", "--pattern", "nomatch*"], r"no notebook in .* matches 'nomatch\*'"),
        (["run", "--notebooks", "FILE"], r"--notebooks .*FILE is a file"),
        (["run", "--notebooks", "MISSING"], r"--notebooks not found: .*MISSING"),
        (["colab", "--notebooks", "MISSING"], r"--notebooks not found: .*MISSING"),
        (["run", "--out", "FILE"], r"--out .*FILE is a file, not a folder"),
    ],
)
def test_nothing_to_run_is_an_error(arguments: list[str], message: str, tmp_path: Path, monkeypatch, capsys):
    import re

    import zsl_course.runner as runner

    if "nomatch*" not in arguments:  # that one goes as far as run_course, which finds nothing to run
        monkeypatch.setattr(runner, "run_course", _no_work)
    (tmp_path / "FILE").write_text("x")
    arguments = [str(tmp_path / a) if a in ("FILE", "MISSING") else a for a in arguments]
    assert main(arguments) == 2
    assert re.search(message, capsys.readouterr().err)


# Rows 12, 13, 15, 16: what stands where a dataset's files should be; the data root.


def _xlsa17_root(tmp_path: Path, name: str = "AWA2") -> Path:
    from conftest import tiny_xlsa17_arrays
    from zsl_utils.data import save_xlsa17

    save_xlsa17(tmp_path / "xlsa17" / "data" / name, **tiny_xlsa17_arrays())
    return tmp_path


def _replace_with(path: Path, kind: str) -> None:
    path.unlink()
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dangling link":
        path.symlink_to(path.parent / "nowhere.mat")
    else:  # a link loop
        path.symlink_to(path)


@pytest.mark.parametrize(
    "kind, reason",
    [("folder", "is a folder"), ("fifo", "not a regular file"), ("dangling link", "broken"), ("loop", "broken")],
)
def test_a_wrong_kind_of_file_is_named_not_called_missing(kind: str, reason: str, tmp_path: Path, capsys):
    from zsl_utils.data import load_dataset
    from zsl_utils.errors import ZSLDataError

    root = _xlsa17_root(tmp_path)
    _replace_with(root / "xlsa17" / "data" / "AWA2" / "att_splits.mat", kind)
    with pytest.raises(ZSLDataError, match=reason) as error:
        load_dataset("AWA2", root=root, word_vectors=())
    assert "not downloaded" not in str(error.value)
    assert main(["datasets", "--root", str(root)]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if "AWA2" in line)
    assert "invalid:" in line and reason in line


def test_an_unreadable_file_or_folder_is_reported_and_the_listing_goes_on(tmp_path: Path, monkeypatch, capsys):
    import pathlib

    import zsl_utils.xlsa17_files as files

    root = _xlsa17_root(tmp_path)
    _xlsa17_root(tmp_path, "CUB")
    real_access = os.access
    monkeypatch.setattr(files.os, "access", lambda p, mode: "AWA2" not in str(p) and real_access(p, mode))
    assert main(["datasets", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "not readable (permission denied)" in next(line for line in out.splitlines() if "AWA2" in line)
    monkeypatch.setattr(files.os, "access", real_access)

    real_stat, real_lstat = pathlib.Path.stat, pathlib.Path.lstat

    def denied(real):  # what a folder without read and search permission does to every path under it
        def stat(path, *args, **kwargs):
            if path.parent.name == "CUB":
                raise PermissionError(13, "Permission denied", str(path))
            return real(path, *args, **kwargs)

        return stat

    monkeypatch.setattr(pathlib.Path, "stat", denied(real_stat))
    monkeypatch.setattr(pathlib.Path, "lstat", denied(real_lstat))
    assert main(["datasets", "--root", str(root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "Permission denied" in next(line for line in lines if "CUB" in line)
    assert "present" in next(line for line in lines if "AWA2" in line)


def test_labels_that_do_not_fit_the_classes_are_listed_as_invalid(tmp_path: Path, capsys):
    import numpy as np

    from conftest import tiny_xlsa17_arrays
    from zsl_utils.data import save_xlsa17

    arrays = tiny_xlsa17_arrays()
    save_xlsa17(
        tmp_path / "xlsa17" / "data" / "SUN",
        **{**arrays, "labels": np.where(arrays["labels"] == 5, 6, arrays["labels"])},
    )
    assert main(["datasets", "--root", str(tmp_path)]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if "SUN" in line)
    assert "invalid:" in line and "labels span [1, 7]" in line and "6 classes" in line


@pytest.mark.parametrize("command", [["datasets"], ["download", "AWA2"]])
@pytest.mark.parametrize("kind", ["file", "loop"])
def test_a_data_root_that_is_not_a_folder_is_an_error(
    command: list[str], kind: str, tmp_path: Path, monkeypatch, capsys
):
    root = tmp_path / "root"
    if kind == "file":
        root.write_text("x")
    else:
        root.symlink_to(root)
    monkeypatch.setenv("ZSL_DATA_ROOT", str(root))
    assert main(command) == 2
    err = capsys.readouterr().err
    assert f"data root {root}" in err and ("is a file" in err or "link loop" in err)


@pytest.mark.skipif(ROOT_USER, reason="root writes anywhere")
def test_download_into_a_read_only_root_is_refused_before_downloading(tmp_path: Path, capsys):
    tmp_path.chmod(0o555)
    try:
        assert main(["download", "AWA2", "--root", str(tmp_path / "data")]) == 2
    finally:
        tmp_path.chmod(0o755)
    assert "permission denied" in capsys.readouterr().err


# Row 14: a relative ZSL_DATA_ROOT with `zsl-course run`.


def test_a_relative_data_root_is_resolved_before_kernels_start(tmp_path: Path, monkeypatch):
    import zsl_course.runner as runner

    seen = {}
    monkeypatch.setattr(runner, "run_course", lambda *a, **k: seen.update(root=os.environ["ZSL_DATA_ROOT"]))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    monkeypatch.setenv("ZSL_DATA_ROOT", "data")
    monkeypatch.delenv("ZSL_DATASET", raising=False)
    assert main(["run", "--pattern", "00_*.ipynb", "--out", str(tmp_path / "out")]) == 0
    assert seen["root"] == str(tmp_path / "data")


# Row 19: command-line paths of the wrong kind.


def test_notebooks_into_a_file_is_an_error(tmp_path: Path, capsys):
    file = tmp_path / "dest"
    file.write_text("x")
    assert main(["notebooks", str(file)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err and file.read_text() == "x"


@pytest.mark.parametrize("content", ["just some text", '{"cells": [], "broken'])
def test_grading_something_that_is_not_a_notebook_is_an_error(content: str, tmp_path: Path, capsys):
    path = tmp_path / "work.ipynb"
    path.write_text(content)
    assert main(["grade", str(path)]) == 2
    assert "is not a readable notebook" in capsys.readouterr().err


def test_exercise_table_of_a_missing_doc_is_an_error(tmp_path: Path, capsys):
    assert main(["exercise-table", "--doc", str(tmp_path / "missing.md")]) == 2
    assert "--doc not found" in capsys.readouterr().err


# Rows 21 and 22: a device that is not here; seeds outside [0, 2**32).


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="this machine has CUDA")
def test_fit_on_cuda_without_a_gpu_names_the_device():
    import torch

    from zsl_utils.models import Bilinear
    from zsl_utils.train import TrainConfig, fit

    visual, labels, semantics = _toy_problem()
    with pytest.raises(ValueError, match="CUDA is not available here; use cpu"):
        fit(Bilinear(8, 6), visual, labels, semantics, torch.arange(4), TrainConfig(progress=False), device="cuda")


@pytest.mark.parametrize("seed", [-1, 2**40, 2**64])
def test_seeds_outside_the_range_are_refused(seed: int, capsys):
    from zsl_utils.train import TrainConfig

    with pytest.raises(ValueError, match=r"TrainConfig.seed must be an int in \[0, 2\*\*32\)"):
        TrainConfig(seed=seed)
    assert main(["build-shapes", "--seed", str(seed), "--out", "/nonexistent/never"]) == 2
    assert "the seed (--seed) must be an int in [0, 2**32)" in capsys.readouterr().err


# Row 23: a benchmark's workers end with it.


def _worker(pid_file: str) -> None:
    import time

    from zsl_course.results_store import exit_with_parent

    exit_with_parent(poll_seconds=0.1)
    Path(pid_file).write_text(str(os.getpid()))
    time.sleep(120)  # a long run


def _parent(pid_file: str) -> None:
    import multiprocessing
    import time

    multiprocessing.get_context("spawn").Process(target=_worker, args=(pid_file,)).start()
    time.sleep(120)


def test_workers_end_when_the_benchmark_is_killed(tmp_path: Path):
    import multiprocessing
    import signal
    import time

    pid_file = tmp_path / "worker.pid"
    parent = multiprocessing.get_context("spawn").Process(target=_parent, args=(str(pid_file),))
    parent.start()
    deadline = time.time() + 90
    while not pid_file.exists() or not pid_file.read_text():
        assert time.time() < deadline, "the worker never started"
        time.sleep(0.2)
    worker = int(pid_file.read_text())
    os.kill(parent.pid, signal.SIGKILL)
    parent.join(10)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(worker, signal.SIGKILL)
    pytest.fail("the worker outlived its killed parent by 10 s")


@pytest.mark.parametrize("dtype", ["float64", "float16"])
def test_inputs_of_another_dtype_than_the_weights_are_named(dtype: str):
    import torch

    from zsl_utils.models import Bilinear
    from zsl_utils.train import TrainConfig, fit

    visual, labels, semantics = _toy_problem()
    model = Bilinear(8, 6)
    other = visual.to(getattr(torch, dtype))
    with pytest.raises(
        ValueError, match=rf"class_scores: visual is torch.{dtype} but the model's weights are torch.float32"
    ):
        model.class_scores(other, semantics)
    with pytest.raises(ValueError, match=rf"visual is torch.{dtype}"):
        fit(model, other, labels, semantics, torch.arange(4), TrainConfig(epochs=1, progress=False))
