"""Production settings: `check --deploy` is clean, and DEBUG off never shows a traceback."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "api.saintsxctf.com",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_COOKIES": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def deploy_check(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=django_settings.BASE_DIR, env={**clean, **env}, capture_output=True, text=True, timeout=120,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = deploy_check(**PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize("drop", ["SECURE_SSL_REDIRECT", "SECURE_COOKIES", "SECURE_HSTS_SECONDS"])
def test_deploy_check_fails_when_a_production_setting_is_missing(drop):
    result = deploy_check(**{k: v for k, v in PRODUCTION_ENV.items() if k != drop})
    assert result.returncode != 0
    assert "security.W" in result.stderr


def start(*command, **env) -> subprocess.CompletedProcess:
    """Run `command` (a Python process that loads the settings) with the production environment and `env`."""
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "DATABASE_URL"}
    env = {**clean, **PRODUCTION_ENV, **env}
    return subprocess.run([sys.executable, *command], cwd=django_settings.BASE_DIR,
                          env={k: v for k, v in env.items() if v is not None}, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("env, named", [
    ({"SECRET_KEY": None}, "SECRET_KEY is unset or the development key"),
    ({"SECRET_KEY": ""}, "SECRET_KEY is unset or the development key"),
    ({"SECRET_KEY": django_settings.DEVELOPMENT_SECRET_KEY}, "SECRET_KEY is unset or the development key"),
    ({"JWT_SIGNING_KEY": django_settings.DEVELOPMENT_SECRET_KEY}, "JWT_SIGNING_KEY is the development key"),
    ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS is empty"),
    ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS is empty"),
])
def test_production_refuses_to_start_naming_the_variable(env, named):
    result = start("-c", "import saintsxctf.wsgi", **env)  # what gunicorn loads
    assert result.returncode != 0
    assert "Refusing to start with DEBUG=false" in result.stderr and named in result.stderr


def test_management_commands_refuse_too():
    result = start("manage.py", "migrate", "--check", SECRET_KEY=None)
    assert result.returncode != 0 and "SECRET_KEY is unset" in result.stderr


def test_production_starts_with_safe_settings():
    result = start("manage.py", "check")
    assert result.returncode == 0, result.stderr


def test_development_defaults_still_start():
    result = start("manage.py", "check", DEBUG="true", SECRET_KEY=None, ALLOWED_HOSTS=None)
    assert result.returncode == 0, result.stderr


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "saintsxctf.tests.crash_urls"
    settings.API_CONTACT_EMAIL = "coach@example.com"
    return Client(raise_request_exception=False)


def assert_json_without_internals(resp, status):
    assert resp.status_code == status
    assert resp["Content-Type"].startswith("application/json")
    text = resp.content.decode()
    for leak in ("Traceback", "secret internals", "/etc/passwd", "File \"", "django", ".py"):
        assert leak not in text
    assert resp.json()["contact"] == "coach@example.com"


@pytest.mark.django_db
def test_a_crash_outside_drf_answers_the_500_body(production):
    assert_json_without_internals(production.get("/crash"), 500)


@pytest.mark.django_db
def test_a_crash_inside_drf_answers_the_500_body(production, monkeypatch):
    from saintsxctf import views

    def boom(self, request):
        raise RuntimeError("secret internals: /etc/passwd")

    monkeypatch.setattr(views.VersionsView, "get", boom)
    assert_json_without_internals(production.get("/versions"), 500)


@pytest.mark.django_db
def test_a_bad_host_header_answers_json(production):
    assert_json_without_internals(production.get("/versions", HTTP_HOST="evil.example.com"), 400)


@pytest.mark.django_db
def test_unknown_paths_and_methods_answer_json(production):
    assert_json_without_internals(production.get("/no/such/thing"), 404)
    assert_json_without_internals(production.delete("/versions"), 405)
    assert_json_without_internals(production.post("/auth/token", "{broken", content_type="application/json"), 400)
