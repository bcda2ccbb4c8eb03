"""Opening a round: who is invited, what each choice shows to whom, and answering at once."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from assessments.models import Response, Round
from assessments.visibility import Viewer
from tests.helpers import close, highest, private_token, submit_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def leadership(leader, organization, make_leader):
    """A leadership team of three: the CMO (the leader, logged in), a CSO and a CEO."""
    make_leader("sergio@acme.example", organization=organization, role="sales")
    make_leader("carmen@acme.example", organization=organization, role="ceo")
    return organization


def _url(organization):
    return reverse("assessments:round_new", args=[organization.pk])


def _members(organization):
    return [f"member-{m.pk}" for m in organization.memberships.order_by("pk")]


def test_a_leadership_team_is_offered_an_open_round_and_told_why(member, leadership):
    page = member.get(_url(leadership))
    form = page.context["form"]
    assert form["visibility"].value() == Round.Visibility.OPEN
    body = page.text
    assert "ana@acme.example · Marketing leader (CMO) (you: answer right after opening)" in body
    assert "sergio@acme.example · Sales leader (CSO)" in body
    assert "carmen@acme.example · CEO / general manager" in body
    assert (
        "With 1 person on the marketing side and 1 on the sales side, a confidential round "
        "keeps the gap between them hidden from the team, even after it closes" in body
    )
    preview = page.context["preview"]
    assert preview.counts == {"marketing": 1, "sales": 1, "leadership": 1}
    assert not preview.views["confidential"].gap and preview.views["open"].gap
    assert body.count("<strong>hidden</strong>") == 4  # three sides and the gap
    assert "Confidential anyway" in body


def test_a_wider_survey_keeps_confidential_preselected(member, organization, questionnaire):
    last = Round.objects.create(organization=organization, questionnaire=questionnaire)
    for n in range(3):
        submit_response(last, "marketing", highest, email=f"m{n}@acme.example")
        submit_response(last, "sales", highest, email=f"s{n}@acme.example")
    close(last)
    page = member.get(_url(organization))
    assert page.context["form"]["visibility"].value() == Round.Visibility.CONFIDENTIAL
    assert page.context["preview"].counts == {"marketing": 4, "sales": 3, "leadership": 0}
    assert "a confidential round shows the team both sides and the gap" in page.text
    assert "Confidential anyway" not in page.text


def test_confidential_for_a_small_team_asks_for_confirmation_spelling_out_what_it_hides(
    member, leadership
):
    data = {"members": _members(leadership), "visibility": "confidential"}
    refused = member.post(_url(leadership), data)
    assert refused.status_code == 200 and not Round.objects.exists()
    assert (
        "a confidential round will keep the marketing side, the sales side, the leadership "
        "group and the gap between marketing and sales hidden from everyone in the team"
        in refused.text
    )
    confirmed = member.post(_url(leadership), {**data, "confirm_confidential": "on"})
    assert confirmed.status_code == 302
    assert Round.objects.get().is_confidential


def test_opening_with_the_defaults_invites_the_members_and_offers_answer_now(
    member, leadership, leader
):
    form = member.get(_url(leadership)).context["form"]
    data = {"members": form["members"].value(), "visibility": form["visibility"].value()}
    opened = member.post(_url(leadership), data, follow=True)
    round = Round.objects.get()
    assert not round.is_confidential
    people = {r.email: r for r in round.responses.all()}
    assert set(people) == {"ana@acme.example", "sergio@acme.example", "carmen@acme.example"}
    assert people["ana@acme.example"].invited_at is None  # answers here, no e-mail
    assert people["sergio@acme.example"].role == "sales"
    assert sorted(message.to[0] for message in mail.outbox) == [
        "carmen@acme.example",
        "sergio@acme.example",
    ]
    assert "Answer it now" in opened.text and "Answer now" in opened.text
    answer = member.post(reverse("assessments:round_answer", args=[round.pk]))
    token = private_token(answer["Location"])
    assert Response.objects.by_token(token).get() == people["ana@acme.example"]


def test_show_what_each_choice_means_rereads_the_people_ticked(member, leadership):
    only_me = {"members": _members(leadership)[:1], "visibility": "open", "preview": "1"}
    page = member.post(_url(leadership), only_me)
    assert page.status_code == 200 and not Round.objects.exists()
    assert page.context["preview"].counts == {"marketing": 1, "sales": 0, "leadership": 0}
    assert "invite someone from each" in page.text


TEAMS = {
    "leadership": {"marketing": 1, "sales": 1, "ceo": 1},
    "pair": {"marketing": 1, "sales": 1},
    "survey": {"marketing": 3, "sales": 4},
    "survey with a lone CEO": {"marketing": 3, "sales": 3, "ceo": 1},
    "survey with leaders": {"marketing": 3, "sales": 3, "ceo": 2, "revenue": 1},
}


@pytest.mark.parametrize("team", list(TEAMS))
@pytest.mark.parametrize("choice", ["confidential", "open"])
@pytest.mark.parametrize("with_consultant", [False, True])
def test_the_promise_on_the_form_is_what_the_round_shows(
    member, organization, make_leader, make_consultant, team, choice, with_consultant
):
    """Whatever the team and the choice, what the form foresees is Round.view once all answered."""
    if with_consultant:
        make_consultant("c@consult.example", organization)
    for role, count in TEAMS[team].items():
        for n in range(count):
            if role == "marketing" and n == 0:
                continue  # the leader opening the round is the first marketing member
            make_leader(f"{role}{n}@acme.example", organization=organization, role=role)
    page = member.get(_url(organization))
    preview = page.context["preview"]
    data = {"members": _members(organization), "visibility": choice, "confirm_confidential": "on"}
    assert member.post(_url(organization), data).status_code == 302
    round = Round.objects.get()
    for response in round.responses.all():
        submit_response(round, response.role, highest, email=f"x-{response.email}")
        response.delete()  # answered by the helper in its place, under another address
    round.close()
    assert round.view(Viewer.MEMBER) == preview.views[choice]
    if with_consultant:
        assert round.view(Viewer.CONSULTANT) == preview.consultant_views[choice]
    else:
        assert preview.consultant_views is None
    # The page said so in words: each side shown or hidden as the round now shows it.
    for group, _label, count, shown in preview.sides:
        assert shown[choice] == (count > 0 and group in round.view(Viewer.MEMBER).groups)


def test_previous_respondents_who_are_members_are_offered_once(member, leadership, questionnaire):
    last = Round.objects.create(organization=leadership, questionnaire=questionnaire)
    submit_response(last, "sales", highest, email="sergio@acme.example")
    submit_response(last, "sales", highest, email="outsider@acme.example")
    close(last)
    form = member.get(_url(leadership)).context["form"]
    assert [key for key, _label in form.fields["reinvite"].choices] == ["outsider@acme.example"]


def test_a_logged_in_member_is_offered_their_open_rounds_first(member, organization, round):
    page = member.get(reverse("assessments:start"))
    assert f"Answer in the round of {organization.name}" in page.text
    assert "Start the questionnaire" not in page.text
    alone = member.get(reverse("assessments:start") + "?alone=1")
    assert "Start the questionnaire" in alone.text
    answer = member.post(reverse("assessments:round_answer", args=[round.pk]))
    response = Response.objects.by_token(private_token(answer["Location"])).get()
    assert response.round == round and response.role == "marketing"


def test_a_member_who_answered_is_told_so_on_the_start_page(member, organization, round):
    submit_response(round, "marketing", highest, email="ana@acme.example")
    page = member.get(reverse("assessments:start"))
    assert "You have answered this round." in page.text
    assert f"Answer in the round of {organization.name}" not in page.text


def test_visitors_and_members_without_open_rounds_start_alone(member, organization):
    assert "Start the questionnaire" in Client().get(reverse("assessments:start")).text
    assert "Start the questionnaire" in member.get(reverse("assessments:start")).text
