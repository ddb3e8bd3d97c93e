"""The wheel alone gives a working course: it holds the embedded data, the committed results and the reader's
edition, and a fresh environment with only the wheel installed (no clone, no editable install) copies the notebooks
with `zsl-course notebooks` and runs one of them outside the repository on the wheel's own zsl_utils."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "00_zero_shot_problem.ipynb"
EXECUTE = """
import json, sys
from pathlib import Path
import nbformat
import zsl_utils
from zsl_course.kernels import execute_notebook

path = Path(sys.argv[1])
notebook = nbformat.read(path, as_version=4)
notebook.cells.append(nbformat.v4.new_code_cell(
    "import json, sys, zsl_utils, zsl_utils.data as d\\n"
    "print(json.dumps({'kernel_python': sys.executable, 'zsl_utils': zsl_utils.__file__, "
    "'shapes': str(d.dataset_folder('SHAPES'))}))"))
execute_notebook(notebook, cwd=path.parent, timeout=900, allow_errors=False)
print(json.dumps({"runner_zsl_utils": zsl_utils.__file__}))
print(notebook.cells[-1].outputs[0]["text"].strip())
"""


GRADED = "09_generalized_zsl.ipynb"
NO_ROUTE = """
import importlib, json, os, pkgutil, sys
from pathlib import PurePath
import zsl_course, zsl_shapes, zsl_utils
from zsl_course.distribution import SOURCES

names = [m.name for p in (zsl_utils, zsl_shapes, zsl_course) for m in pkgutil.walk_packages(p.__path__, p.__name__ + ".")]
modules = [importlib.import_module(name) for name in names]
repository = sys.argv[1]
routes = [
    f"{module.__name__}.{attribute}"
    for module in modules
    for attribute, value in vars(module).items()
    if isinstance(value, (str, PurePath))
    and (str(value).startswith(repository) or ("instructor" in str(value) and os.path.exists(str(value))))
]
assert not SOURCES.exists(), SOURCES
print(json.dumps({"modules": len(modules), "routes": routes}))
"""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# What a source copy for the build leaves out: version control, build leftovers, local outputs and downloads (a
# stale build/lib would otherwise slip old files into the wheel).
_NOT_SOURCE_NAMES = shutil.ignore_patterns(
    ".git",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".ipynb_checkpoints",
    "output",
    "runs",
    "release",
    ".pytest_cache",
)
_DOWNLOADS = {ROOT / "data" / "xlsa17", ROOT / "data" / "downloads"}


def _not_source(folder: str, names: list[str]) -> set[str]:
    """What a source copy leaves out: the names above anywhere, and the downloads under data/."""
    return set(_NOT_SOURCE_NAMES(folder, names)) | {name for name in names if Path(folder) / name in _DOWNLOADS}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of a copy of this source tree (no dependencies, built with this environment's setuptools)."""
    source, out = tmp_path_factory.mktemp("source") / "zsl-course", tmp_path_factory.mktemp("wheel")
    shutil.copytree(ROOT, source, ignore=_not_source)
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "--wheel-dir",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    (built,) = out.glob("zsl_course-*.whl")
    return built


def test_the_wheel_holds_the_packages_the_data_and_the_reader_edition_and_nothing_else(wheel: Path):
    data = [*(ROOT / "data" / "SHAPES").glob("*"), *(ROOT / "data" / "results").glob("*/*")]
    shipped = {
        **{
            p.relative_to(ROOT).as_posix(): p
            for package in ("zsl_utils", "zsl_shapes", "zsl_course")
            for p in (ROOT / package).glob("*.py")
        },
        **{f"zsl_utils/course_data/{p.relative_to(ROOT / 'data').as_posix()}": p for p in data},
        **{
            f"zsl_course/notebooks/{p.name}": p
            for p in [*(ROOT / "notebooks").glob("[0-9]*.ipynb"), ROOT / "notebooks" / "NOTATION.md"]
        },
    }
    assert {
        "zsl_utils/course_data/SHAPES/res101.mat",
        "zsl_utils/course_data/SHAPES/regions.npy",
        "zsl_utils/course_data/results/SHAPES_attributes/results.json",
        "zsl_course/cli.py",
        "zsl_shapes/render.py",
        "zsl_course/notebooks/00_zero_shot_problem.ipynb",
    } <= set(shipped)
    with zipfile.ZipFile(wheel) as archive:
        names = {name for name in archive.namelist() if not name.startswith("zsl_course-")}  # less the .dist-info
        assert names == set(shipped), f"missing: {set(shipped) - names}; unexpected: {names - set(shipped)}"
        for name, source in shipped.items():
            assert _sha256(archive.read(name)) == _sha256(source.read_bytes()), f"{name} differs from {source}"


