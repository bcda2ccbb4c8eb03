"""No secret in any log: the addresses that are keys are masked before a line is written.

A private link (/r/<token>/…), a round's shared link (/join/<id>-<MAC>/), a
member invitation, an unsubscribe link, an e-mail confirmation or a password
reset link is a working key to someone's answers or account; so is the path
of any request to it, which Django logs for a 404, a CSRF failure or a 500,
and a server logs for every request. settings.LOGGING puts MaskSecrets on
every handler the app configures, the e-mails to ADMINS go through
MaskedExceptionReporter, and gunicorn (gunicorn.conf.py) logs through
GunicornLogger.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter
from gunicorn.glogging import Logger

MASK = "[secret]"
# The path segment after each of these is a key. "/" may be percent-encoded
# (a ?next= parameter); the admin's own /admin/r/<content type>/<id>/ is not a key.
SECRET_PATH = re.compile(
    r"(?<!/admin)((?:/|%2F)(?:r|join|unsubscribe|accounts(?:/|%2F)invitation"
    r"|accounts(?:/|%2F)confirm-email|accounts(?:/|%2F)password(?:/|%2F)reset(?:/|%2F)key)"
    r"(?:/|%2F))(?!done(?:/|%2F|\b))[^/\s?#&'\"<>%]+",
    re.IGNORECASE,
)


def mask(text: str) -> str:
    """TEXT with every secret path segment replaced by MASK."""
    return SECRET_PATH.sub(rf"\1{MASK}", text)


class MaskSecrets(logging.Filter):
    """Mask secrets in a record's message, its arguments and its traceback; drop nothing.

    UNMASKED names loggers whose records pass as they are (and their children's).
    """

    def __init__(self, name: str = "", unmasked: Iterable[str] = ()) -> None:
        super().__init__(name)
        self.unmasked = tuple(unmasked)

    def filter(self, record: logging.LogRecord) -> bool:
        if any(record.name == n or record.name.startswith(f"{n}.") for n in self.unmasked):
            return True
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


class ReporterFilter(SafeExceptionReporterFilter):
    """Django's filter for error reports, hiding the session and CSRF cookies too."""

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|SESSION|CSRF", flags=re.IGNORECASE
    )


class MaskedExceptionReporter(ExceptionReporter):
    """The error report e-mailed to ADMINS, with its secrets masked (URL, headers, locals)."""

    def get_traceback_text(self):
        return mask(super().get_traceback_text())

    def get_traceback_html(self):
        return mask(super().get_traceback_html())


class GunicornLogger(Logger):
    """gunicorn's access and error logs, with the request paths' secrets masked."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(MaskSecrets())
