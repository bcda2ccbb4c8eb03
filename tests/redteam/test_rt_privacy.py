"""Red team: reading one person's answers in a confidential round, as the wrong person.

Each test asserts what the privacy model promises; a failing test is an attack
that works on the code under review.
"""

import csv
import io

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from assessments.models import Response, Round
from assessments.visibility import Viewer
from tests.helpers import answer_all, close, highest, lowest, private_token, submit_response

KNOWN_LIMIT = "a known limit, stated in docs/privacy.md (Who sees the answers, Known limits)"

pytestmark = pytest.mark.django_db


def dont_know(question):
    return None


def mixed(question):
    """A distinctive answer pattern: the victim's, to recognise it in the team's figures."""
    options = list(question.options.all())
    return options[question.pk % len(options)]


def join_as_visitor(round, role="other", **fields):
    """Use the round's shared link as an anonymous visitor; return (client, token)."""
    visitor = Client()
    started = visitor.post(round.get_share_url(), {"role": role, **fields})
    assert started.status_code == 302, started.content
    return visitor, private_token(started.url)


def response_for(token):
    response = Response.objects.by_token(token).get()
    response.token = token
    return response


def indicator_figures(page):
    """The per-indicator figures a member reads on the round page."""
    summary = page.context["round_summary"].summary
    return {
        row.indicator.key: row.score for _stage, rows in summary.indicator_groups for row in rows
    }


@pytest.mark.xfail(strict=True, reason=KNOWN_LIMIT)
@pytest.mark.parametrize("sybil_pick", [dont_know, lowest], ids=["dont-know", "all-lowest"])
def test_a_member_cannot_pad_a_confidential_round_with_own_responses(
    member, round, settings, sybil_pick
):
    """Two fake answers through the shared link, then one real colleague: the threshold is met
    and the "combined" figures are that colleague's answers."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    # The member opens the shared link twice and answers in a way they know.
    for _ in range(2):
        visitor, token = join_as_visitor(round)
        answer_all(visitor, response_for(token), pick=sybil_pick)
    # The only real respondent, told "Your answers are confidential".
    member.post(
        reverse("assessments:round_invite", args=[round.pk]),
        {"email": "victim@acme.example", "role": "sales"},
    )
    victim = response_for(private_token(mail.outbox[-1].body))
    answer_all(Client(), victim, pick=mixed)
    victim.refresh_from_db()

    member.post(reverse("assessments:round_close", args=[round.pk]))
    page = member.get(round.get_absolute_url())
    assert page.status_code == 200
    shown = indicator_figures(page)
    if sybil_pick is dont_know:
        derived = shown
    else:  # the member knows the two other answers are 0: victim = 3 × team mean
        derived = {key: None if v is None else round_(3 * v) for key, v in shown.items()}
    victim_scores = {k: round_(v) for k, v in victim.indicator_scores.items()}
    assert {k: round_(v) for k, v in derived.items()} != victim_scores, (
        "every indicator of the only real respondent can be read off the published round"
    )


def round_(value):
    return None if value is None else round(value, 3)


@pytest.mark.xfail(strict=True, reason=KNOWN_LIMIT)
def test_an_indicator_few_people_could_answer_is_not_one_persons_answer(member, round, settings):
    """Three genuine answers, two of them "I don't know" on one indicator: the published team
    figure for that indicator is one person's answer."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    first = round.questionnaire.pages()[0].questions.first()

    def unsure(question):
        return None if question.indicator_id == first.indicator_id else highest(question)

    submit_response(round, "marketing", unsure)
    submit_response(round, "sales", unsure)
    alone = submit_response(round, "ceo", lowest)
    close(round)
    page = member.get(round.get_absolute_url())
    key = first.indicator.key
    assert round.responses.exclude(pk=alone.pk).filter(submitted_at__isnull=False).count() == 2
    assert indicator_figures(page)[key] != alone.indicator_scores[key], (
        "an indicator answered by one person shows that person's answer"
    )


