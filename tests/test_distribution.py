"""The package's self-description: the repository URL and the version, from pyproject.toml or the installed metadata."""

from __future__ import annotations

import email.message
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from zsl_course import distribution

PYPROJECT = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())


def _metadata_with(*urls: str) -> email.message.Message:
    message = email.message.Message()
    message["Name"] = distribution.DISTRIBUTION
    for url in urls:
        message["Project-URL"] = url
    return message


def test_repository_url_is_the_metadata_entry_labelled_repository(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setattr(distribution, "_PYPROJECT", tmp_path / "no-checkout" / "pyproject.toml")  # a wheel install
    found = _metadata_with("Documentation, https://docs.example.org", "Repository, https://github.com/someone/fork")
    monkeypatch.setattr(metadata, "metadata", lambda name: found if name == distribution.DISTRIBUTION else None)
    assert distribution.repository_url() == "https://github.com/someone/fork"


def test_metadata_without_a_repository_url_says_how_to_fix_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setattr(distribution, "_PYPROJECT", tmp_path / "no-checkout" / "pyproject.toml")
    monkeypatch.setattr(metadata, "metadata", lambda name: _metadata_with("Documentation, https://docs.example.org"))
    with pytest.raises(LookupError, match=r"declares no Repository URL .*reinstall"):
        distribution.repository_url()


def test_in_a_checkout_the_url_is_read_from_pyproject_not_stale_metadata(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(metadata, "metadata", lambda name: _metadata_with("Repository, https://github.com/old/stale"))
    assert distribution.repository_url() == PYPROJECT["project"]["urls"]["Repository"]


def test_pyproject_declares_the_repository_once():
    assert PYPROJECT["project"]["urls"] == {"Repository": "https://github.com/zsl-course/zsl-course"}


def test_the_version_is_pyprojects_one_string_and_the_release_tag_follows_it(monkeypatch: pytest.MonkeyPatch):
    import zsl_course
    import zsl_utils

    declared = PYPROJECT["project"]["version"]
    assert distribution.course_version() == declared and distribution.release_tag() == f"v{declared}"
    assert zsl_course.__version__ == zsl_utils.__version__ == metadata.version("zsl-course")
    wheel_install = Path(__file__).parent / "no-such-pyproject.toml"  # no pyproject.toml beside the package
    monkeypatch.setattr(distribution, "_PYPROJECT", wheel_install)
    assert distribution.course_version() == metadata.version("zsl-course")
