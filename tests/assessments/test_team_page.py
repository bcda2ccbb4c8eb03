"""The team page in the order of the work: now, latest result, progress, plan, history."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import PlanItem, PrivateLink, Round
from stages.models import NextStep
from tests.helpers import answer_all, close, highest, private_token, submit_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(round, settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    submit_response(round, "marketing", highest)
    return close(round)


def test_what_needs_doing_comes_before_the_result_and_history(client, leader, published):
    current = Round.objects.create(
        organization=published.organization, questionnaire=published.questionnaire
    )
    current.responses.create(
        questionnaire=current.questionnaire,
        organization_name="Acme",
        role="sales",
        email="late@acme.example",
        invited_at=timezone.now() - datetime.timedelta(days=4),
    )
    client.force_login(leader)
    text = client.get(published.organization.get_absolute_url()).text
    order = [
        "0 of 1 submitted (0% response rate)",
        "1 person invited has not submitted and is due a reminder.",
        "Latest result",
        "Progress over time",
        "The plan until the next round",
        "History",
    ]
    positions = [text.index(sentence) for sentence in order]
    assert positions == sorted(positions)
    # One open round: nothing offers to open another.
    assert "Start the next round" not in text and "Start the first round" not in text


def test_an_invited_member_answers_now_with_a_fresh_link(client, leader, round, make_leader):
    mine = round.responses.create(
        questionnaire=round.questionnaire,
        organization_name="Acme",
        role="marketing",
        email="ana@acme.example",
        invited_at=timezone.now(),
    )
    client.force_login(leader)
    assert "Answer now" in client.get(round.organization.get_absolute_url()).text
    response = client.post(reverse("assessments:round_answer", args=[round.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/r/")
    assert client.get(response["Location"], follow=True).status_code == 200
    assert PrivateLink.objects.filter(response=mine).count() == 2

    # A member who was not invited answers all the same, in their own role and name.
    colleague = make_leader("carl@acme.example", organization=round.organization, role="sales")
    colleague.first_name, colleague.last_name = "Carl", "Sand"
    colleague.save()
    client.force_login(colleague)
    page = client.get(round.organization.get_absolute_url()).text
    assert "Answer now" in page and "answer this round yourself" in page
    answered = client.post(reverse("assessments:round_answer", args=[round.pk]))
    assert answered["Location"].startswith("/r/")
    theirs = round.responses.get(email="carl@acme.example")
    assert (theirs.role, theirs.name, theirs.invited_at) == ("sales", "Carl Sand", None)
    assert PrivateLink.objects.filter(response=mine).count() == 2
    # Once submitted, the page says so and no second response is made.
    theirs.token = private_token(answered["Location"])
    answer_all(client, theirs)
    assert "You have answered this round." in client.get(round.get_absolute_url()).text
    again = client.post(reverse("assessments:round_answer", args=[round.pk]), follow=True)
    assert "You have answered this round already." in again.text
    assert round.responses.filter(email="carl@acme.example").count() == 1


def test_a_member_does_not_answer_through_an_unconfirmed_address(client, leader, round):
    round.responses.create(
        questionnaire=round.questionnaire,
        organization_name="Acme",
        role="sales",
        email="unconfirmed@acme.example",
    )
    leader.emailaddress_set.create(email="unconfirmed@acme.example", verified=False)
    client.force_login(leader)
    assert "You are invited" not in client.get(round.organization.get_absolute_url()).text
    client.post(reverse("assessments:round_answer", args=[round.pk]))
    # A response of their own, under their confirmed address; never the other one.
    unconfirmed = round.responses.get(email="unconfirmed@acme.example")
    assert PrivateLink.objects.filter(response=unconfirmed).count() == 1
    assert round.responses.get(email="ana@acme.example").role == "marketing"


def test_plan_items_have_a_person_a_due_date_and_can_be_done(
    client, leader, published, make_leader
):
    colleague = make_leader("carl@acme.example", organization=published.organization)
    step = NextStep.objects.filter(stage__number=published.stage).first()
    client.force_login(leader)
    added = client.post(
        reverse("assessments:plan_add", args=[published.pk]),
        {
            "item": f"step-{step.pk}",
            "owner": "sales",
            "owner_person": colleague.pk,
            "due_on": "2030-05-31",
            "note": "Off-site",
        },
    )
    assert added.status_code == 302
    item = PlanItem.objects.get()
    assert (item.owner, item.owner_person, item.due_on) == (
        "sales",
        colleague,
        datetime.date(2030, 5, 31),
    )
    team = client.get(published.organization.get_absolute_url()).text
    assert "carl@acme.example" in team and "due 31 May 2030" in team and "Mark as done" in team

    edit = reverse("assessments:plan_edit", args=[published.pk, item.pk])
    assert step.text in client.get(edit).text
    client.post(edit, {"owner": "both", "owner_person": "", "due_on": "2030-06-30", "note": ""})
    item.refresh_from_db()
    assert (item.owner, item.owner_person, item.due_on, item.note) == (
        "both",
        None,
        datetime.date(2030, 6, 30),
        "",
    )

    client.post(reverse("assessments:plan_done", args=[published.pk, item.pk]), {"done": "1"})
    item.refresh_from_db()
    assert item.is_done
    assert "Mark as open" in client.get(published.organization.get_absolute_url()).text
    client.post(reverse("assessments:plan_done", args=[published.pk, item.pk]), {"done": "0"})
    item.refresh_from_db()
    assert not item.is_done


def test_a_plan_owner_must_be_a_member(client, leader, published, other_leader):
    item = PlanItem.objects.create(round=published, step=NextStep.objects.first())
    client.force_login(leader)
    edit = reverse("assessments:plan_edit", args=[published.pk, item.pk])
    response = client.post(edit, {"owner_person": other_leader.pk, "due_on": "not a date"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.text and "Enter a valid date" in response.text
    item.refresh_from_db()
    assert item.owner_person is None and item.due_on is None


def test_another_organizations_member_cannot_touch_the_plan(client, published, other_leader):
    item = PlanItem.objects.create(round=published, step=NextStep.objects.first())
    client.force_login(other_leader)
    edit = reverse("assessments:plan_edit", args=[published.pk, item.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"note": "mine now"}).status_code == 404
    done = reverse("assessments:plan_done", args=[published.pk, item.pk])
    assert client.post(done, {"done": "1"}).status_code == 404
    item.refresh_from_db()
    assert item.note == "" and not item.is_done


def test_a_plan_item_is_reached_only_through_its_own_round(client, leader, published):
    item = PlanItem.objects.create(round=published, step=NextStep.objects.first())
    close(published)
    other = Round.objects.create(
        organization=published.organization, questionnaire=published.questionnaire
    )
    client.force_login(leader)
    assert client.get(reverse("assessments:plan_edit", args=[other.pk, item.pk])).status_code == 404


def test_an_overdue_plan_item_says_so(client, leader, published):
    PlanItem.objects.create(
        round=published, step=NextStep.objects.first(), due_on=datetime.date(2020, 1, 1)
    )
    client.force_login(leader)
    assert "Overdue" in client.get(published.organization.get_absolute_url()).text
