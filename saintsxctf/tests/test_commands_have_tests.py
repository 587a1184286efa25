"""Every management command of the project is exercised by some test (NetBox's meta-test)."""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import get_commands


def project_commands() -> set[str]:
    root = Path(settings.BASE_DIR).resolve()
    commands = set()
    for name, app_name in get_commands().items():
        if app_name.startswith("django."):
            continue
        app = next((a for a in apps.get_app_configs() if a.name == app_name), None)
        path = Path(app.path).resolve() if app is not None else None
        # Installed packages may live inside the project directory too (a `.venv` there).
        if path is not None and path.is_relative_to(root) and "site-packages" not in path.parts:
            commands.add(name)
    return commands


def commands_called_in_tests() -> set[str]:
    root = Path(settings.BASE_DIR)
    pattern = re.compile(r"call_command\(\s*[\"']([\w-]+)[\"']")
    found = set()
    for path in root.rglob("test_*.py"):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        found.update(pattern.findall(path.read_text(encoding="utf-8")))
    return found


def test_project_has_commands():
    assert {"import_legacy", "seed_demo", "purge_deleted", "expire_codes"} <= project_commands()


def test_every_management_command_has_a_test():
    untested = project_commands() - commands_called_in_tests()
    assert not untested, f"management commands without a call_command(...) test: {sorted(untested)}"
