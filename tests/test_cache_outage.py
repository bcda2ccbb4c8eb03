"""Redis unreachable: every page still works, rate limits still count, /healthz says "degraded".

Redis here is an address where nothing listens (a stopped server refuses the
connection the same way); tests/faults/ stops a running one mid-session.
"""

import json
import socket
import time

import pytest
from django.core.cache import caches
from django.urls import reverse

from smarketing import cache as fallback_cache
from tests.helpers import answer_all

pytestmark = pytest.mark.django_db


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dead_redis(settings):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CACHES = {
        **settings.CACHES,  # the public pages' in-process cache stays as it is
        "default": {
            "BACKEND": "smarketing.cache.FallbackRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "outage:default",
        },
    }
    fallback_cache._down_until.clear()
    yield url
    fallback_cache._down_until.clear()


def test_healthz_answers_200_with_the_cache_degraded(client, dead_redis):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "degraded",
        "database": "ok",
        "cache": "degraded",
    }


def test_starting_the_assessment_works_and_rate_limits_still_count(
    client, questionnaire, dead_redis, settings
):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "start": "3/h/ip"}
    data = {"organization_name": "Acme", "role": "ceo"}
    began = time.monotonic()
    statuses = [client.post(reverse("assessments:start"), data).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    # A dead Redis is tried once per RETRY_SECONDS, within short timeouts: no request waits on it.
    assert time.monotonic() - began < 2
    assert caches["default"].degraded


def test_a_result_page_renders_without_its_cache(client, new_response, dead_redis):
    answer_all(client, new_response)
    result = reverse("assessments:result", args=[new_response.token])
    first, second = client.get(result), client.get(result)
    assert first.status_code == second.status_code == 200
    assert first.content.decode().count("<h1") == 1
