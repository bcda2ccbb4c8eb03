"""Headers, throttled logins, escaping of user text, and a database outage."""

import re
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from assessments.models import Answer, Organization, Response, Round
from tests.conftest import answer_all, highest, page_data, submit_response

pytestmark = pytest.mark.django_db

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def inline_scripts(html):
    """Script elements that would run: those without src that are not JSON data."""
    return [
        tag
        for tag in re.findall(r"<script\b[^>]*>", html)
        if "src=" not in tag and 'type="application/json"' not in tag
    ]


def test_failed_logins_are_throttled(client, leader):
    url = reverse("login")
    statuses = [
        client.post(url, {"username": "ana@acme.example", "password": "wrong"}).status_code
        for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    response = client.post(url, {"username": "ANA@acme.example", "password": "pw-for-tests"})
    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert "_auth_user_id" not in client.session


def test_other_accounts_are_not_locked_by_someone_elses_failures(client, leader, other_leader):
    for _ in range(5):
        client.post(reverse("login"), {"username": "ana@acme.example", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "olga@other.example", "password": "pw-for-tests"}
    )
    assert response.status_code == 302


def test_user_text_is_escaped_in_pages_and_chart_data(client, leader, questionnaire, settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    organization = leader.organizations.get()
    Organization.objects.filter(pk=organization.pk).update(name=EVIL)
    round = Round.objects.create(organization=organization, questionnaire=questionnaire)
    respondent = submit_response(round, "marketing", highest, name=EVIL)
    client.force_login(leader)
    pages = [
        client.get(organization.get_absolute_url()),
        client.get(round.get_absolute_url()),
        client.get(reverse("assessments:result", args=[respondent.token])),
        client.get(reverse("assessments:organizations")),
        client.get(round.get_share_url()),
    ]
    for page in pages:
        assert page.status_code == 200
        assert EVIL not in page.text
        assert "onerror=alert" not in page.text.replace("onerror=alert(1)&gt;", "")
        assert inline_scripts(page.text) == []
    assert "&lt;script&gt;alert" in pages[0].text


def test_anonymous_respondent_text_is_escaped(client, questionnaire):
    client.post(reverse("assessments:start"), {"organization_name": EVIL, "role": "ceo"})
    response = Response.objects.get()
    answer_all(client, response)
    page = client.get(reverse("assessments:result", args=[response.token]))
    assert EVIL not in page.text and "&lt;script&gt;" in page.text


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/continuum/",
        "/continuum/silo/",
        "/assessment/",
        "/accounts/login/",
        "/accounts/signup/",
    ],
)
def test_pages_run_no_inline_script_and_send_security_headers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert inline_scripts(response.text) == []
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy + ";" and "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_a_database_outage_is_a_friendly_503_and_keeps_what_was_saved(new_response):
    client = Client(raise_request_exception=False)
    pages = new_response.questionnaire.pages()
    first = reverse("assessments:page", args=[new_response.token, 1])
    client.post(first, page_data(pages[0], highest, next="1"))
    saved = Answer.objects.count()
    assert saved == pages[0].questions.count()

    second = reverse("assessments:page", args=[new_response.token, 2])
    outage = OperationalError("could not connect to server")
    with mock.patch("assessments.views.respondents._save_page", side_effect=outage):
        response = client.post(second, page_data(pages[1], highest, next="1"))
    assert response.status_code == 503
    assert "Back in a moment" in response.content.decode()
    assert response["Retry-After"] == "60"
    assert Answer.objects.count() == saved

    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection", side_effect=outage
    ):
        response = Client(raise_request_exception=False).get(second)
    assert response.status_code == 503
    assert Answer.objects.count() == saved


def test_any_other_error_is_a_plain_500_page(new_response):
    client = Client(raise_request_exception=False)
    with mock.patch(
        "assessments.views.respondents._first_unanswered", side_effect=RuntimeError("bug")
    ):
        response = client.get(new_response.get_absolute_url())
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
