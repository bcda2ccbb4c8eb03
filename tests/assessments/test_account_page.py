"""The account page: a display name, the e-mail language, deleting the account."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from assessments.models import Membership, Response, Round
from tests.helpers import highest, submit_response

pytestmark = pytest.mark.django_db


def test_a_member_sets_a_name_and_the_language_of_their_e_mails(client, leader, organization):
    client.force_login(leader)
    page = client.get(reverse("profile"))
    assert "You log in as ana@acme.example." in page.text
    response = client.post(
        reverse("profile"), {"first_name": " Ana ", "last_name": "García", "language": "es"}
    )
    assert response.status_code == 302
    leader.refresh_from_db()
    assert leader.get_full_name() == "Ana García"
    assert Membership.objects.get(user=leader).language == "es"

    client.post(
        reverse("assessments:members", args=[organization.pk]),
        {"email": "sam@acme.example", "role": "ceo", "language": "en"},
    )
    [message] = mail.outbox
    assert "Ana García invites you to join" in message.body
    assert "Ana García" in client.get(reverse("assessments:members", args=[organization.pk])).text


def test_a_bad_language_changes_nothing(client, leader):
    client.force_login(leader)
    response = client.post(reverse("profile"), {"first_name": "Eve", "language": "xx"})
    assert response.status_code == 200 and "Select a valid choice" in response.text
    leader.refresh_from_db()
    assert leader.first_name == "" and Membership.objects.get(user=leader).language == "en"


def test_the_last_member_of_an_organization_cannot_delete_the_account(client, leader):
    client.force_login(leader)
    page = client.get(reverse("delete_account"))
    assert "You are the only member of these organizations" in page.text
    assert "Org of ana@acme.example" in page.text
    client.post(reverse("delete_account"), {"password": "pw-for-tests"})
    assert get_user_model().objects.filter(pk=leader.pk).exists()


def test_deleting_the_account_keeps_the_answers_in_their_rounds(
    client, leader, organization, make_leader, round, settings
):
    make_leader("carl@acme.example", organization=organization)
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    answered = submit_response(round, "marketing", highest, email="ana@acme.example")
    client.force_login(leader)
    page = client.get(reverse("delete_account"))
    assert "they stay in that round and in its team figures" in page.text

    wrong = client.post(reverse("delete_account"), {"password": "not-mine"})
    assert "This is not your password." in wrong.text
    assert get_user_model().objects.filter(pk=leader.pk).exists()

    response = client.post(reverse("delete_account"), {"password": "pw-for-tests"}, follow=True)
    assert "Your account is deleted." in response.text
    assert not get_user_model().objects.filter(pk=leader.pk).exists()
    assert not Membership.objects.filter(user_id=leader.pk).exists()
    assert Response.objects.get(pk=answered.pk).round == round
    round = Round.objects.get(pk=round.pk)
    assert round.respondents == 1 and round.created_by is None
    assert client.get(organization.get_absolute_url()).status_code == 302  # logged out
