"""Words a newcomer reads: one verb per action, no stray spaces, no raw placeholders.

And a team page that gives the overview without repeating the round page.
"""

import html
import re

import pytest
from django.urls import reverse

from assessments.models import PlanItem, Round
from stages.models import Indicator
from tests.helpers import answer_all, by_question, close, submit_response

pytestmark = pytest.mark.django_db


def visible(page):
    """The text a reader sees in the page's main part, whitespace collapsed."""
    main = page[page.index("<main") : page.index("</main>")]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


# A space before a full stop or comma ("3 submitted responses ."), Django's raw
# "---------" placeholder, or a None that leaked into the text.
SLIPS = re.compile(r"\s[.,;:)](?!\d)|\(\s|-{5,}|\bNone\b")


@pytest.fixture
def team(leader, round, make_leader, settings):
    """Two published rounds (the later one with a plan) and an open third."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    make_leader("sergio@acme.example", organization=round.organization, role="sales")
    submit_response(round, "marketing", by_question({3: 1, 4: 0}, default=1))
    submit_response(round, "sales", by_question({3: 0, 4: 0}, default=0))
    close(round)
    later = Round.objects.create(
        organization=round.organization, questionnaire=round.questionnaire, visibility="open"
    )
    submit_response(later, "marketing", by_question({3: 1, 4: 0}, default=2))
    submit_response(later, "sales", by_question({3: 0, 4: 0}, default=1), email="s@acme.example")
    close(later)
    PlanItem.objects.create(
        round=later, indicator=Indicator.objects.get(key="strategic.lead-definition"), owner="both"
    )
    current = Round.objects.create(
        organization=round.organization, questionnaire=round.questionnaire
    )
    current.responses.create(
        questionnaire=current.questionnaire,
        organization_name="Acme",
        role="sales",
        email="late@acme.example",
    )
    return round.organization


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_page_of_the_team_has_stray_spaces_or_raw_placeholders(client, leader, team, language):
    client.cookies["django_language"] = language
    client.force_login(leader)
    published, later, current = team.rounds.order_by("pk")
    item = later.plan.get()
    urls = [
        team.get_absolute_url(),
        published.get_absolute_url(),
        later.get_absolute_url(),
        current.get_absolute_url(),
        reverse("assessments:members", args=[team.pk]),
        reverse("assessments:organization_settings", args=[team.pk]),
        reverse("assessments:organization_new"),
        reverse("assessments:organizations"),
        reverse("assessments:benchmark_settings", args=[team.pk]),
        reverse("assessments:benchmark", args=[team.pk]),
        reverse("assessments:round_close", args=[current.pk]),
        reverse("assessments:round_new", args=[team.pk]),
        reverse("assessments:plan_edit", args=[later.pk, item.pk]),
    ]
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200, url
        text = visible(page.text)
        slips = [text[max(0, m.start() - 40) : m.end() + 10] for m in SLIPS.finditer(text)]
        assert slips == [], url


def test_the_round_says_how_many_answered_in_one_sentence(client, leader, round, settings):
    # The "Based on 3 submitted responses ." (a confidential round shows no spread).
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    for role in ("marketing", "sales", "ceo"):
        submit_response(round, role)
    close(round)
    client.force_login(leader)
    text = visible(client.get(round.get_absolute_url()).text)
    assert "Based on 3 submitted responses. The team's position" in text


def test_starting_a_round_is_never_called_opening_one(client, leader, organization, round):
    client.force_login(leader)
    new = visible(client.get(reverse("assessments:round_new", args=[organization.pk])).text)
    assert "Start a round" in new
    close(round)
    form = visible(client.get(reverse("assessments:round_new", args=[organization.pk])).text)
    assert "Start a round" in form and "Start the round" in form
    assert "Open the round" not in form and "Open a round" not in form
    # Leaders never read the questionnaire's version number.
    assert "version" not in form.lower()


def test_an_answered_round_is_seen_not_opened_from_the_start_page(client, leader, round):
    submit_response(round, "marketing", email="ana@acme.example")
    client.force_login(leader)
    page = client.get(reverse("assessments:start")).text
    assert f'<a href="{round.get_absolute_url()}">See the round</a>' in page
    assert "Open the round" not in page


def test_the_plan_names_the_team_in_charge_and_the_person_responsible(client, leader, team):
    client.force_login(leader)
    later = team.rounds.order_by("pk")[1]
    item = later.plan.get()
    form = client.get(reverse("assessments:plan_edit", args=[later.pk, item.pk])).text
    assert "Team in charge (optional)" in form and "Person responsible (optional)" in form
    assert "Owner" not in form
    assert '<option value="" selected>Nobody named yet</option>' in form
    assert '<option value="">Not given</option>' in form
    overview = visible(client.get(team.get_absolute_url()).text)
    assert "team in charge: Marketing and sales" in overview


def test_optional_choices_say_so_rather_than_show_dashes(client, leader, organization, spanish):
    client.force_login(leader)
    page = client.get(reverse("assessments:organization_settings", args=[organization.pk])).text
    assert page.count('<option value="" selected>Sin indicar</option>') == 2
    assert "---------" not in page


def test_the_openers_own_answer_says_they_answered_it_themselves(client, leader, organization):
    client.force_login(leader)
    client.post(
        reverse("assessments:round_new", args=[organization.pk]),
        {"visibility": "open", "members": [f"member-{organization.memberships.get().pk}"]},
    )
    round = organization.rounds.get()
    own = round.responses.get()
    assert own.invited_at is None and own.email == "ana@acme.example"
    joined = round.responses.create(
        questionnaire=round.questionnaire, organization_name="Acme", role="sales"
    )
    page = visible(client.get(round.get_absolute_url()).text)
    assert "Marketing leader (CMO) answered on their own, as a member" in page
    # Someone who came through the shared link still reads as such.
    assert f"{joined.get_role_display()} shared link" in page


def test_the_team_page_is_the_overview_and_leaves_details_to_the_round_page(client, leader, team):
    client.force_login(leader)
    later = team.rounds.order_by("pk")[1]
    overview = client.get(team.get_absolute_url()).text
    details = client.get(later.get_absolute_url()).text
    for section in [
        "Marketing and sales: the perception gap",
        "The leadership and the teams",
        "Steps to the next stage",
        "Since the previous round",
        "Who answered",
        "Each person's answers",
    ]:
        assert section in visible(details) and section not in visible(overview), section
    # What the overview keeps: the headline, the progress line, the plan, the way on.
    text = visible(overview)
    assert f"{later.reading} — " in text and "Progress over time" in text
    assert "The plan until the next round" in text and "History" in text
    assert f'<a href="{later.get_absolute_url()}">See the round:' in overview
    assert len(overview) < len(details) / 2


def test_a_respondent_result_page_has_no_slips(client, new_response):
    answer_all(client, new_response)
    text = visible(client.get(reverse("assessments:result", args=[new_response.token])).text)
    assert not SLIPS.search(text)
