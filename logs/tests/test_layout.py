"""Where a log write updates the summaries, as a newcomer reads `logs/`: one engine, in no import circle."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("comments", "groups", "logs", "notifications", "saintsxctf", "teams", "users")


def module_imports() -> dict[str, set[str]]:
    """Project module -> the project modules it imports, anywhere in the file (imports inside functions too)."""
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "tests" in parts or "migrations" in parts:
                continue
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                wanted = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                wanted = [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in wanted:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    targets.add(target)
        graph[name] = targets
    return graph


def reaches(graph, start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        for target in graph[todo.pop()] - seen:
            if target == goal:
                return True
            seen.add(target)
            todo.append(target)
    return False


@pytest.mark.parametrize("module", ["logs.models", "logs.services", "logs.summaries", "saintsxctf.foundation.aggregates",
                                    "saintsxctf.foundation.locks"])
def test_the_write_path_is_in_no_import_circle(module):
    graph = module_imports()
    assert not reaches(graph, module, module), f"{module} imports something that imports it back"


def test_the_models_hand_their_writes_to_the_engine_without_importing_it():
    graph = module_imports()
    assert "logs.summaries" not in graph["logs.models"] and "logs.services" not in graph["logs.models"]
    assert {"logs.models", "saintsxctf.foundation.locks"} <= graph["logs.summaries"]


@pytest.mark.parametrize("module", ["saintsxctf.foundation.aggregates", "saintsxctf.foundation.locks"])
def test_the_ground_floor_pieces_import_no_app(module):
    assert not {target for target in module_imports()[module] if not target.startswith("saintsxctf")}
