"""The import graph of the project's own files, read from the source with `ast` (nothing is imported).

Every `.py` file of the repository is a node (apps, their tests and migrations, `saintsxctf/`, `bench/`, `ops/`,
`conftest.py`, `manage.py`). An arrow runs from a file to each project file it imports:
- `import a.b.c` and `from a.b.c import name` point at `a/b/c.py` (or `a/b/c/__init__.py`); `from a.b import c`
  points at `a/b/c.py` when `c` is a module, else at `a/b/__init__.py`. Parent packages' `__init__.py` files are
  not arrows of their own (they are empty or import only downwards);
- relative imports are resolved against the importing file's package;
- imports inside functions and methods count exactly like module-level ones: "imported late to dodge the circle"
  is still a circle, only hidden from Python;
- imports under `if TYPE_CHECKING:` count too: a module that names another's types depends on it, and a circle
  that exists only for the type checker is still two modules that each need the other to be understood. Break a
  circle by moving the code, not by hiding the import.
Dotted strings (`INSTALLED_APPS`, `"saintsxctf.foundation.api.errors.handler404"`, `import_string(...)`) are not
arrows: Django resolves them by name, which is how the layers below are plugged into the ones above.

The rules (DESIGN: the wings of `saintsxctf/`):
1. The ground wing, `saintsxctf/foundation/`, imports no other project file: not an app (users, logs, groups,
   teams, comments, notifications, functions), not the operations wing, not the URL conf.
2. The apps' own code imports the operations wing (`saintsxctf/operations/`) only from their admin modules (their
   pages of the admin site) and their tests.
3. No circle between any two files of the project (tests, migrations, bench/ and ops/ included).
"""

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".git", ".venv", "venv", "__pycache__", "node_modules", "staticfiles", "media", ".ci"}
GROUND = "saintsxctf.foundation"
OPERATIONS = "saintsxctf.operations"
APPS = ("users", "logs", "groups", "teams", "comments", "notifications", "functions")


@dataclass(frozen=True)
class Arrow:
    source: str  # dotted module name of the importing file
    target: str  # dotted module name of the imported project file
    line: int

    def where(self) -> str:
        return f"{module_paths()[self.source]}:{self.line} imports {self.target}"


@cache
def module_paths() -> dict[str, str]:
    """Dotted module name -> path (relative to the repository) of every Python file of the project."""
    modules = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIP_DIRS.intersection(relative.parts[:-1]):
            continue
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = str(relative)
    return modules


def _imported_names(node: ast.AST, package: str) -> list[str]:
    """The dotted names an import statement may reach, most specific first for each imported name."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: `from . import x`, `from ..a import b`
        base = package.split(".") if package else []
        base = base[:len(base) - (node.level - 1)] if node.level > 1 else base
        module = ".".join([*base, *([node.module] if node.module else [])])
    else:
        module = node.module or ""
    return [f"{module}.{alias.name}" if module else alias.name for alias in node.names] + [module]


def _resolve(name: str) -> str | None:
    """The project module a dotted name lands in: the longest prefix that is a project file."""
    modules = module_paths()
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def file_arrows(module: str, source: str, *, is_package: bool = False) -> set[Arrow]:
    """The arrows from one file (`module`, whose text is `source`) to the project's files."""
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):  # every import, at any depth: functions, methods, `if TYPE_CHECKING:`
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        names = _imported_names(node, package)
        # `from pkg import a, b`: one arrow per name (to the submodule pkg.a, else to pkg itself)
        targets = {_resolve(name) for name in (names[:-1] if isinstance(node, ast.ImportFrom) else names)}
        found.update(Arrow(module, target, node.lineno) for target in targets if target and target != module)
    return found


@cache
def arrows() -> tuple[Arrow, ...]:
    found = set()
    for module, path in module_paths().items():
        found |= file_arrows(module, (ROOT / path).read_text(), is_package=path.endswith("__init__.py"))
    return tuple(sorted(found, key=lambda a: (a.source, a.target, a.line)))


def in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def project_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {module: set() for module in module_paths()}
    for arrow in arrows():
        graph[arrow.source].add(arrow.target)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(root: str) -> None:  # iterative, so a long chain cannot reach the recursion limit
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return components


