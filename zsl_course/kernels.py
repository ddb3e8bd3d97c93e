"""Running course notebooks in a fresh kernel of this environment, and keeping their metadata clean."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import nbformat
import zmq
from jupyter_client import KernelManager
from nbclient import NotebookClient
from traitlets.config import Config

__all__ = ["kernel_language_info", "clean_notebook", "notebook_client", "headless_environment", "execute_notebook"]

_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def kernel_language_info() -> dict:
    """The ``language_info`` that this environment's ``python3`` kernel (ipykernel) reports in its kernel_info_reply,
    and that JupyterLab writes into a notebook when the kernel starts (the Python version included)."""
    from ipykernel.ipkernel import IPythonKernel

    return copy.deepcopy(IPythonKernel.language_info)


def clean_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip volatile metadata in place (execution timings, widget state, cell ids); keep outputs. The notebook's
    metadata becomes what JupyterLab writes when it opens it with this environment's kernel (:data:`_KERNELSPEC`
    and :func:`kernel_language_info`), so that opening it does not mark it changed."""
    notebook.metadata = nbformat.from_dict({"kernelspec": _KERNELSPEC, "language_info": kernel_language_info()})
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        cell.pop("id", None)
    notebook.nbformat, notebook.nbformat_minor = 4, 4
    return notebook


def _kernel_config() -> Config:
    """Kernels with CurveZMQ transport encryption where jupyter_client can provision it: over plain TCP, ipykernel
    prints a warning at every start, which a newcomer takes for an error."""
    if "transport_encryption" in KernelManager.class_trait_names() and zmq.has("curve"):
        return Config({"KernelManager": {"transport_encryption": "auto"}})
    return Config()


def notebook_client(
    notebook: nbformat.NotebookNode,
    cwd: str | Path,
    timeout: int = 600,
    allow_errors: bool = True,
    skip_tag: str = "skip-execution",
) -> NotebookClient:
    """An nbclient client that runs ``notebook`` in a fresh ``python3`` kernel of this environment, in ``cwd``
    (CurveZMQ-encrypted kernel transport; see :func:`execute_notebook`), leaving cells tagged ``skip_tag`` unrun."""
    return NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=allow_errors,
        skip_cells_with_tag=skip_tag,
        resources={"metadata": {"path": str(cwd)}},
        config=_kernel_config(),
    )


def headless_environment() -> dict[str, str]:
    """The environment of a kernel nobody watches (``zsl-course run``, ``editions``, ``grade``): this process's, with
    progress bars off (``TQDM_DISABLE=1``), so that executed notebooks keep no bar in their outputs."""
    return {**os.environ, "TQDM_DISABLE": "1"}


def execute_notebook(
    notebook: nbformat.NotebookNode,
    cwd: str | Path,
    timeout: int = 600,
    allow_errors: bool = True,
    skip_tag: str = "skip-execution",
) -> nbformat.NotebookNode:
    """Execute every cell (but those tagged ``skip_tag``) in a fresh ``python3`` kernel of this environment, in
    ``cwd``. With ``allow_errors`` a failing cell's error stays in its outputs and execution goes on; without, it
    raises nbclient's ``CellExecutionError`` (with the cell's traceback). Progress bars are off
    (:func:`headless_environment`)."""
    notebook_client(notebook, cwd, timeout, allow_errors, skip_tag).execute(env=headless_environment())
    return notebook
