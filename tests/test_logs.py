"""No secret in any log: the masking filter, Django's handlers and gunicorn's logs."""

import io
import logging

import pytest
from django.conf import settings

from smarketing.logs import MASK, GunicornLogger, MaskSecrets, mask

TOKEN = "SBxw4dDNuWlrPchM985TtlLdBdMI9SKo3ZE_vqLnjto"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"GET /r/{TOKEN}/page/1/ HTTP/1.1", f"GET /r/{MASK}/page/1/ HTTP/1.1"),
        (f"https://smarketing.example/r/{TOKEN}/result/", f"https://smarketing.example/r/{MASK}/result/"),
        ("/join/12-528fa302df837e8bf20e14f4cd9f4655b7a37104/", f"/join/{MASK}/"),
        (f"/unsubscribe/r-12-{TOKEN[:20]}/", f"/unsubscribe/{MASK}/"),
        (f"/accounts/invitation/{TOKEN}/", f"/accounts/invitation/{MASK}/"),
        ("/accounts/confirm-email/MQ:1tQ2:abc/", f"/accounts/confirm-email/{MASK}/"),
        ("/accounts/password/reset/key/1a-set-password/", f"/accounts/password/reset/key/{MASK}/"),
        (f"/accounts/login/?next=%2Fr%2F{TOKEN}%2F", f"/accounts/login/?next=%2Fr%2F{MASK}%2F"),
        # Not keys: left as they are.
        ("/accounts/password/reset/key/done/", "/accounts/password/reset/key/done/"),
        ("/admin/r/12/34/", "/admin/r/12/34/"),
        ("/rounds/12/workshop/", "/rounds/12/workshop/"),
    ],
)  # fmt: skip
def test_keys_in_paths_are_masked(text, masked):
    assert mask(text) == masked


def test_a_record_is_masked_in_its_message_arguments_and_traceback():
    try:
        raise ValueError(f"while serving /r/{TOKEN}/")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Error: %s", (f"/r/{TOKEN}/",),
            sys.exc_info(),
        )  # fmt: skip
    assert MaskSecrets().filter(record) is True
    formatted = logging.Formatter().format(record)
    assert TOKEN not in formatted and f"Error: /r/{MASK}/" in formatted
    assert "ValueError" in formatted


def test_every_handler_the_settings_configure_masks_keys():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "no_secrets" in handler["filters"], name
    assert (
        settings.LOGGING["handlers"]["mail_admins"]["reporter_class"]
        == "smarketing.logs.MaskedExceptionReporter"
    )


LOG_BOTH = (
    "import logging; "
    f"logging.getLogger('smarketing.mail').info('Mail: https://x.example/r/{TOKEN}/'); "
    f"logging.getLogger('django.request').warning('Not Found: /r/{TOKEN}/')"
)


def test_development_mail_shows_its_links_and_nothing_else_does():
    from tests.test_settings import manage

    real = {"DJANGO_SETTINGS_MODULE": "smarketing.settings"}
    development = manage("shell", "-v", "0", "-c", LOG_BOTH, DEBUG="1", **real)
    # The development backend's line names the link its .eml file holds (smarketing/mail.py).
    assert f"Mail: https://x.example/r/{TOKEN}/" in development.stderr, development.stderr
    assert f"Not Found: /r/{MASK}/" in development.stderr
    assert development.stderr.count(TOKEN) == 1


def test_gunicorn_logs_requests_without_their_keys():
    from gunicorn.config import Config

    config = Config()
    config.set("accesslog", "-")
    logger = GunicornLogger(config)
    buffer = io.StringIO()
    for handler in logger.access_log.handlers:
        handler.setStream(buffer)

    class Response:
        status = "404 Not Found"
        response_length = 10
        sent = 10
        headers = ()

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/r/{TOKEN}/",
        "PATH_INFO": f"/r/{TOKEN}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
    }
    logger.access(Response(), [], environ, __import__("datetime").timedelta(seconds=0.1))
    assert f"/r/{MASK}/" in buffer.getvalue() and TOKEN not in buffer.getvalue()


def test_gunicorn_reads_the_logger_from_the_projects_config():
    import runpy

    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    assert config["logger_class"] == "smarketing.logs.GunicornLogger"
