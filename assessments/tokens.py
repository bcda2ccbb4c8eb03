"""Private-link secrets: made here, stored only as digests, recognised here.

A private link's token carries 256 random bits, so a plain SHA-256 digest is
enough to store it safely: nobody can recover a working link from the digest,
and no slow password hash is needed to stop guessing. A round's shared link is
not stored at all: it is derived from the round's id with the SECRET_KEY, so
members can be shown it again while the database alone cannot rebuild it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SHARE_SALT = "smarketing.round-share-link"


def new_token() -> str:
    """Return an unguessable, URL-safe key (256 bits of randomness)."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """Return what is stored of a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def share_token(pk: int, secret: str | None = None) -> str:
    """Return a round's shared-link token: its id and a MAC of it."""
    mac = salted_hmac(SHARE_SALT, str(pk), secret=secret, algorithm="sha256").hexdigest()
    return f"{pk}-{mac[:40]}"


def share_token_pk(token: str) -> int | None:
    """Return the round id a shared-link token was made for, None if it is not genuine.

    Tokens made with a key in SECRET_KEY_FALLBACKS still work, so the key can
    be rotated without breaking links that are out there.
    """
    pk, _, _mac = token.partition("-")
    if not pk.isdigit() or len(pk) > 18:
        return None
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        if constant_time_compare(token, share_token(int(pk), secret)):
            return int(pk)
    return None


UNSUBSCRIBE_SALT = "smarketing.unsubscribe"
# "r": reminders of one invitation (a Response); "d": due notices of one Membership.
UNSUBSCRIBE_KINDS = ("r", "d")


def unsubscribe_token(kind: str, pk: int, secret: str | None = None) -> str:
    """Return the key of a one-click unsubscribe link: what it stops, and a MAC of that."""
    mac = salted_hmac(UNSUBSCRIBE_SALT, f"{kind}{pk}", secret=secret, algorithm="sha256")
    return f"{kind}{pk}-{mac.hexdigest()[:40]}"


def unsubscribe_target(token: str) -> tuple[str, int] | None:
    """Return (kind, id) an unsubscribe token was made for, None if it is not genuine."""
    head, _, _mac = token.partition("-")
    kind, pk = head[:1], head[1:]
    if kind not in UNSUBSCRIBE_KINDS or not pk.isdigit() or len(pk) > 18:
        return None
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        if constant_time_compare(token, unsubscribe_token(kind, int(pk), secret)):
            return kind, int(pk)
    return None


def _fernet(purpose: str):
    from cryptography.fernet import Fernet, MultiFernet

    keys = []
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        digest = salted_hmac(purpose, "fernet", secret=secret, algorithm="sha256").digest()
        keys.append(Fernet(base64.urlsafe_b64encode(digest)))
    return MultiFernet(keys)


def seal(data: bytes, purpose: str) -> bytes:
    """Encrypt DATA with a key derived from SECRET_KEY for PURPOSE (Fernet: AES and a MAC)."""
    return _fernet(purpose).encrypt(data)


def unseal(token: bytes, purpose: str) -> bytes:
    """Decrypt what seal() made; keys in SECRET_KEY_FALLBACKS still open it."""
    return _fernet(purpose).decrypt(token)