def test_a_shared_link_visitor_cannot_register_a_colleague_and_read_their_answers(
    member, round, settings
):
    """Anyone with the round's shared link types a colleague's address: the link goes to the
    colleague only, and the colleague can still be invited."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    attacker = Client()
    started = attacker.post(round.get_share_url(), {"role": "ceo", "email": "boss@acme.example"})
    assert started.status_code == 302 and "/r/" not in started.url
    assert "/r/" not in attacker.get(started.url).text
    [mailed] = mail.outbox
    assert mailed.to == ["boss@acme.example"]
    # Joining again with the same address sends that person a fresh link, nothing more.
    again = Client().post(round.get_share_url(), {"role": "ceo", "email": "BOSS@acme.example"})
    assert again.url == started.url
    assert round.responses.count() == 1 and len(mail.outbox) == 2
    assert private_token(mail.outbox[1].body) != private_token(mailed.body)


def test_a_consultant_never_reads_one_persons_answers_of_a_round_not_run_with_them(
    client, round, make_consultant, settings
):
    """An open round opened before any consultant was assigned: its one respondent was told
    "the members of your team see each person's answers", nothing about a consultant."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    Round.objects.filter(pk=round.pk).update(visibility="open")
    alone = submit_response(round, "marketing", mixed, name="Marta Ruiz")
    round.refresh_from_db()
    assert not round.consultant_access
    consultant = make_consultant("late@consult.example", round.organization)
    client.force_login(consultant)
    export = client.post(
        reverse("admin:dashboard_rounds_export", args=[round.organization.pk, "csv"])
    )
    header, row = csv.reader(io.StringIO(export.content.decode("utf-8-sig")))
    page = client.get(reverse("admin:dashboard_client", args=[round.organization.pk]))
    heat = page.context.get("heatmap")
    cells = [c["value"] for c in heat["rows"][0][1] if c["measured"]] if heat else []
    individual = list(alone.indicator_scores.values())
    leaked = row[header.index("position")] == str(float(alone.position)) or (
        cells and sorted(map(str, cells)) == sorted(map(str, individual))
    )
    assert not leaked, "the round's figures are one person's answers, shown to a consultant"


def test_the_portfolio_flags_no_gap_between_groups_members_may_not_see(
    client, round, make_consultant, settings
):
    """Marketing 3, sales 3, other 1: members see one group only (the other one would single
    out the 'other' person). The consultant's portfolio still compares both groups."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    for role in ["marketing"] * 3 + ["sales"] * 3 + ["other"]:
        submit_response(round, role, highest if role == "marketing" else lowest)
    close(round)
    assert len(round.view(Viewer.MEMBER).groups) == 1
    consultant = make_consultant("late@consult.example", round.organization)
    client.force_login(consultant)
    export = client.post(reverse("admin:dashboard_export", args=["csv"]))
    header, row = csv.reader(io.StringIO(export.content.decode("utf-8-sig")))
    assert "perception-gap" not in row[header.index("flags")]


def test_the_shared_link_does_not_tell_who_was_invited(member, round):
    """Anyone holding the shared link (it is meant to be forwarded) can test addresses."""
    member.post(
        reverse("assessments:round_invite", args=[round.pk]),
        {"email": "cfo@acme.example", "role": "ceo"},
    )
    invited = Client().post(round.get_share_url(), {"role": "other", "email": "cfo@acme.example"})
    stranger = Client().post(round.get_share_url(), {"role": "other", "email": "x@acme.example"})
    assert invited.status_code == stranger.status_code, (
        f"invited address: {invited.status_code}, other address: {stranger.status_code}"
    )


def test_the_spread_of_three_does_not_hand_a_respondent_both_colleagues_positions(
    member, round, settings
):
    """The leader answers too (common: a team of three). The published spread is two
    individual positions; with their own in the middle, both colleagues' positions show."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    a = submit_response(round, "sales", lowest)
    submit_response(round, "marketing", mixed, email="ana@acme.example")  # the member
    b = submit_response(round, "ceo", highest)
    close(round)
    page = member.get(round.get_absolute_url())
    text = page.text
    assert not (
        str(a.position_display) in text
        and str(b.position_display) in text
        and page.context["round_summary"].round.lowest == a.position
        and page.context["round_summary"].round.highest == b.position
    ), "the spread shows each colleague's individual position"


def test_a_kept_result_is_not_shown_to_the_organizations_consultant(
    client, leader, organization, make_consultant, questionnaire
):
    """Keeping an anonymous result files it as an open round with consultant_access=False
    ("its respondent was never told about a consultant"); the keep page promises members
    only. The consultant's export still carries that one person's position."""
    consultant = make_consultant("c@consult.example", organization)
    visitor = Client()
    started = visitor.post(
        reverse("assessments:start"), {"organization_name": "Acme", "role": "marketing"}
    )
    token = private_token(started.url)
    answer_all(visitor, response_for(token), pick=mixed)
    visitor.force_login(leader)
    kept = visitor.post(
        reverse("assessments:keep_result", args=[token]), {"organization": str(organization.pk)}
    )
    assert kept.status_code == 302
    alone = response_for(token)
    client.force_login(consultant)
    export = client.post(reverse("admin:dashboard_rounds_export", args=[organization.pk, "csv"]))
    header, row = csv.reader(io.StringIO(export.content.decode("utf-8-sig")))
    assert row[header.index("position")] != str(float(alone.position)), (
        "the consultant reads the position of the one person who kept their result"
    )
