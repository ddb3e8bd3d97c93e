"""The ``zsl-course`` command line: datasets, download, and the course's build, benchmark and run commands."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__

if TYPE_CHECKING:
    import torch

__all__ = ["main"]

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent
_OWN_PACKAGES = tuple(_CHECKOUT / name for name in ("zsl_course", "zsl_utils", "zsl_shapes"))
"""The folders whose errors are messages for the user (this distribution's packages), not tracebacks."""
_DATASET_NAMES = "SHAPES, AWA1, AWA2, CUB, SUN, APY"
"""What ``zsl_utils.data.dataset_names()`` returns, written here so that ``--help`` does not import torch."""

_FORCE_HELP = "overwrite notebooks in --out that are not untouched editions (a student's worked notebooks)"


def _device_option(text: str) -> torch.device:
    """``--device``: a torch device present here, checked while parsing (argparse names the option)."""
    from zsl_utils.utils import get_device

    try:
        return get_device(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _existing(paths: list[str], what: str) -> None:
    """A ValueError naming each of ``paths`` that does not exist (``what``: how the command line calls them)."""
    missing = [path for path in paths if not Path(path).exists()]
    if missing:
        raise ValueError(f"{what} not found: {', '.join(missing)}; check the path")


def _check_root(root: Path, write: bool = False) -> None:
    """A ZSLDataError when the data root ``root`` is not a folder (a file, a broken link or a link loop) or, with
    ``write``, when this user cannot create files in it (or in its nearest existing parent)."""
    from zsl_utils.errors import ZSLDataError

    if root.is_symlink() and not root.exists():
        raise ZSLDataError(f"data root {root} is a broken symbolic link or a link loop; fix it or choose another root")
    if root.exists() and not root.is_dir():
        raise ZSLDataError(f"data root {root} is a file, not a folder; set --root or ZSL_DATA_ROOT to a folder")
    where = root.absolute()
    while not where.exists():
        where = where.parent
    if write and not os.access(where, os.W_OK | os.X_OK):
        raise ZSLDataError(f"cannot write in the data root {root}: permission denied in {where}; choose another --root")


def _datasets(args: argparse.Namespace) -> int:
    from zsl_utils.data import EMBEDDED_DATASETS, dataset_folder, dataset_names, default_root

    _check_root(Path(args.root) if args.root else default_root())
    print(f"data root: {args.root or default_root()}")
    for name in dataset_names():
        kind = "embedded" if name in EMBEDDED_DATASETS else "xlsa17"
        state = _dataset_state(name, args.root)
        print(f"  {name:<7} {kind:<9} {state:<40} {dataset_folder(name, args.root)}")
    return 0


def _dataset_state(name: str, root: str | None) -> str:
    """``present``, ``missing (how to get it)``, or ``invalid: what is wrong with a file that is there``."""
    from zsl_utils.data import EMBEDDED_DATASETS, dataset_folder
    from zsl_utils.xlsa17_files import files_problem, missing_files

    folder = dataset_folder(name, root)
    try:
        if missing_files(folder):
            return (
                "missing (zsl-course build-shapes)"
                if name in EMBEDDED_DATASETS
                else f"missing (zsl-course download {name})"
            )
        problem = files_problem(folder)
    except OSError as error:  # an unreadable folder: this dataset's state, not the listing's end
        return f"unreadable: {error.strerror or error} ({error.filename}); check the permissions"
    return "present" if problem is None else f"invalid: {problem}"


def _download(args: argparse.Namespace) -> int:
    from zsl_utils.data import (
        EMBEDDED_DATASETS,
        XLSA17_DATASETS,
        dataset_folder,
        dataset_names,
        default_root,
        is_available,
    )
    from zsl_utils.errors import ZSLDataError

    from .download import download_xlsa17

    name = args.name.upper()
    if name not in dataset_names():
        raise ZSLDataError(f"unknown dataset {args.name!r}; valid names: {', '.join(dataset_names())}")
    if name in EMBEDDED_DATASETS:
        print(f"{name} is embedded in the repository ({dataset_folder(name)}); nothing to download")
        return 0
    root = Path(args.root) if args.root else default_root()
    _check_root(root)
    if is_available(name, root):
        print(f"{name} is already present in {dataset_folder(name, root)}; nothing to download")
        return 0
    _check_root(root, write=True)
    print(f"{name} comes in the xlsa17 archive with {', '.join(XLSA17_DATASETS)}")
    path = download_xlsa17(root, sha256=args.sha256, dataset=name)
    print(f"xlsa17 ready at {path}")
    return 0


def _build_shapes(args: argparse.Namespace) -> int:
    from zsl_shapes.build import BuildConfig, build_shapes

    out = build_shapes(args.out, BuildConfig(seed=args.seed), force=args.force)
    print(f"SHAPES written to {out}")
    return 0


def _benchmark(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from zsl_course.benchmark import run_benchmark

    _, table = run_benchmark(
        args.dataset,
        args.models,
        args.seeds,
        args.semantics,
        args.out,
        args.device,
        tsne=not args.no_tsne,
        jobs=args.jobs,
    )
    print()
    print(table)
    print(f"\nresults.json, results.md and t-SNE figures in {args.out}")
    return 0


def _check_course_environment() -> None:
    """ZSL_DEVICE and ZSL_DATASET, checked before any notebook starts: every notebook would fail on them."""
    from zsl_utils.data import is_available
    from zsl_utils.errors import ZSLDataError
    from zsl_utils.utils import get_device

    get_device()
    if os.environ.get("ZSL_DATA_ROOT"):  # resolved once: kernels run in the notebooks' folder, not here
        os.environ["ZSL_DATA_ROOT"] = str(Path(os.environ["ZSL_DATA_ROOT"]).resolve())
        _check_root(Path(os.environ["ZSL_DATA_ROOT"]))
    name = os.environ.get("ZSL_DATASET", "SHAPES")
    try:
        available = is_available(name)
    except ZSLDataError as error:
        raise ZSLDataError(f"ZSL_DATASET: {error}") from error
    if not available:
        raise ZSLDataError(
            f"ZSL_DATASET={name} is not downloaded: run `zsl-course download {name}` (or unset ZSL_DATASET)"
        )


def _run(args: argparse.Namespace) -> int:
    from .distribution import reader_edition
    from .runner import run_course

    if args.notebooks:
        _notebook_folder(Path(args.notebooks), args.pattern, "--notebooks")
    notebooks = Path(args.notebooks) if args.notebooks else reader_edition()
    if Path(args.out).exists() and not Path(args.out).is_dir():
        raise ValueError(f"--out {args.out} is a file, not a folder; choose a folder for the executed notebooks")
    _check_course_environment()
    run_course(args.out, notebooks=notebooks, pattern=args.pattern)
    return 0


def _notebook_folder(folder: Path, pattern: str, option: str) -> None:
    """A ValueError unless ``folder`` is a folder holding notebooks that match ``pattern``."""
    _existing([str(folder)], option)
    if not folder.is_dir():
        raise ValueError(f"{option} {folder} is a file; give the folder that holds the notebooks")
    if not any(folder.glob(pattern)):
        raise ValueError(f"no notebook in {folder} matches {pattern!r}; check --pattern (a glob such as '07_*.ipynb')")


def _release(args: argparse.Namespace) -> int:
    from .distribution import SOURCES
    from .editions import release

    _existing([args.source] if args.source else [], "--source")
    release(
        args.source or SOURCES,
        args.out,
        pattern=args.pattern,
        on_written=lambda path: print(f"student edition: {path}"),
        force=args.force,
    )
    return 0


def _editions(args: argparse.Namespace) -> int:
    from .distribution import NOTEBOOKS, SOURCES
    from .editions import release

    _existing([args.source] if args.source else [], "--source")
    if args.execute:
        _check_course_environment()
    state = "" if args.execute else " (not executed)"
    release(
        args.source or SOURCES,
        args.out or NOTEBOOKS,
        pattern=args.pattern,
        execute=args.execute,
        on_written=lambda path: print(f"reader's edition{state}: {path}", flush=True),
        force=args.force,
    )
    return 0


def _notebooks(args: argparse.Namespace) -> int:
    from .distribution import copy_reader_edition, reader_edition

    dest = Path(args.dest)
    if dest.exists() and not dest.is_dir():
        raise ValueError(f"{dest} is a file, not a folder; give a folder to copy the notebooks into")
    where = dest.absolute()
    while not where.exists():
        where = where.parent
    if not os.access(where, os.W_OK | os.X_OK):
        raise ValueError(f"cannot write in {where} (permission denied); give a folder you can write")
    copies = copy_reader_edition(dest)
    print(
        f"{len(copies)} files of the reader's edition (no solutions) copied from {reader_edition()} to {args.dest}; "
        f"open them with: jupyter lab {args.dest}"
    )
    return 0


def _notebooks_in(target: Path) -> list[Path]:
    """``target`` itself, or every notebook under the folder ``target`` (nbgrader's ``submitted/<student>/
    <assignment>/`` layout included), checkpoints left out."""
    if not target.is_dir():
        return [target]
    return sorted(p for p in target.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _grade(args: argparse.Namespace) -> int:
    import nbformat

    from .grading import grade_notebook

    _existing(args.notebooks + ([args.source] if args.source else []), "notebook or folder")
    paths = [path for target in args.notebooks for path in _notebooks_in(Path(target))]
    if not paths:
        raise ValueError(
            f"no .ipynb notebook in {', '.join(args.notebooks)}; give a notebook or a folder that holds some"
        )
    for path in paths:
        try:
            nbformat.read(path, as_version=4)
        except Exception as error:  # not JSON, not a notebook, unreadable
            raise ValueError(
                f"{path} is not a readable notebook ({type(error).__name__}); give a .ipynb file"
            ) from error
    reports = [grade_notebook(path, sources=args.source) for path in paths]
    for report in reports:
        print(report)
    if len(reports) > 1:
        print(f"all: {sum(r.earned for r in reports):g}/{sum(r.total for r in reports):g}")
    return 0


def _course(args: argparse.Namespace) -> int:
    try:
        from .nbgrader_course import write_course_folder
    except ImportError as error:
        raise ValueError(f"{error}: `zsl-course course` needs nbgrader: pip install 'zsl-course[teach]'") from None
    written = write_course_folder(args.root, args.exchange, timeout=args.timeout)
    print(
        f"nbgrader course folder {Path(args.root).resolve()}: {written[0].name} and {len(written) - 1} assignments "
        f"in source/; run nbgrader's commands there (docs/teaching.md)"
    )
    return 0


def _exercise_table(args: argparse.Namespace) -> int:
    from .grading import update_exercise_table

    _existing([args.doc], "--doc")
    changed = update_exercise_table(args.doc)
    print(f"{args.doc}: exercise table {'rewritten' if changed else 'already up to date'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``zsl-course`` argument parser: one subcommand per task, each with its help text."""
    parser = argparse.ArgumentParser(
        prog="zsl-course", description="Zero-shot learning course: data, benchmarks, notebooks."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    datasets = commands.add_parser("datasets", help="list every dataset and whether it is present")
    datasets.add_argument(
        "--root", help="data root (default: $ZSL_DATA_ROOT, else the repository's data/ or ~/.cache/zsl-course)"
    )
    datasets.set_defaults(func=_datasets)

    download = commands.add_parser("download", help="download an xlsa17 benchmark (AWA1, AWA2, CUB, SUN, APY)")
    download.add_argument("name", help=f"one of {_DATASET_NAMES}")
    download.add_argument(
        "--root", help="data root (default: $ZSL_DATA_ROOT, else the repository's data/ or ~/.cache/zsl-course)"
    )
    download.add_argument("--sha256", help="expected SHA-256 of xlsa17.zip, checked before extraction")
    download.set_defaults(func=_download)

    shapes = commands.add_parser("build-shapes", help="rebuild the embedded SHAPES dataset from scratch")
    shapes.add_argument("--out", help="output folder (default: where SHAPES is loaded from, see `zsl-course datasets`)")
    shapes.add_argument("--seed", type=int, default=0, help="seed of the renderer and the splits (default 0)")
    shapes.add_argument(
        "--force", action="store_true", help="replace --out even when it holds files that are not a SHAPES build"
    )
    shapes.set_defaults(func=_build_shapes)

    bench = commands.add_parser("benchmark", help="every model with validation-based selection, over seeds")
    bench.add_argument("--dataset", default="SHAPES", help=f"one of {_DATASET_NAMES} (default SHAPES)")
    bench.add_argument("--models", nargs="+", help="model names (default: all the course's models)")
    bench.add_argument("--seeds", type=int, default=3, help="number of seeds, 0..N-1 (default 3)")
    bench.add_argument(
        "--semantics", default="attributes", help="class semantics: attributes, glove50, ... (default attributes)"
    )
    bench.add_argument(
        "--out", default="runs/benchmark", help="folder of results.json and the figures (default runs/benchmark)"
    )
    bench.add_argument("--device", type=_device_option, help="cpu, cuda, mps (default: $ZSL_DEVICE, else get_device())")
    bench.add_argument("--no-tsne", action="store_true", help="skip the t-SNE figures")
    bench.add_argument("--jobs", type=int, help="runs at once, one process each (default: 2 on a CPU, 1 on a GPU)")
    bench.set_defaults(func=_benchmark)

    run = commands.add_parser("run", help="execute every notebook headless; executed copies and figures to --out")
    run.add_argument("--out", default="output", help="folder of the executed copies and figures (default output)")
    run.add_argument("--pattern", default="[0-9]*.ipynb", help="which notebooks (glob, default [0-9]*.ipynb)")
    run.add_argument("--notebooks", help="folder of the notebooks to run (default: the reader's edition, notebooks/)")
    run.set_defaults(func=_run)

    editions = commands.add_parser(
        "editions", help="write the reader's edition (notebooks/) from the instructor's source, executed"
    )
    editions.add_argument("--source", help="a notebook or folder (default: the instructor's source)")
    editions.add_argument("--out", help="folder of the reader's edition (default: the course's notebooks/)")
    editions.add_argument(
        "--pattern", default="[0-9]*.ipynb", help="which notebooks of a source folder (glob, default [0-9]*.ipynb)"
    )
    editions.add_argument(
        "--no-execute", dest="execute", action="store_false", help="write the editions without executing them"
    )
    editions.add_argument("--force", action="store_true", help=_FORCE_HELP)
    editions.set_defaults(func=_editions)

    rel = commands.add_parser(
        "release", help="the student edition: the notebooks without solutions, hidden tests or outputs"
    )
    rel.add_argument("--source", help="a notebook or folder (default: the instructor's source)")
    rel.add_argument("--out", default="release", help="folder of the student edition (default release)")
    rel.add_argument(
        "--pattern", default="[0-9]*.ipynb", help="which notebooks of a source folder (glob, default [0-9]*.ipynb)"
    )
    rel.add_argument("--force", action="store_true", help=_FORCE_HELP)
    rel.set_defaults(func=_release)

    notebooks = commands.add_parser(
        "notebooks", help="copy the reader's edition of the notebooks (shipped with the package, no solutions) to DEST"
    )
    notebooks.add_argument(
        "dest", help="folder to copy into (created if needed; files already there are never replaced)"
    )
    notebooks.set_defaults(func=_notebooks)

    grade = commands.add_parser(
        "grade",
        help="a student's self-check: the set-up and graded cells run as grading runs them, the points printed "
        "(hidden checks too where the solution notebooks are at hand)",
    )
    grade.add_argument(
        "notebooks", nargs="+", help="notebooks, or folders searched recursively (nbgrader's submitted/)"
    )
    grade.add_argument(
        "--source", help="solution notebook or folder to restore the test cells from (default: the instructor's source)"
    )
    grade.set_defaults(func=_grade)

    colab = commands.add_parser(
        "colab", help="write every notebook's Open-in-Colab badge and install cell from pyproject's Repository URL"
    )
    colab.add_argument("--notebooks", help="the folder to write (default: the instructor's source)")
    colab.set_defaults(func=_colab)

    clean = commands.add_parser("clean", help="strip volatile metadata from notebooks in place (outputs kept)")
    clean.add_argument("notebooks", nargs="+", help="the .ipynb files to clean")
    clean.set_defaults(func=_clean)

    course = commands.add_parser(
        "course", help="an nbgrader course folder: nbgrader_config.py and every notebook as an assignment in source/"
    )
    course.add_argument("root", help="the course folder to create (absolute or relative; never overwritten)")
    course.add_argument("--exchange", required=True, help="nbgrader's exchange folder, shared by the hub's users")
    course.add_argument(
        "--timeout", type=int, default=600, help="seconds per cell under autograde (default 600; nbgrader's is 30)"
    )
    course.set_defaults(func=_course)

    table = commands.add_parser(
        "exercise-table", help="rewrite the exercise table of docs/teaching.md from the instructor's source"
    )
    table.add_argument(
        "--doc", default=str(_CHECKOUT / "docs" / "teaching.md"), help="the file to rewrite (default docs/teaching.md)"
    )
    table.set_defaults(func=_exercise_table)
    return parser


def _clean(args: argparse.Namespace) -> int:
    import nbformat

    from .kernels import clean_notebook

    _existing(args.notebooks, "notebook")
    for path in args.notebooks:
        nbformat.write(clean_notebook(nbformat.read(path, as_version=4)), path)
    print(f"{len(args.notebooks)} notebook(s) cleaned")
    return 0


def _colab(args: argparse.Namespace) -> int:
    from .colab import write_colab_cells
    from .distribution import SOURCES, repository_url

    _notebook_folder(Path(args.notebooks or SOURCES), "[0-9]*.ipynb", "--notebooks")
    changed = write_colab_cells(args.notebooks or SOURCES)
    print(f"{len(changed)} notebook(s) rewritten with {repository_url()}: {', '.join(p.name for p in changed) or '-'}")
    return 0


def _raised_by_package(error: BaseException) -> bool:
    """Whether ``error`` was raised by this package's own code (a message for the user), not inside a library."""
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    if frame is None:
        return False
    origin = Path(frame.tb_frame.f_code.co_filename).resolve()
    return any(origin.is_relative_to(package) for package in _OWN_PACKAGES)


def main(argv: list[str] | None = None) -> int:
    """Run one command; a user's mistake (a ValueError of the package, a failed download) prints ``error: ...``
    and returns 2, while an unexpected error keeps its traceback."""
    args = build_parser().parse_args(argv)
    from zsl_utils.errors import DownloadError, ZSLDataError

    try:
        return args.func(args)
    except (ValueError, DownloadError) as error:
        if not isinstance(error, (ZSLDataError, DownloadError)) and not _raised_by_package(error):
            raise
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
