"""Red team: login lockout and account enumeration."""

import statistics
import time

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.urls import reverse

from smarketing.hashers import Argon2PasswordHasher

KNOWN_LIMIT = "a known limit, stated in docs/privacy.md (Who sees the answers, Known limits)"

pytestmark = pytest.mark.django_db


def login(client, email, password="wrong", **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def locked(response):
    return response.status_code == 200 and "Too many failed attempts to log in" in response.text


@pytest.mark.parametrize(
    "hosts",
    [
        ["testserver", "testserver:8001", "testserver:8002", "testserver:8003"],
        ["testserver", "TESTSERVER", "Testserver", "testserver."],
    ],
    ids=["port", "case-and-trailing-dot"],
)
def test_an_account_locks_whatever_the_host_header_says(leader, hosts):
    """The per-account key is allauth's "<site domain>:<login>"; without django.contrib.sites
    the domain is request.get_host(), which the client chooses within ALLOWED_HOSTS."""
    attempts = 0
    for n, host in enumerate(hosts):
        # A different client address each time, as a botnet would; the per-account
        # limit (5 per 15 minutes) is what should stop it.
        attacker = Client(REMOTE_ADDR=f"10.7.0.{n}", HTTP_HOST=host)
        for _ in range(5):
            response = login(attacker, "ana@acme.example")
            assert response.status_code == 200
            attempts += not locked(response)
    assert attempts <= 5, f"{attempts} password guesses against one account in 15 minutes"


def timed(call, repeat=3):
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


class CountingHasher(Argon2PasswordHasher):
    """The production hasher, counting the passwords it hashes (each costs about 0.15 s)."""

    hashed = 0

    def encode(self, password, salt):
        CountingHasher.hashed += 1
        return super().encode(password, salt)


class StillTells(Exception):
    """The known limit holds: the work done differs with whether the address has an account."""


@pytest.mark.xfail(strict=True, raises=StillTells, reason=KNOWN_LIMIT)
def test_signup_takes_as_long_for_an_existing_address(leader, settings):
    """A new account costs an Argon2 hash (about 0.15 s); an existing address costs none: the
    answer time tells which addresses have accounts. Counted rather than timed, so that a busy
    machine can neither hide the difference nor make it up."""
    settings.PASSWORD_HASHERS = ["tests.redteam.test_rt_accounts.CountingHasher"]
    counter = iter(range(1000))

    def hashes_for_signup(email):
        n = next(counter)
        before = CountingHasher.hashed
        Client(REMOTE_ADDR=f"10.8.0.{n}").post(
            reverse("account_signup"),
            {
                "first_name": "Someone",
                "email": email,
                "password1": "a-Long-pass-phrase-9",
                "password2": "a-Long-pass-phrase-9",
            },
        )
        return CountingHasher.hashed - before

    new = hashes_for_signup("nobody@acme.example")
    assert new >= 1  # the count sees the work a new account costs (a plain failure if not)
    existing = hashes_for_signup("ana@acme.example")
    if existing != new:
        raise StillTells(f"new address: {new} password hashes, existing: {existing}")


class SlowSMTP(EmailBackend):
    """The outside world: a real SMTP server takes a while to accept a message."""

    def send_messages(self, messages):
        time.sleep(0.25)
        return super().send_messages(messages)


@pytest.mark.xfail(strict=True, reason=KNOWN_LIMIT)
def test_password_reset_takes_as_long_for_an_unknown_address(leader, settings):
    """Known address: a message goes out, synchronously. Unknown: nothing is sent."""
    settings.EMAIL_BACKEND = "tests.redteam.test_rt_accounts.SlowSMTP"
    counter = iter(range(1000))

    def reset(email):
        def post():
            n = next(counter)
            Client(REMOTE_ADDR=f"10.9.0.{n}").post(
                reverse("account_reset_password"), {"email": email}
            )

        return post

    known = timed(reset("ana@acme.example"))
    unknown = timed(reset("nobody@acme.example"))
    assert abs(known - unknown) < 0.1, f"known {known:.3f}s, unknown {unknown:.3f}s"


def test_filling_the_shared_cache_does_not_lift_a_lockout(leader, settings, questionnaire):
    """The database cache culls a third of its rows, alphabetically first, once it holds more
    than its MAX_ENTRIES: allauth's "login_failed" counters sort before the "mail" and "start"
    rows that anonymous visitors create. Rendered pages therefore live in each process's own
    cache, and the counters' cache only culls past a million rows, which a flood of starts
    cannot reach within the counters' lifetimes."""
    from django.conf import settings as live

    default = live.CACHES["default"]
    if not live.REDIS_URL:  # Redis culls nothing unless told to (maxmemory)
        assert default["OPTIONS"]["MAX_ENTRIES"] >= 1_000_000
    assert live.CACHES["pages"]["BACKEND"].endswith("LocMemCache")
    for n in range(5):
        login(Client(REMOTE_ADDR=f"10.6.0.{n}"), "ana@acme.example")
    assert locked(login(Client(REMOTE_ADDR="10.6.1.1"), "ana@acme.example", "pw-for-tests"))
    for n in range(40):
        Client(REMOTE_ADDR=f"10.5.0.{n}").post(
            reverse("assessments:start"),
            {"organization_name": "Acme", "role": "ceo", "email": f"filler{n}@example.net"},
        )
    retry = login(Client(REMOTE_ADDR="10.6.1.2"), "ana@acme.example", "pw-for-tests")
    assert locked(retry), "the account's lockout was culled from the cache"
