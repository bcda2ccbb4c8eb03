"""Headers, throttled logins, escaping of user text, and a database outage."""

import csv
import io
import re
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse

from assessments.models import Answer, Organization, Response, Round
from tests.helpers import (
    answer_all,
    highest,
    page_data,
    private_path,
    private_token,
    submit_response,
)

pytestmark = pytest.mark.django_db

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def inline_scripts(html):
    """Script elements that would run: those without src that are not JSON data."""
    return [
        tag
        for tag in re.findall(r"<script\b[^>]*>", html)
        if "src=" not in tag and 'type="application/json"' not in tag
    ]


def strict_address_limit(settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "3/h/ip,5/15m/key",
    }


def login(client, email, password="wrong", **headers):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **headers)


def locked(response):
    return response.status_code == 200 and "Too many failed attempts to log in" in response.text


def test_failed_logins_lock_the_account(client, leader):
    assert not any(locked(login(client, "ana@acme.example")) for _ in range(5))
    # The sixth try is refused even with the right password, from any address.
    response = login(Client(REMOTE_ADDR="10.9.9.9"), "ANA@acme.example", "pw-for-tests")
    assert locked(response)
    assert "_auth_user_id" not in client.session


def test_other_accounts_are_not_locked_by_someone_elses_failures(client, leader, other_leader):
    for _ in range(5):
        login(client, "ana@acme.example")
    assert login(client, "olga@other.example", "pw-for-tests").status_code == 302


def test_failed_logins_lock_the_address_across_accounts(client, make_leader, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "3/h/ip,5/15m/key",
    }
    for n in range(3):
        login(client, f"user{n}@acme.example")
    make_leader("last@acme.example")
    # One address trying one password against many accounts is stopped...
    assert locked(login(client, "last@acme.example", "pw-for-tests"))
    # ...while another address still gets in.
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert login(other, "last@acme.example", "pw-for-tests").status_code == 302


def test_a_forged_forwarded_for_header_does_not_reset_the_count(client, leader, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "3/h/ip,5/15m/key",
    }
    for n in range(3):
        login(client, f"user{n}@acme.example", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert locked(
        login(client, "ana@acme.example", "pw-for-tests", HTTP_X_FORWARDED_FOR="192.0.2.99")
    )


def test_behind_a_trusted_proxy_each_client_counts_on_its_own(client, leader, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "3/h/ip,5/15m/key",
    }
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n in range(3):
        login(client, f"user{n}@acme.example", HTTP_X_FORWARDED_FOR="198.51.100.7")
    # Everyone comes from the proxy's address; the proxy's header tells them apart.
    other_client = login(
        client, "ana@acme.example", "pw-for-tests", HTTP_X_FORWARDED_FOR="198.51.100.8"
    )
    assert other_client.status_code == 302
    assert locked(login(Client(), "ana@acme.example", HTTP_X_FORWARDED_FOR="198.51.100.7"))


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
    started = client.post(reverse("assessments:start"), {"organization_name": EVIL, "role": "ceo"})
    response = Response.objects.get()
    response.token = private_token(started.url)
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
    # The database goes away half-way through the save: it answers reads, then
    # refuses the page's writes (the outside world fails, not a function of ours).
    real_execute = CursorWrapper.execute

    def writes_fail(cursor, sql, params=None):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            raise outage
        return real_execute(cursor, sql, params)

    with mock.patch.object(CursorWrapper, "execute", writes_fail):
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
        response = client.get(private_path(new_response.token))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_csv_cells_cannot_start_a_formula_whatever_the_separator(admin_client, round):
    Organization.objects.filter(pk=round.organization.pk).update(name="Acme;=1+1,@SUM(A1)")
    submit_response(round, "marketing", highest, name="x\t=cmd|' /C calc'!A0")
    export = admin_client.post(
        reverse("admin:dashboard_responses_export", args=[round.pk, "csv"])
    ).content.decode("utf-8-sig")
    for delimiter in [",", ";"]:
        for row in csv.reader(io.StringIO(export), delimiter=delimiter):
            for cell in row:
                assert not cell.lstrip('"').startswith(("=", "+", "-", "@")), (delimiter, cell)
    header, first = csv.reader(io.StringIO(export))
    assert first[header.index("organization")] == "Acme;=1+1,@SUM(A1)"


PRIVATE_PAGES = [
    lambda w: reverse("assessments:resume", args=[w["open"].token]),
    lambda w: reverse("assessments:page", args=[w["open"].token, 1]),
    lambda w: reverse("assessments:result", args=[w["submitted"].token]),
    lambda w: w["round"].get_share_url(),
    lambda w: w["round"].organization.get_absolute_url(),
    lambda w: w["round"].get_absolute_url(),
    lambda w: reverse("assessments:members", args=[w["round"].organization.pk]),
    lambda w: reverse("assessments:organizations"),
    lambda w: reverse("account_email"),
]


def test_private_pages_are_never_stored_by_browsers_or_proxies(client, leader, round):
    world = {
        "round": round,
        "submitted": submit_response(round, "marketing", highest),
        "open": round.responses.create(
            questionnaire=round.questionnaire, organization_name="A", role="sales"
        ),
    }
    client.force_login(leader)
    for url in (page(world) for page in PRIVATE_PAGES):
        response = client.get(url)
        assert response.status_code in (200, 302), url
        cache_control = response.headers.get("Cache-Control", "")
        assert "private" in cache_control and "no-store" in cache_control, url
