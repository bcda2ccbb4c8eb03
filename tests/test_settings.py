import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-like-secret-key-" + "x" * 40,
    "ALLOWED_HOSTS": "smarketing.example.com",
    "DJANGO_SETTINGS_MODULE": "smarketing.settings",
}


def manage(*args, **env):
    unset = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ = {k: v for k, v in os.environ.items() if k not in unset}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    result = manage("check", DEBUG="0", DJANGO_SETTINGS_MODULE="smarketing.settings")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_check_deploy_passes_with_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_security_headers_are_sent(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src"))
    assert script_src == "script-src 'self'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """Static files collected once as in production (compressing them takes seconds)."""
    root = tmp_path_factory.mktemp("static")
    result = manage("collectstatic", "--no-input", "-v", "0", **PRODUCTION, STATIC_ROOT=str(root))
    assert result.returncode == 0, result.stderr
    return root


def test_static_files_are_compressed_and_cache_busted(collected):
    env = {**PRODUCTION, "STATIC_ROOT": str(collected)}
    assert (collected / "staticfiles.json").exists()
    assert list(collected.glob("css/site.*.css.gz"))
    # Only the content-hashed copies are kept (WHITENOISE_KEEP_ONLY_HASHED_FILES).
    assert not (collected / "css" / "site.css").exists()

    code = "from django.templatetags.static import static; print(static('css/site.css'))"
    result = manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip().splitlines()[-1]
    assert url.startswith("/static/css/site.") and url != "/static/css/site.css"


def test_production_redirects_to_https_and_marks_cookies_secure(tmp_path, collected):
    code = """
from django.test import Client
client = Client(HTTP_HOST="smarketing.example.com")
plain = client.get("/continuum/")
print(plain.status_code, plain["Location"])
login = client.get("/accounts/login/", secure=True)
cookie = login.cookies["csrftoken"]
print(login.status_code, cookie["secure"], cookie["samesite"])
print(login["Strict-Transport-Security"])
"""
    env = {
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(collected),
    }
    result = manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()[-3:]
    assert lines[0] == "301 https://smarketing.example.com/continuum/"
    assert lines[1] == "200 True Lax"
    assert lines[2].startswith("max-age=31536000; includeSubDomains; preload")


def test_a_benchmark_run_time_that_is_no_time_of_day_stops_the_start():
    result = manage("check", DEBUG="1", BENCHMARK_RUN_AT="3am")
    assert result.returncode != 0
    assert "BENCHMARK_RUN_AT must be a time of day such as 03:00, not '3am'" in result.stderr
