"""The shape of the package, checked: the test tooling stays out of production, modules stay small
enough to read, imports do not go round in circles, and the installed versions are the locked ones.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipeline"
MAX_LINES = 600


# ----------------------------------------------------------------------------------------------
# The test tooling (corpus/) is not production


def test_production_imports_nothing_of_the_test_tooling():
    """Every module of the package imported in a fresh interpreter (so other tests' imports cannot
    leak in), from the repo root where corpus/ *is* importable: none of them pulls it in."""
    script = r"""
import importlib, pkgutil, sys
import pipeline
failed, names = [], []
for m in pkgutil.walk_packages(pipeline.__path__, "pipeline.", onerror=lambda name: failed.append(name)):
    names.append(m.name)
    importlib.import_module(m.name)
leaked = sorted(m for m in sys.modules if m.startswith(("corpus", "pipeline.corpus")))
assert not failed, failed
assert not leaked, leaked
print(len(names))
"""
    r = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    n = int(r.stdout.strip().splitlines()[-1])
    on_disk = sum(1 for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
    assert n + 1 == on_disk  # every module was imported (walk_packages skips only pipeline/__init__ itself)
    assert not (PACKAGE / "corpus").exists() and not (PACKAGE / "reports" / "synthetic.py").exists()


def test_the_test_tooling_is_not_installed(tmp_path):
    """Outside the repo root, `corpus` is not importable: the package ships pipeline* only."""
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            "import importlib.util as u; print(u.find_spec('corpus'), u.find_spec('pipeline') is not None)",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["None", "True"]


# ----------------------------------------------------------------------------------------------
# Module length


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_over_600_lines():
    long = {str(p.relative_to(ROOT)): _lines(p) for p in _modules() if _lines(p) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


# ----------------------------------------------------------------------------------------------
# Import circles


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, dict[str, int]]:
    """module -> {module of the package it imports: line}, from the source (ast), counting every
    import wherever it stands: at module level, inside a function, under `if TYPE_CHECKING`."""
    paths = {_module_name(p): p for p in _modules()}

    def known(name: str) -> str | None:
        while name and name not in paths:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, dict[str, int]] = {}
    for name, path in paths.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        out: dict[str, int] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                # `from . import x` imports the submodule x when there is one, else the package
                targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in paths else module for a in node.names]
            for t in targets:
                t = known(t)
                if t and t != name:
                    out.setdefault(t, node.lineno)
        graph[name] = out
    return graph


def circles(graph: dict[str, dict[str, int]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
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
            comp = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(frozenset(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def describe(graph: dict[str, dict[str, int]], component: frozenset[str]) -> str:
    """One circle through the component, spelled out: a (line) -> b (line) -> … -> a."""
    start = min(component)
    path, seen = [start], {start}
    while True:
        here = path[-1]
        nxt = sorted(w for w in graph[here] if w in component)
        back = [w for w in nxt if w == start]
        step = back[0] if back and len(path) > 1 else next((w for w in nxt if w not in seen), None)
        if step is None:
            step = nxt[0]
        path.append(step)
        if step in seen:
            break
        seen.add(step)
    return " -> ".join(f"{a} (line {graph[a][b]})" for a, b in zip(path, path[1:])) + f" -> {path[-1]}"


def test_the_import_graph_sees_imports_inside_functions():
    """The walk is not fooled by an import hidden in a function body (how circles hide)."""
    graph = import_graph()
    assert "pipeline.readers.pdf" in graph["pipeline.readers"]  # imported inside read_document()
    assert "pipeline.document" in graph["pipeline.readers"]  # and at module level
    toy = {"a": {"b": 3}, "b": {"c": 7}, "c": {"a": 9}, "d": {"a": 1}}
    assert circles(toy) == [frozenset({"a", "b", "c"})]
    assert describe(toy, frozenset({"a", "b", "c"})) == "a (line 3) -> b (line 7) -> c (line 9) -> a"


def test_no_import_circle_among_the_modules_of_pipeline():
    graph = import_graph()
    found = circles(graph)
    assert not found, "import circles:\n" + "\n".join(describe(graph, c) for c in found)


# ----------------------------------------------------------------------------------------------
# The locked versions


def test_every_locked_distribution_is_installed_at_its_locked_version():
    """constraints.txt is what `./dev` installs from; here, what is installed is what it says (a
    fresh clone set up by `./dev` provably runs the tested versions)."""
    pins, wrong = 0, []
    for raw in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate():
            continue  # not for this Python
        (spec,) = req.specifier
        assert spec.operator == "==", f"constraints.txt: {line} is not an exact pin"
        pins += 1
        try:
            installed = md.version(req.name)
        except md.PackageNotFoundError:
            installed = None
        if installed != spec.version:
            wrong.append(f"{req.name}: locked {spec.version}, installed {installed}")
    assert pins > 50  # the whole tree, not a handful
    assert not wrong, "run ./dev test (it re-installs from constraints.txt):\n" + "\n".join(wrong)


def test_the_project_itself_is_not_locked():
    text = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    names = {Requirement(r.split("#", 1)[0]).name.lower() for r in text.splitlines() if r.split("#", 1)[0].strip()}
    assert "nianbao" not in names
    assert {"duckdb", "dagster", "pypdfium2", "ruff"} <= names
