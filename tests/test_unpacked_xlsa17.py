"""An xlsa17 folder that the course did not download: present when its files are whole, whatever else is there."""

from __future__ import annotations

from pathlib import Path

import pytest
import scipy.io
import torch

from conftest import tiny_xlsa17_arrays
from zsl_course.cli import main
from zsl_utils.data import XLSA17_DATASETS, dataset_folder, is_available, load_dataset, load_xlsa17, save_xlsa17
from zsl_utils.errors import ZSLDataError
from zsl_utils.xlsa17_files import files_problem, mat_file_problem, missing_files


@pytest.fixture
def awa2_only(tmp_path: Path) -> Path:
    """A data root laid out as the unpacked archive, ``xlsa17/data/AWA2/`` only, without the downloader's marker."""
    save_xlsa17(tmp_path / "xlsa17" / "data" / "AWA2", **tiny_xlsa17_arrays())
    return tmp_path


def test_unpacked_folder_with_only_awa2_loads(awa2_only: Path):
    assert not (awa2_only / "xlsa17" / ".complete").exists()
    assert is_available("AWA2", awa2_only)
    assert not any(is_available(name, awa2_only) for name in XLSA17_DATASETS if name != "AWA2")
    data = load_dataset("AWA2", root=awa2_only)
    assert data.name == "AWA2" and data.features.shape == (60, 8)
    assert torch.equal(data.labels, torch.from_numpy(tiny_xlsa17_arrays()["labels"]))
    assert data.semantic("glove50").shape == (6, 50)  # the default word vectors came along


def test_data_root_from_the_environment(awa2_only: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ZSL_DATA_ROOT", str(awa2_only))
    assert load_dataset("AWA2", word_vectors=()).features.shape == (60, 8)


def test_folder_given_directly(tmp_path: Path):
    folder = tmp_path / "my_awa2_copy"
    save_xlsa17(folder, **tiny_xlsa17_arrays())
    data = load_dataset("awa2", folder=folder, word_vectors=())
    assert data.name == "AWA2" and data.features.shape == (60, 8)
    with pytest.raises(ZSLDataError, match="not both"):
        load_dataset("AWA2", root=tmp_path, folder=folder)


def test_missing_file_is_named(awa2_only: Path):
    (dataset_folder("AWA2", awa2_only) / "att_splits.mat").unlink()
    assert missing_files(dataset_folder("AWA2", awa2_only)) == ["att_splits.mat"]
    with pytest.raises(ZSLDataError, match=r"lacks att_splits.mat.*zsl-course download AWA2 --root.*ZSL_DATA_ROOT"):
        load_dataset("AWA2", root=awa2_only)


def test_half_extracted_file_is_not_present_and_says_truncated(awa2_only: Path, capsys):
    """A file cut short (as by an interrupted unzip) is not present, and the error says what is wrong with it."""
    path = dataset_folder("AWA2", awa2_only) / "res101.mat"
    whole = path.read_bytes()
    assert mat_file_problem(path) is None
    for size in (len(whole) - 1, len(whole) // 2, 200):
        path.write_bytes(whole[:size])
        assert not is_available("AWA2", awa2_only)
        problem = files_problem(path.parent)
        assert problem is not None and "truncated" in problem and f"file has {size:,}" in problem
    with pytest.raises(ZSLDataError, match=r"cannot be loaded: .*res101.mat is truncated") as error:
        load_dataset("AWA2", root=awa2_only)
    assert "not downloaded" not in str(error.value)
    assert main(["datasets", "--root", str(awa2_only)]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if "AWA2" in line)
    assert "invalid: " in line and "truncated" in line


def test_trailing_bytes_are_corrupt(awa2_only: Path):
    path = dataset_folder("AWA2", awa2_only) / "att_splits.mat"
    path.write_bytes(path.read_bytes() + b"\0" * 16)
    assert "does not start a MATLAB variable" in files_problem(path.parent)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x89HDF\r\n\x1a\n" + b"\0" * 600, "not a MATLAB v5"),
        (b"MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00 ." + b" " * 600, "v7.3"),
        (b"hello", "not a MATLAB v5"),
    ],
)
def test_not_a_v5_mat_file(awa2_only: Path, content: bytes, message: str):
    path = dataset_folder("AWA2", awa2_only) / "res101.mat"
    path.write_bytes(content)
    with pytest.raises(ZSLDataError, match=message):
        load_dataset("AWA2", root=awa2_only)


def test_wrong_fields_and_sizes_are_named(awa2_only: Path):
    folder = dataset_folder("AWA2", awa2_only)
    arrays = tiny_xlsa17_arrays()
    scipy.io.savemat(folder / "res101.mat", {"feats": arrays["features"].T, "labels": arrays["labels"][:, None] + 1})
    assert files_problem(folder).endswith("has no field features: not an xlsa17 res101.mat (it holds feats, labels)")
    scipy.io.savemat(folder / "res101.mat", {"features": arrays["features"], "labels": arrays["labels"][:, None] + 1})
    assert "features is (60, 8) and labels (60, 1)" in files_problem(folder)
    save_xlsa17(folder, **arrays)
    splits = scipy.io.loadmat(folder / "att_splits.mat")
    splits["allclasses_names"] = splits["allclasses_names"][:5]
    scipy.io.savemat(folder / "att_splits.mat", {k: v for k, v in splits.items() if not k.startswith("__")})
    with pytest.raises(ZSLDataError, match="5 class names but att has 6 classes"):
        load_dataset("AWA2", root=awa2_only)


def test_download_of_a_present_dataset_does_nothing(awa2_only: Path, capsys):
    assert main(["download", "AWA2", "--root", str(awa2_only)]) == 0  # no server: any download attempt would fail
    assert "already present" in capsys.readouterr().out


def test_is_available_agrees_with_loading(awa2_only: Path):
    """Present means loadable: every state is_available reports is the state load_dataset acts on."""
    folder = dataset_folder("AWA2", awa2_only)
    assert is_available("AWA2", awa2_only) and load_xlsa17(folder).features.shape == (60, 8)
    (folder / "res101.mat").write_bytes((folder / "res101.mat").read_bytes()[:-10])
    assert not is_available("AWA2", awa2_only)
    with pytest.raises(ZSLDataError):
        load_xlsa17(folder)
    assert missing_files(folder) == []
