"""The import graph: lower layers never import higher ones, no cycles, Streamlit only in the UI,
environment variables only in config.settings.

Layers, bottom to top (a module may import its own layer and those below):
config < geo < reports (model, geography) < reports.storage < reports.privacy < reports.ingest
< reports.analysis < reports.coordination < reports.views < reports.render < demo < maps
< lagebild < app_pages and dashboard.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

from config.paths import PROJECT_DIR

LAYERS = ["config", "geo", "reports", "reports.storage", "reports.privacy", "reports.ingest",
          "reports.analysis", "reports.coordination", "reports.views", "reports.render", "demo",
          "maps", "lagebild", "app_pages"]
ROOTS = ["config", "geo", "reports", "demo", "maps", "lagebild", "app_pages"]
UI = {"app_pages", "dashboard"}
# `python -m reports` and `python -m geo` are entry points onto the `lagebild` command.
ENTRY_SHIMS = {"reports.__main__", "geo.__main__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_DIR).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    found = {"dashboard": PROJECT_DIR / "dashboard.py"}
    for root in ROOTS:
        for path in sorted((PROJECT_DIR / root).rglob("*.py")):
            if "versions" not in path.parts:
                found[module_name(path)] = path
    return found


MODULES = project_modules()


@functools.cache
def imports(name: str) -> frozenset[str]:
    """Every module this module imports, at any depth of its code (lazy imports count)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}".rstrip(".")
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return frozenset(out)


def own(target: str) -> str | None:
    """The project module an imported name refers to (a module, or the module of a name)."""
    while target:
        if target in MODULES:
            return target
        target = target.rpartition(".")[0]
    return None


def layer(name: str) -> int:
    if name == "dashboard":
        return len(LAYERS) - 1
    return max(i for i, prefix in enumerate(LAYERS) if name == prefix or
               name.startswith(prefix + "."))


@functools.cache
def graph() -> dict[str, set[str]]:
    return {name: {m for t in imports(name) if (m := own(t)) and m != name} for name in MODULES}


@pytest.mark.parametrize("name", sorted(set(MODULES) - ENTRY_SHIMS))
def test_no_module_imports_a_higher_layer(name):
    higher = {m for m in graph()[name] if layer(m) > layer(name)}
    assert not higher, f"{name} (layer {LAYERS[layer(name)]}) imports {sorted(higher)}"


def test_the_import_graph_has_no_cycles():
    edges = {name: targets - ENTRY_SHIMS for name, targets in graph().items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt):], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_streamlit_only_in_the_ui_and_no_storage_or_geometry_in_pages(name):
    top = {t.split(".")[0] for t in imports(name)}
    if name.split(".")[0] in UI:
        assert not top & {"sqlalchemy", "shapely"}, f"{name} does SQL or geometry itself"
    else:
        assert "streamlit" not in top, f"library module {name} imports Streamlit"


@pytest.mark.parametrize("name", sorted(set(MODULES) - {"config.settings"}))
def test_only_the_settings_module_reads_the_environment(name):
    text = MODULES[name].read_text(encoding="utf-8")
    assert "os.environ" not in text and "getenv" not in text, f"{name} reads the environment"


PUBLISHING = ("publish_counts", "count_band", "noise", "cell_keys")


@pytest.mark.parametrize("name", sorted(MODULES))
def test_only_the_privacy_package_publishes_counts(name):
    """Public figures are made in ``reports.privacy`` only: everything else asks the role's
    ``Policy`` (issue 19.5), so no module publishes, rounds or perturbs counts itself."""
    if name.startswith("reports.privacy"):
        return
    used = {t.rpartition(".")[2] for t in imports(name) if own(t) == "reports.privacy.policy"}
    text = MODULES[name].read_text(encoding="utf-8")
    assert not used & set(PUBLISHING), f"{name} imports {sorted(used & set(PUBLISHING))}"
    assert not re.search(r"\b(publish_counts|rounding_base)\(", text), name
