"""Which failures pass by themselves, and how long to wait before trying again.

One home for the rule that the worker (retries of tasks), the mailer (an
e-mail's delivery status) and the caches (a Redis outage) apply: a failure is
transient when the same attempt may succeed later without anyone changing
anything (a refused or dropped connection, a timeout, a temporary SMTP reply,
a locked or restarting database); anything else is permanent and is shown,
not retried.
"""

from __future__ import annotations

import smtplib
import socket

from django.conf import settings
from django.db import InterfaceError, OperationalError

# Seconds before attempt n + 1 (n = 1, 2, ...): TASK_RETRY_SECONDS (15 s) doubling,
# at most 4 minutes, so a mail server that comes back is tried again within
# 4 minutes of its return.
LONGEST_DELAY = 240


def retry_delay(attempts: int) -> int:
    """Seconds to wait after ATTEMPTS failed attempts: 15, 30, 60, 120, 240, 240, ... with
    the default TASK_RETRY_SECONDS."""
    return min(settings.TASK_RETRY_SECONDS * 2 ** max(attempts - 1, 0), LONGEST_DELAY)


def smtp_code(exc: BaseException) -> int | None:
    """The SMTP reply code that refused, or None when no server answered with one.

    A refusal of every recipient carries one code per recipient: the highest
    counts, so a batch with one permanent refusal is not retried for ever.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return max(codes) if codes else None
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code
    return None


def is_transient(exc: BaseException) -> bool:
    """Whether the attempt that raised EXC may succeed later, unchanged."""
    code = smtp_code(exc)
    if code is not None:
        return 400 <= code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected | socket.gaierror):
        return True
    if isinstance(exc, ConnectionError | TimeoutError | OperationalError | InterfaceError):
        return True
    return _is_redis_outage(exc)


def describe(exc: BaseException) -> str:
    """A short, readable account of EXC for a delivery's status (the server's own words)."""
    code = smtp_code(exc)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = [f"{c} {m.decode(errors='replace')}" for c, m in exc.recipients.values()]
        return "; ".join(replies)[:500]
    if code is not None and isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error
        if isinstance(message, bytes):
            message = message.decode(errors="replace")
        return f"{code} {message}"[:500]
    return (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)[:500]


def _is_redis_outage(exc: BaseException) -> bool:
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover - redis is a pinned dependency
        return False
    return isinstance(exc, RedisConnectionError | RedisTimeoutError)
