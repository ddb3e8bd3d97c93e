"""Google Colab: every notebook's "Open in Colab" badge and its install cell, written from the one repository URL
and the one version that pyproject.toml declares (``zsl-course colab`` rewrites them for a fork or a new release).
Both point at the release's tag, ``v<version>``: the notebook a reader opens and the package it installs are the
same release's."""

from __future__ import annotations

from pathlib import Path

import nbformat

from .distribution import SOURCES, release_tag, repository_url

__all__ = ["colab_install_cell", "setup_cell", "colab_badge", "write_colab_cells"]


def colab_install_cell() -> str:
    """The source of every notebook's first code cell: on Google Colab it installs the course from its repository at
    this version's release tag (both written in, since the package is not installed yet when it runs); elsewhere it
    does nothing."""
    return (
        "# On Google Colab, install the course's package; anywhere else this cell does nothing.\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    package = "zsl-course @ git+{repository_url()}@{release_tag()}"\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", package], check=True)'
    )


def setup_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A course notebook's set-up cell: its first code cell after the Colab install cell (the only cell that
    exercises may depend on)."""
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if not code or code[0].source != colab_install_cell():
        raise ValueError("the notebook's first code cell is not colab_install_cell(); see notebooks/CONTRIBUTING.md")
    if len(code) < 2:
        raise ValueError("the notebook has no set-up cell after its Colab install cell")
    return code[1]


def colab_badge(notebook: str) -> str:
    """The markdown "Open in Colab" badge of ``notebook`` (a file name such as ``03_devise.ipynb``): it opens the
    reader's edition, ``notebooks/<notebook>`` at this version's release tag in the course's repository."""
    url = repository_url()
    if not url.startswith("https://github.com/"):
        raise ValueError(
            f"Colab opens notebooks from GitHub, but the repository is {url}; "
            "declare an https://github.com/... URL in pyproject.toml [project.urls] Repository"
        )
    github = url.removeprefix("https://github.com/").removesuffix(".git")
    return (
        "[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        f"(https://colab.research.google.com/github/{github}/blob/{release_tag()}/notebooks/{notebook})"
    )


def write_colab_cells(notebooks: str | Path = SOURCES, pattern: str = "[0-9]*.ipynb") -> list[Path]:
    """Give every notebook matching ``pattern`` its "Open in Colab" badge (the line under its title, cell 0) and
    its Colab install cell (the first code cell: replaced when it is one, inserted before the first code cell
    otherwise), from ``repository_url()``; only the source of those two cells changes. Returns the notebooks
    rewritten (those already up to date are left untouched)."""
    install_source, changed = colab_install_cell(), []
    for path in sorted(Path(notebooks).glob(pattern)):
        notebook = nbformat.read(path, as_version=4)
        title = notebook.cells[0]
        if title.cell_type != "markdown" or not title.source.startswith("# "):
            raise ValueError(f"{path.name}: cell 0 is not the title (a markdown cell starting with '# ')")
        lines = [line for line in title.source.split("\n") if "colab-badge.svg" not in line]
        source = "\n".join(lines[:1] + [colab_badge(path.name)] + lines[1:])
        first_code = next((i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"), None)
        if first_code is None:
            raise ValueError(f"{path.name} has no code cell: the Colab install cell goes before the set-up cell")
        install = notebook.cells[first_code]
        is_install = install.source.startswith(install_source.split("\n", 1)[0])
        if source == title.source and is_install and install.source == install_source:
            continue
        title.source = source
        if is_install:
            install.source = install_source
        else:
            cell = nbformat.v4.new_code_cell(install_source)
            if notebook.nbformat_minor < 5:  # cell ids came with nbformat 4.5
                cell.pop("id", None)
            notebook.cells.insert(first_code, cell)
        nbformat.write(notebook, path)
        changed.append(path)
    return changed
