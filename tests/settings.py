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
