"""/healthz: what a load balancer polls on every app server."""

import json

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_session_host_or_https(client, settings, django_assert_num_queries):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["smarketing.example.com"]
    with django_assert_num_queries(1):
        response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000", secure=False)
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "cache": "ok"}
    assert not response.cookies and "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("smarketing.middleware.connection.cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["database"] == "error"