def describe_circle(component: list[str]) -> str:
    """One closed path through the component, with the file and line of every arrow on it."""
    members = set(component)
    by_source: dict[str, list[Arrow]] = {}
    for arrow in arrows():
        if arrow.source in members and arrow.target in members:
            by_source.setdefault(arrow.source, []).append(arrow)
    # breadth-first from the first member back to itself
    start = component[0]
    paths = {start: []}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for arrow in by_source.get(node, []):
            if arrow.target == start:
                loop = [*paths[node], arrow]
                return " -> ".join([start, *(a.target for a in loop)]) + "\n    " + "\n    ".join(
                    a.where() for a in loop)
            if arrow.target not in paths:
                paths[arrow.target] = [*paths[node], arrow]
                queue.append(arrow.target)
    return ", ".join(component)


# -- the scanner reads what it should -----------------------------------------------------------------------
def test_the_scan_sees_every_kind_of_import():
    """The scanner finds module-level, function-level, relative and `from package import module` arrows (on
    files whose imports are known), so the rules below cannot pass by reading nothing."""
    found = {(a.source, a.target) for a in arrows()}
    assert ("saintsxctf.urls", "saintsxctf.views") in found  # `from saintsxctf import views`
    assert ("saintsxctf.urls", "logs.urls") in found  # `import logs.urls`
    assert ("saintsxctf.operations.admin_site", "groups.admin_dashboard") in found  # inside a method
    assert ("saintsxctf.foundation.api.viewsets", "saintsxctf.foundation.api.links") in found
    assert len(module_paths()) > 200 and len(found) > 500


def test_the_scan_counts_late_relative_and_type_checking_imports():
    source = """
from typing import TYPE_CHECKING
from . import links
from .errors import framework_body
import django.db

if TYPE_CHECKING:
    from users.models import User

def later():
    from logs import services
    import groups.models as group_models
"""
    found = {(a.target, a.line) for a in file_arrows("saintsxctf.foundation.api.viewsets", source)}
    assert found == {("saintsxctf.foundation.api.links", 3), ("saintsxctf.foundation.api.errors", 4),
                     ("users.models", 8), ("logs.services", 11), ("groups.models", 12)}


# -- rule 1: the ground wing --------------------------------------------------------------------------------
def test_the_ground_wing_imports_nothing_of_the_project_above_it():
    """saintsxctf/foundation/ is what every app stands on: it may import itself, Django and libraries, never an
    app, the operations wing or the URL conf (they all import it)."""
    assert GROUND in module_paths(), "the ground wing moved: update this test and DESIGN"
    upward = [a.where() for a in arrows() if in_package(a.source, GROUND) and not in_package(a.target, GROUND)]
    assert upward == [], "the ground wing reaches up:\n" + "\n".join(upward)


# -- rule 2: the operations wing sits above the apps --------------------------------------------------------
def is_admin_or_test(module: str) -> bool:
    parts = module.split(".")
    return "tests" in parts or parts[-1] == "admin" or parts[-1].startswith("admin_")


def test_apps_reach_the_operations_wing_only_from_their_admin_pages_and_tests():
    """The operations wing (admin site, demo data, legacy importer, maintenance) imports the apps; an app's own
    code never imports it back. Its admin modules may: they are the app's pages of the admin site."""
    assert OPERATIONS in module_paths()
    upward = [a.where() for a in arrows()
              if a.source.split(".")[0] in APPS and in_package(a.target, OPERATIONS) and not is_admin_or_test(a.source)]
    assert upward == [], "an app's code imports the operations wing:\n" + "\n".join(upward)


# -- rule 3: no circles -------------------------------------------------------------------------------------
def test_no_import_circle_between_files():
    """Two files that import each other (through any number of others) cannot be read, tested or moved apart."""
    found = circles(project_graph())
    assert found == [], f"{len(found)} import circle(s):\n" + "\n".join(
        f"[{len(c)} files: {', '.join(c)}]\n  e.g. {describe_circle(c)}" for c in found)


def test_the_circle_finder_finds_circles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"a", "f"}, "f": {"e"}, "g": {"g"}}
    assert circles(graph) == [["a", "b", "c"], ["e", "f"]]
