"""Development e-mail: a file per message, one console line with its links (smarketing/mail.py)."""

import logging
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from smarketing import settings as project_settings
from tests.test_settings import manage

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(settings, tmp_path):
    settings.EMAIL_BACKEND = "smarketing.mail.FolderBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    return tmp_path / "mail"


def test_a_password_reset_is_one_file_and_one_line_with_its_link(client, leader, folder, caplog):
    caplog.set_level(logging.INFO, logger="smarketing.mail")
    client.post(reverse("account_reset_password"), {"email": "ana@acme.example"})
    [written] = folder.glob("*.eml")
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["To"] == "ana@acme.example"
    body = message.get_body(("plain",)).get_content()
    link = next(word for word in body.split() if "/accounts/password/reset/key/" in word)
    [line] = [r.getMessage() for r in caplog.records if r.name == "smarketing.mail"]
    assert line.startswith("Mail to ana@acme.example: “Smarketing: ")
    assert f" {link} " in line and line.endswith(f"({written})")
    # The link in the line works.
    assert client.get(urlsplit(link).path).status_code == 302


def test_every_message_of_a_batch_has_its_own_file_and_line(folder, caplog):
    caplog.set_level(logging.INFO, logger="smarketing.mail")
    messages = [
        mail.EmailMultiAlternatives("One", "See https://a.example/x.", to=["a@x.example"]),
        mail.EmailMultiAlternatives("Two", "No link here.", to=["b@x.example"]),
    ]
    messages[1].attach_alternative('<a href="https://b.example/y">y</a>', "text/html")
    with mail.get_connection() as connection:
        assert connection.send_messages(messages) == 2
    assert len(list(folder.glob("*.eml"))) == 2
    lines = sorted(r.getMessage() for r in caplog.records if r.name == "smarketing.mail")
    assert lines[0].startswith("Mail to a@x.example: “One” https://a.example/x (")
    assert lines[1].startswith("Mail to b@x.example: “Two” https://b.example/y (")


@pytest.mark.parametrize(
    ("name", "level", "shown"),
    [
        ("django_tasks", logging.INFO, False),
        ("django_tasks_db", logging.INFO, False),
        ("django_tasks", logging.ERROR, True),
        ("django.server", logging.INFO, True),
        ("smarketing.mail", logging.INFO, True),
    ],
)
def test_the_worker_says_only_failures_at_warning(monkeypatch, name, level, shown):
    monkeypatch.setattr(project_settings, "TASKS_LOG_LEVEL", "WARNING")
    record = logging.LogRecord(name, level, __file__, 1, "Task id=1 state=SUCCESSFUL", None, None)
    assert project_settings.tasks_log_filter(record) is shown


def test_development_writes_mail_to_a_folder_and_production_does_not():
    show = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    real = {"DJANGO_SETTINGS_MODULE": "smarketing.settings"}
    development = manage("shell", "-v", "0", "-c", show, DEBUG="1", **real)
    assert development.stdout.strip() == "smarketing.mail.FolderBackend", development.stderr
    production = manage("shell", "-v", "0", "-c", show, DEBUG="0", SECRET_KEY="k" * 50, **real)
    assert production.stdout.strip() == "django.core.mail.backends.console.EmailBackend"
    smtp = manage("shell", "-v", "0", "-c", show, DEBUG="1", EMAIL_HOST="smtp.example", **real)
    assert smtp.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"
