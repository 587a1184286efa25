"""Every environment variable the settings (and gunicorn.conf.py) read is in the README's configuration table and
in .env.example."""

import re

from django.conf import settings

ROOT = settings.BASE_DIR


def variables_read() -> set[str]:
    source = (ROOT / "saintsxctf" / "settings.py").read_text() + (ROOT / "gunicorn.conf.py").read_text()
    return set(re.findall(r'env(?:_bool|_int|_float|_list)?\("([A-Z][A-Z0-9_]*)"', source))


def test_the_settings_read_variables():
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "WEB_CONCURRENCY"} <= variables_read()


def test_every_variable_is_in_the_readme_table():
    table = "\n".join(line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("| `"))
    missing = sorted(name for name in variables_read() if f"`{name}`" not in table)
    assert not missing, f"add to the README's configuration table: {missing}"


def test_every_variable_is_in_env_example():
    example = (ROOT / ".env.example").read_text()
    named = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    missing = sorted(variables_read() - named)
    assert not missing, f"add to .env.example: {missing}"
