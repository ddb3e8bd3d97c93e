"""The repository's layout is its architecture: a library (zsl_utils) that imports neither the SHAPES package nor the
course's machinery, SHAPES and the machinery on top of it, and no import circle between modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("zsl_utils", "zsl_shapes", "zsl_course")
LIBRARY_LINE_LIMIT = 6000


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The modules of this repository that ``path`` imports, anywhere in it (deferred imports included)."""
    package = _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _module_name(path)
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found |= {name for name in names if name.split(".")[0] in PACKAGES}
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for package in PACKAGES for p in (ROOT / package).glob("*.py")}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def test_the_library_imports_neither_shapes_nor_the_course_machinery():
    for name, imported in _graph().items():
        if name.startswith("zsl_utils"):
            assert not {m for m in imported if not m.startswith("zsl_utils")}, f"{name} imports {imported}"


def test_no_module_import_circle():
    graph = _graph()
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for imported in sorted(graph[module]):
            if imported == module.rsplit(".", 1)[0]:  # a module's own package __init__ is not a circle
                continue
            if state.get(imported) == 1:
                pytest.fail(f"import circle: {' -> '.join(path[path.index(imported) :] + [imported])}")
            if imported not in state:
                visit(imported, path + [imported])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_the_library_stays_small():
    lines = sum(len(p.read_text().splitlines()) for p in (ROOT / "zsl_utils").glob("*.py"))
    assert lines <= LIBRARY_LINE_LIMIT, f"zsl_utils has {lines} lines; the course promises a small library"


def test_the_design_cards_top_level_exists():
    for entry in ("notebooks", "zsl_utils", "data", "environment.yml", "tests", "README.md"):
        assert (ROOT / entry).exists(), entry


def test_the_command_lines_dataset_names_are_the_librarys():
    from zsl_course import cli
    from zsl_utils.data import dataset_names

    assert cli._DATASET_NAMES == ", ".join(dataset_names())
