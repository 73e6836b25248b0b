"""The shape of the code: modules a reader can hold in their head, functions that do one thing.

Alembic revisions are frozen history and are not counted."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "services", "db", "matching")
MAX_MODULE_LINES = 300
MAX_P90_FUNCTION_LINES = 24  # under 25


def modules(package: str) -> list[Path]:
    return [
        path
        for path in sorted((ROOT / package).rglob("*.py"))
        if "versions" not in path.relative_to(ROOT).parts
    ]


def function_lengths(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.end_lineno or node.lineno) - node.lineno + 1
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_is_over_300_lines(package: str) -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in modules(package)
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"split these modules: {long}"


@pytest.mark.parametrize("package", PACKAGES)
def test_nine_functions_in_ten_are_under_25_lines(package: str) -> None:
    lengths = sorted(n for path in modules(package) for n in function_lengths(path))
    p90 = lengths[int(0.9 * (len(lengths) - 1))]
    assert p90 <= MAX_P90_FUNCTION_LINES, f"{package}: 90th percentile {p90} lines"
