"""The ``zsl-course`` command line: datasets, download, and the course's build, benchmark and run commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .data import EMBEDDED_DATASETS, XLSA17_DATASETS, dataset_folder, dataset_names, default_root, is_available
from .errors import DownloadError, ZSLDataError

__all__ = ["main"]


def _datasets(args: argparse.Namespace) -> int:
    root = Path(args.root) if args.root else default_root()
    print(f"data root: {root}")
    for name in dataset_names():
        kind = "embedded" if name in EMBEDDED_DATASETS else "xlsa17"
        state = "present" if is_available(name, root) else f"missing (zsl-course download {name})"
        print(f"  {name:<7} {kind:<9} {state:<40} {dataset_folder(name, root)}")
    return 0


def _download(args: argparse.Namespace) -> int:
    name = args.name.upper()
    if name not in dataset_names():
        raise ZSLDataError(f"unknown dataset {args.name!r}; valid names: {', '.join(dataset_names())}")
    if name in EMBEDDED_DATASETS:
        print(f"{name} is embedded in the repository ({dataset_folder(name)}); nothing to download")
        return 0
    from .download import download_xlsa17

    root = Path(args.root) if args.root else default_root()
    print(f"{name} comes in the xlsa17 archive with {', '.join(XLSA17_DATASETS)}")
    path = download_xlsa17(root, sha256=args.sha256)
    print(f"xlsa17 ready at {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zsl-course", description="Zero-shot learning course: data, benchmarks, notebooks.")
    commands = parser.add_subparsers(dest="command", required=True)

    datasets = commands.add_parser("datasets", help="list every dataset and whether it is present")
    datasets.add_argument("--root", help="data root (default: $ZSL_DATA_ROOT or the repository's data/)")
    datasets.set_defaults(func=_datasets)

    download = commands.add_parser("download", help="download an xlsa17 benchmark (AWA1, AWA2, CUB, SUN, APY)")
    download.add_argument("name", help=f"one of {', '.join(dataset_names())}")
    download.add_argument("--root", help="data root (default: $ZSL_DATA_ROOT or the repository's data/)")
    download.add_argument("--sha256", help="expected SHA-256 of xlsa17.zip, checked before extraction")
    download.set_defaults(func=_download)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ZSLDataError, DownloadError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
