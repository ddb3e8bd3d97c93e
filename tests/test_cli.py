"""The zsl-course command line."""

from __future__ import annotations

from pathlib import Path

from zsl_utils.cli import main


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
    import zsl_utils.download as download

    monkeypatch.setattr(download, "XLSA17_URL", "http://127.0.0.1:9/xlsa17.zip")
    monkeypatch.setattr(download.download_xlsa17, "__defaults__", ("http://127.0.0.1:9/xlsa17.zip",) + download.download_xlsa17.__defaults__[1:])
    assert main(["download", "cub", "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: downloading http://127.0.0.1:9/xlsa17.zip failed") and "rerun `zsl-course download CUB`" in err
    assert not (tmp_path / "xlsa17").exists()
