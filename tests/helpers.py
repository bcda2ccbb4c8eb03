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


def by_question(mapping, default=0):
    """pick() by (indicator key, nth question of it), indicator key or stage number.

    Values are option indexes (0 = least aligned); None is "I don't know".
    """
    seen = {}

    def pick(question):
        key = question.indicator.key
        asked = seen.setdefault(key, [])
        if question.pk not in asked:
            asked.append(question.pk)
        for choice in ((key, asked.index(question.pk)), key, question.indicator.stage.number):
            if choice in mapping:
                index = mapping[choice]
                break
        else:
            index = default
        return None if index is None else list(question.options.all())[index]

    return pick
