"""Development e-mail: one file per message in a folder, and one line per message on the console.

`make run` (and any run with DEBUG and no EMAIL_HOST) uses this backend, so a
confirmation or invitation link is one line to find among the request logs,
and the whole message is a file a mail client or a text editor opens.
"""

from __future__ import annotations

import datetime
import logging
import re
import secrets
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend

logger = logging.getLogger("smarketing.mail")

LINK = re.compile(r"https?://[^\s<>\"')]+")


def links(message):
    """Every distinct link of MESSAGE, in order: from its text, else from its HTML alternative."""
    found = LINK.findall(message.body or "")
    if not found:
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                found += LINK.findall(str(content))
    return list(dict.fromkeys(link.rstrip(".,;") for link in found))


def summary(message, path=None):
    """One line that says whom MESSAGE goes to, its subject, its links and where it was written."""
    line = f"Mail to {', '.join(message.recipients())}: “{message.subject}”"
    for link in links(message):
        line += f" {link}"
    if path is not None:
        line += f" ({path})"
    return line


class FolderBackend(EmailBackend):
    """Write each message to EMAIL_FILE_PATH as an .eml file and log one line about it."""

    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            path = self._message_path()
            path.write_bytes(message.message().as_bytes(linesep="\n"))
            logger.info(summary(message, path))
            sent += 1
        return sent

    def _message_path(self):
        # Sorted by name is sorted by time; the random tail keeps simultaneous senders apart.
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        return Path(self.file_path) / f"{stamp}-{secrets.token_hex(3)}.eml"
