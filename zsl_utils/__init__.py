"""zsl_utils: the finished implementations of the zero-shot learning course."""

from importlib import metadata

from . import clip  # noqa: F401  (registers MODELS["clip"], which builds on models.ZSLModel)
from .data import course_dataset, load_dataset, load_xlsa17
from .dataset import ZSLDataset
from .evaluation import EvalResult, evaluate
from .session import start_notebook
from .utils import get_device, set_seed

__all__ = [
    "ZSLDataset",
    "EvalResult",
    "course_dataset",
    "evaluate",
    "load_dataset",
    "load_xlsa17",
    "get_device",
    "set_seed",
    "start_notebook",
]

try:
    __version__ = metadata.version("zsl-course")
except metadata.PackageNotFoundError:  # imported from a source folder that was never installed
    __version__ = "unknown"
