"""Test settings: the real settings, with a key and a fast password hasher."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")

from smarketing.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run where they are enqueued, so tests assert the mail actually sent;
# tests/assessments/test_tasks.py runs the database queue and its worker too.
TASKS = {"default": {"BACKEND": "tests.tasks_backend.FailingImmediateBackend"}}
# The test client speaks plain HTTP; the other production settings stay on.
SECURE_SSL_REDIRECT = False
# Serve static files from the app folders, as runserver does; no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Parallel workers (pytest-xdist) each get a Redis database of their own:
# clearing the cache after a test empties the whole database (the
# "pages" cache is each process's own memory).
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _worker.startswith("gw"):  # noqa: F405
    from urllib.parse import urlsplit

    _url = urlsplit(REDIS_URL)  # noqa: F405
    _database = _url._replace(path=f"/{int(_worker[2:]) + 1}").geturl()
    CACHES["default"]["LOCATION"] = _database  # noqa: F405
