"""Every member page, tried as the wrong person: nothing of another organization leaks."""

import pytest
from django.urls import reverse

from assessments.models import MemberInvitation, Response, Round
from tests.helpers import highest, submit_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_urls(organization, round):
    return [
        ("get", reverse("assessments:team", args=[organization.pk])),
        ("get", reverse("assessments:members", args=[organization.pk])),
        ("post", reverse("assessments:members", args=[organization.pk])),
        ("get", reverse("assessments:round_new", args=[organization.pk])),
        ("post", reverse("assessments:round_new", args=[organization.pk])),
        ("get", reverse("assessments:round", args=[round.pk])),
        ("post", reverse("assessments:round_invite", args=[round.pk])),
        ("post", reverse("assessments:round_close", args=[round.pk])),
        ("post", reverse("assessments:round_reopen", args=[round.pk])),
    ]


POST_DATA = {"email": "x@evil.example", "role": "sales", "closes_on": ""}


def test_leader_of_another_organization_gets_404_everywhere(
    client, other_leader, member_urls, round
):
    client.force_login(other_leader)
    for method, url in member_urls:
        response = getattr(client, method)(url, POST_DATA)
        assert response.status_code == 404, (method, url)
    round.refresh_from_db()
    assert round.closed_at is None
    assert not Response.objects.exists() and not MemberInvitation.objects.exists()
    assert Round.objects.count() == 1


def test_anonymous_visitor_is_sent_to_log_in(client, member_urls):
    for method, url in member_urls:
        response = getattr(client, method)(url, POST_DATA)
        assert response.status_code == 302, (method, url)
        assert response.url.startswith(reverse("account_login")), url


def test_respondent_of_the_same_round_sees_only_their_own_response(client, round, member_urls):
    mine = submit_response(round, "sales", highest)
    theirs = submit_response(round, "marketing", highest)
    assert client.get(reverse("assessments:result", args=[mine.token])).status_code == 200
    for method, url in member_urls:
        assert getattr(client, method)(url, POST_DATA).status_code == 302
    page = client.get(reverse("assessments:result", args=[mine.token]))
    assert theirs.token not in page.text


def test_my_organizations_lists_only_mine(client, leader, other_leader):
    client.force_login(leader)
    page = client.get(reverse("assessments:organizations"))
    assert "Org of ana@acme.example" in page.text
    assert "Org of olga@other.example" not in page.text


def test_member_pages_work_for_the_member(client, leader, member_urls):
    client.force_login(leader)
    for method, url in member_urls:
        if method == "get":
            assert client.get(url).status_code == 200, url
