"""zsl_course: the course's own machinery beside the ``zsl_utils`` library: the ``zsl-course`` command line, the
notebook runner, the reader's and student editions, grading, Colab cells and what the distribution ships."""

from importlib import metadata

try:
    __version__ = metadata.version("zsl-course")
except metadata.PackageNotFoundError:  # imported from a source folder that was never installed
    __version__ = "unknown"
