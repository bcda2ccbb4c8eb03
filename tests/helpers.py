"""Helpers for tests; conftest.py holds the fixtures (personas), this module the functions."""

import re

from django.urls import reverse

PRIVATE_LINK = re.compile(r"/r/([A-Za-z0-9_-]{20,64})/")
INVITATION_LINK = re.compile(r"/accounts/invitation/([A-Za-z0-9_-]{20,64})/")


def private_token(text):
    """The token of the (last) private link in TEXT: an e-mail body or a redirect address."""
    return PRIVATE_LINK.findall(text)[-1]


def invitation_token(text):
    return INVITATION_LINK.findall(text)[-1]


def private_path(token):
    return reverse("assessments:resume", args=[token])


def close(round):
    """Close ROUND now, as a member would; a confidential round publishes its figures then."""
    from django.utils import timezone

    type(round).objects.filter(pk=round.pk).update(closed_at=timezone.now())
    round.refresh_from_db()
    return round
