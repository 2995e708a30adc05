"""Backend packages depend on one another in one direction: no package-level import cycle.

A package is `backend.<first component>` (backend/jobs/store.py is in `backend.jobs`, a
top-level module such as backend/config.py is its own package). Every import counts, including
those inside functions and under TYPE_CHECKING: each is a dependency a reader has to follow.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

BACKEND = Path(__file__).resolve().parent.parent / "backend"

# package -> imported package -> the module-level imports behind that edge
Graph = dict[str, dict[str, list[str]]]


def module_files(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package at `root`."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def imported_modules(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `module` imports (`from a import b` counts a.b when it is a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                anchor = here[: len(here) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        found.update(name for name in names if name in known)
    return found


def package_graph(root: Path) -> Graph:
    known = module_files(root)
    graph: Graph = {}
    for module, path in known.items():
        for target in imported_modules(module, path, known):
            source, dest = package_of(module), package_of(target)
            if source != dest:
                graph.setdefault(source, {}).setdefault(dest, []).append(f"{module} -> {target}")
    return graph


def find_cycle(graph: Graph) -> list[str] | None:
    """A path of packages that leads back to its first one, or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(package: str) -> list[str] | None:
        if package in path:
            return [*path[path.index(package) :], package]
        if package in done:
            return None
        path.append(package)
        for dest in sorted(graph.get(package, {})):
            if cycle := visit(dest):
                return cycle
        path.pop()
        done.add(package)
        return None

    for package in sorted(graph):
        if cycle := visit(package):
            return cycle
    return None


def describe(cycle: list[str], graph: Graph) -> str:
    lines = [" -> ".join(cycle)]
    for source, dest in itertools.pairwise(cycle):
        lines.append(f"  {source} -> {dest}: " + "; ".join(sorted(graph[source][dest])))
    return "\n".join(lines)


def test_backend_packages_import_each_other_in_one_direction() -> None:
    graph = package_graph(BACKEND)
    assert "backend.jobs" in graph  # the walk found the code
    cycle = find_cycle(graph)
    assert cycle is None, "package-level import cycle:\n" + describe(cycle, graph)


def test_a_backward_import_is_found_with_the_import_that_makes_it(tmp_path: Path) -> None:
    root = tmp_path / "backend"
    for package in ("models", "jobs"):
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "jobs" / "store.py").write_text("from backend.models import job\n")
    (root / "models" / "job.py").write_text(
        "def late() -> None:\n    from backend.jobs.store import x\n"
    )
    graph = package_graph(root)
    cycle = find_cycle(graph)
    assert cycle == ["backend.jobs", "backend.models", "backend.jobs"]
    assert "backend.models.job -> backend.jobs.store" in describe(cycle, graph)
