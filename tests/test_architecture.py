"""The layout docs/ARCHITECTURE.md describes: each module names its stage, imports run down."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("extractors", "warehouse", "flows")
# Layer of each module prefix, highest first: a module may import only from its own layer
# or lower ones. Longest prefix wins.
LAYERS = {
    "flows": 9,
    "warehouse.runs": 8,
    "warehouse": 7,
    "extractors.pipeline": 6,
    "extractors.evaluation": 6,
    "extractors.events": 5,
    "extractors.actors": 4,
    "extractors.places": 3,
    "extractors.dates": 3,
    "extractors.nlp": 2,
    "extractors.syntax": 2,
    "extractors.ingest": 2,
    "extractors.webpage": 2,
    "extractors.feeds": 2,
    "extractors.warc": 2,
    "extractors.language": 2,
    "extractors.stories": 2,
    "extractors.dateline": 2,
    "extractors.records": 1,
    "extractors.errors": 0,
    "extractors.config": 1,
    "extractors": 1,
}
# Stages on one layer that must not import each other.
SIBLINGS = {("extractors.places", "extractors.dates"), ("extractors.dates", "extractors.places")}


def _modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py"))


def _name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> tuple[str, int]:
    prefix = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return prefix, LAYERS[prefix]


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
    return out


def _stages() -> list[str]:
    """Stage names as docs/ARCHITECTURE.md's diagram writes them (two spaces either side)."""
    text = (REPO / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    found = re.findall(r"\s{2,}((?:[A-Z][a-z]+)(?: stage| stages)?)\s{2,}", text)
    return sorted(set(found) - {"The"}, key=len, reverse=True)


def test_the_diagram_names_the_stages():
    assert {"Ingest stage", "Parse stage", "Places stage", "Dates stage", "Events stage"} <= set(
        _stages()
    )


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_every_module_docstring_names_its_stage(path: Path):
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert any(docstring.startswith(stage + ":") for stage in _stages()), (
        f"{_name(path)}: docstring should start with one of {_stages()}, got {docstring[:60]!r}"
    )


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_imports_run_down_the_layers(path: Path):
    module = _name(path)
    prefix, layer = _layer(module)
    for imported in _imports(path):
        if imported.split(".")[0] not in PACKAGES:
            continue
        other, other_layer = _layer(imported)
        assert other_layer <= layer, f"{module} (layer {layer}) imports {imported} ({other_layer})"
        assert (prefix, other) not in SIBLINGS, f"{module} imports its sibling stage {imported}"


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_only_flows_import_prefect_and_only_the_warehouse_imports_duckdb(path: Path):
    roots = {name.split(".")[0] for name in _imports(path)}
    module = _name(path)
    if "prefect" in roots:
        assert module.startswith("flows"), module
    if "duckdb" in roots:
        assert module.startswith("warehouse"), module
