"""A round's shared link: a room of people behind one address gets in; the round's own cap holds."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import PrivateLink, Response, Round
from tests.helpers import use_up_starts

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)


def join(round, address="198.51.100.7", **data):
    return Client(REMOTE_ADDR=address).post(round.get_share_url(), {"role": "sales", **data})


def started(round):
    return Response.objects.filter(round=round, invited_at__isnull=True).count()


def test_a_room_behind_one_address_all_start(round):
    # Issue #24: 40 starts from one address started 30 and refused 10.
    statuses = [join(round).status_code for _ in range(40)]
    assert statuses == [302] * 40
    assert started(round) == 40


def test_the_301st_start_from_one_address_succeeds(round):
    use_up_starts(300, "198.51.100.7")
    response = join(round, name="Attendee 301")
    assert response.status_code == 302
    assert round.responses.get().name == "Attendee 301"


def test_one_address_is_still_stopped_after_a_thousand_starts(round):
    use_up_starts(999, "198.51.100.7")
    assert join(round).status_code == 302
    refused = join(round)
    assert refused.status_code == 429
    assert "Too many requests" in refused.text
    assert started(round) == 1
    # The cap is per address: the room next door is not affected.
    assert join(round, address="203.0.113.5").status_code == 302


def test_the_rounds_cap_refuses_the_next_start_and_writes_nothing(round):
    Round.objects.filter(pk=round.pk).update(starts_per_hour=3)
    with time_machine.travel(NOON, tick=False):
        # Different addresses: the round's cap holds whoever passes the link on.
        assert [join(round, f"192.0.2.{n}").status_code for n in range(3)] == [302] * 3
        links = PrivateLink.objects.count()
        refused = join(round, "192.0.2.9", email="late@example.com")
        assert refused.status_code == 429
        assert "This link is busy" in refused.text
        assert "nothing was saved" in refused.text
        assert "try again in about 60 minutes" in refused.text
        assert refused["Retry-After"] == "3600"
        assert started(round) == 3 and PrivateLink.objects.count() == links
    # An hour after the first start, its place is free again.
    with time_machine.travel(NOON + datetime.timedelta(hours=1, seconds=1), tick=False):
        assert join(round, "192.0.2.9").status_code == 302
    assert started(round) == 4


def test_the_busy_page_says_when_a_place_frees_up(round):
    Round.objects.filter(pk=round.pk).update(starts_per_hour=2)
    for minutes in [0, 10, 20]:
        with time_machine.travel(NOON + datetime.timedelta(minutes=minutes), tick=False):
            Round.objects.filter(pk=round.pk).update(starts_per_hour=5)
            assert join(round).status_code == 302
    # The members lowered the cap below the three starts of this hour: two
    # must leave it, the second at 12:10 + 1 h.
    Round.objects.filter(pk=round.pk).update(starts_per_hour=2)
    with time_machine.travel(NOON + datetime.timedelta(minutes=30), tick=False):
        refused = join(round)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(40 * 60)
    assert "try again in about 40 minutes" in refused.text


def test_invited_people_do_not_count_against_the_cap(round):
    Round.objects.filter(pk=round.pk).update(starts_per_hour=1)
    for n in range(3):
        Response.objects.create(
            round=round,
            questionnaire=round.questionnaire,
            organization_name="Acme",
            role="sales",
            email=f"invited{n}@acme.example",
            invited_at=timezone.now(),
        )
    assert join(round).status_code == 302
    assert join(round, "192.0.2.1").status_code == 429


def test_the_database_refuses_a_cap_outside_1_to_5000(round):
    for value in [0, 5001]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Round.objects.filter(pk=round.pk).update(starts_per_hour=value)


def test_a_new_round_takes_500_starts_an_hour_unless_the_member_says_otherwise(
    client, leader, organization
):
    client.force_login(leader)
    form = client.get(reverse("assessments:round_new", args=[organization.pk]))
    assert 'name="starts_per_hour" value="500"' in form.text
    client.post(
        reverse("assessments:round_new", args=[organization.pk]),
        {"visibility": "confidential", "starts_per_hour": "1200"},
    )
    assert organization.rounds.get().starts_per_hour == 1200


def test_members_see_and_change_the_cap_on_the_round_page(client, leader, round):
    client.force_login(leader)
    page = client.get(round.get_absolute_url())
    assert "Up to 500 people can start answering through this link in any one hour." in page.text
    assert "Anyone beyond this number in one hour is asked to try again" in page.text
    url = reverse("assessments:round_link_limit", args=[round.pk])
    saved = client.post(url, {"starts_per_hour": "2000"}, follow=True)
    assert "The shared link now takes up to 2000 starts per hour." in saved.text
    assert "Up to 2000 people can start" in saved.text
    round.refresh_from_db()
    assert round.starts_per_hour == 2000


@pytest.mark.parametrize(
    "value, message",
    [
        ("0", "greater than or equal to 1"),
        ("5001", "less than or equal to 5000"),
        ("many", "Enter a whole number"),
        ("", "This field is required"),
    ],
)
def test_a_cap_outside_1_to_5000_is_refused_and_changes_nothing(
    client, leader, round, value, message
):
    client.force_login(leader)
    url = reverse("assessments:round_link_limit", args=[round.pk])
    refused = client.post(url, {"starts_per_hour": value})
    assert refused.status_code == 400
    assert message in refused.text
    # The page still tells the number in force.
    assert "Up to 500 people can start" in refused.text
    round.refresh_from_db()
    assert round.starts_per_hour == 500


def test_another_organizations_leader_cannot_change_the_cap(client, other_leader, round):
    client.force_login(other_leader)
    url = reverse("assessments:round_link_limit", args=[round.pk])
    assert client.post(url, {"starts_per_hour": "1"}).status_code == 404
    round.refresh_from_db()
    assert round.starts_per_hour == 500
