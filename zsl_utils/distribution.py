"""What the installed distribution says about itself: the project's repository URL, read from the package
metadata (``[project.urls] Repository`` of pyproject.toml, the one place that names it)."""

from __future__ import annotations

from importlib import metadata

__all__ = ["DISTRIBUTION", "repository_url"]

DISTRIBUTION = "zsl-course"


def repository_url() -> str:
    """The project's repository (``https://github.com/<owner>/<name>``), as the installed metadata declares it.

    Raises LookupError when the package is not installed (or was installed from a pyproject.toml without
    ``[project.urls] Repository``): reinstall it, e.g. ``pip install -e .`` in the repository."""
    try:
        urls = metadata.metadata(DISTRIBUTION).get_all("Project-URL") or []
    except metadata.PackageNotFoundError as error:
        raise LookupError(f"{DISTRIBUTION} is not installed, so its repository URL is unknown; "
                          "install it (`pip install -e .` in the repository)") from error
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "repository":
            return url.strip()
    raise LookupError(f"the installed {DISTRIBUTION} metadata declares no Repository URL (found: {urls or 'none'}); "
                      "it comes from an older pyproject.toml: reinstall (`pip install -e .` in the repository)")
