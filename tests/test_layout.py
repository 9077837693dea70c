"""The shape of the code: no module imports one that imports it back (at any depth, counting
imports inside functions), Streamlit only under expertnet/ui and pages/, and every page file
declared once in the page registry."""

import ast
from pathlib import Path

from conftest import PROJECT_DIR
from expertnet.ui.pages import PAGES

PACKAGE = PROJECT_DIR / "expertnet"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_DIR).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """The expertnet modules `path` imports, resolved to modules (not names within them)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            assert not (isinstance(node, ast.ImportFrom) and node.level), f"{path}: a relative import"
            continue
        found |= {name for name in names if name in known}
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: _imports(path, set(files)) - {name} for name, path in files.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_one_that_imports_it_back():
    graph = _graph()
    assert "expertnet.metrics.kpis" in graph["expertnet.metrics.breakdowns"]    # the graph is real
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_streamlit_is_imported_only_by_the_user_interface():
    outside = []
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "ui":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            outside += [f"{path.relative_to(PROJECT_DIR)}: {n}" for n in names if n.split(".")[0] == "streamlit"]
    assert outside == []


def test_every_page_file_is_declared_once_in_the_registry():
    files = sorted(f"pages/{p.name}" for p in (PROJECT_DIR / "pages").glob("*.py"))
    declared = [page.file for page in PAGES]
    assert sorted(declared) == files
    assert len(set(declared)) == len(declared)
    assert len({page.title for page in PAGES}) == len(PAGES)


def test_the_benchmark_implements_every_workload_the_investor_pages_declare():
    import sys
    sys.path.insert(0, str(PROJECT_DIR))
    from bench.workloads import unimplemented_workloads
    assert unimplemented_workloads() == []