def _isolated_environment(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A fresh venv whose only zsl_utils can be the wheel's: it sees this environment's dependencies through a
    .pth line, and .pth files are not read in folders added that way, so this environment's editable install
    (a .pth finder) is not; PYTHONPATH and ZSL_* variables are dropped."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    ours = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "_zsl_course_dependencies.pth").write_text("".join(f"{path}\n" for path in ours))
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH" and not key.startswith("ZSL_")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return venv, env


def test_a_wheel_only_install_runs_a_released_notebook_outside_the_repository(wheel: Path, tmp_path: Path):
    venv, env = _isolated_environment(tmp_path)
    python = venv / "bin" / "python"
    probe = subprocess.run(
        [str(python), "-c", "import importlib.util as u; print(u.find_spec('zsl_utils'))"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert probe.stdout.strip() == "None", f"zsl_utils importable before the wheel is installed: {probe.stdout}"

    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    course = tmp_path / "my course"
    copied = subprocess.run(
        [str(venv / "bin" / "zsl-course"), "notebooks", str(course)],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    )
    assert f"copied from {venv}" in copied.stdout and (course / NOTEBOOK).is_file()

    run = subprocess.run(
        [str(python), "-c", EXECUTE, str(course / NOTEBOOK)], env=env, cwd=course, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-3000:]
    runner, kernel = (json.loads(line) for line in run.stdout.strip().splitlines()[-2:])
    installed = Path(kernel["zsl_utils"]).resolve()
    assert installed.is_relative_to(venv.resolve()) and not installed.is_relative_to(ROOT)
    assert Path(runner["runner_zsl_utils"]).resolve() == installed
    assert Path(kernel["kernel_python"]).parent == venv / "bin"
    assert Path(kernel["shapes"]) == installed.parent / "course_data" / "SHAPES"

    # No route from the student's install to the instructor's source: no installed module holds a path into the
    # repository or to an existing instructor/ folder, and the self-check runs the visible checks and says the
    # hidden ones run at grading.
    scan = subprocess.run([str(python), "-c", NO_ROUTE, str(ROOT)], env=env, cwd=course, capture_output=True, text=True)
    assert scan.returncode == 0, scan.stderr[-3000:]
    found = json.loads(scan.stdout.strip().splitlines()[-1])
    assert found["routes"] == [] and found["modules"] >= 30, found  # every module of the three packages imported
    graded = subprocess.run(
        [str(venv / "bin" / "zsl-course"), "grade", str(course / GRADED)],
        env=env,
        cwd=course,
        capture_output=True,
        text=True,
    )
    assert graded.returncode == 0, graded.stderr[-3000:]
    assert "the visible checks ran as submitted; the hidden checks run at grading" in graded.stdout
    assert "instructor" not in graded.stdout and "total 0/" in graded.stdout  # the reader's stubs score nothing


def _stub_wheel(folder: Path, name: str, version: str) -> Path:
    """A minimal installable wheel of distribution ``name`` at ``version`` (one module that records its version)."""
    files = {
        f"{name}/__init__.py": f'__version__ = "{version}"\n'.encode(),
        f"{name}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{name}-{version}.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{path},sha256={_sha256_b64(data)},{len(data)}\n" for path, data in files.items())
    files[f"{name}-{version}.dist-info/RECORD"] = (record + f"{name}-{version}.dist-info/RECORD,,\n").encode()
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    return path


def _sha256_b64(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _stub_version(requirement: str) -> tuple[str, str]:
    """(name, a version satisfying ``requirement``): its lower bound where it states one, else 1.0."""
    from packaging.requirements import Requirement

    parsed = Requirement(requirement)
    floors = [spec.version for spec in parsed.specifier if spec.operator in (">=", "==", "~=")]
    version = floors[0] if floors else "1.0"
    assert parsed.specifier.contains(version), requirement
    return parsed.name, version


def test_installing_the_course_keeps_a_newer_torch_already_there(wheel: Path, tmp_path: Path):
    """An environment whose torch and torchvision are newer than this machine's (Colab's) keeps them: pip installs the
    course's wheel and takes nothing else for torch. A fresh venv holds stubs of the newer releases; the index is a
    local folder of stubs of every other dependency (at their floors) and of no other torch, so a requirement that
    excluded the installed torch would make the install fail. pip's configuration files and PIP_* variables are not
    read (this machine's cap torch at its own version and add a local wheel folder)."""
    with zipfile.ZipFile(wheel) as archive:
        info = next(name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
        requires = [
            line.split(":", 1)[1].strip()
            for line in archive.read(info).decode().splitlines()
            if line.startswith("Requires-Dist:") and ";" not in line
        ]
    newer = {"torch": "2.99.0", "torchvision": "0.99.0"}
    index = tmp_path / "index"
    index.mkdir()
    for requirement in requires:
        name, version = _stub_version(requirement)
        if name not in newer:
            _stub_wheel(index, name.replace("-", "_"), version)
    installed = tmp_path / "installed"
    installed.mkdir()
    for name, version in newer.items():
        _stub_wheel(installed, name, version)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}  # no find-links, no cap
    env["PIP_CONFIG_FILE"] = os.devnull
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet", "--no-index"]
    subprocess.run([*pip, *sorted(map(str, installed.iterdir()))], env=env, check=True)
    install = subprocess.run([*pip, "--find-links", str(index), str(wheel)], env=env, capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    versions = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import torch, torchvision; print(torch.__version__, torchvision.__version__)",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    )
    assert versions.stdout.split() == ["2.99.0", "0.99.0"]
    capped = subprocess.run(
        [*pip, "--find-links", str(index), "--dry-run", "torch<=2.14.1"], env=env, capture_output=True
    )
    assert capped.returncode != 0  # the same set-up does fail a requirement that would replace the newer torch
