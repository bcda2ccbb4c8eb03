import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import authenticate as django_authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory
from django.utils import translation

from assessments import results, scoring
from assessments.agenda import stage_rank
from assessments.models import Answer, Organization, Round
from assessments.visibility import Viewer
from stages.models import Stage

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module: what `load_demo` printed.

    Loading it takes seconds; each test runs in a savepoint inside this
    transaction (pytest-django's db fixture), so what a test changes rolls
    back to the freshly loaded demo, and the demo itself rolls back at the end.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        printed = io.StringIO()
        call_command("load_demo", stdout=printed)
        yield printed.getvalue()
        transaction.set_rollback(True)


def authenticate(**credentials):
    return django_authenticate(RequestFactory().post("/accounts/login/"), **credentials)


def test_demo_loads_once_and_prints_a_fresh_password_each_time(demo, capsys):
    first = re.search(r"demo@smarketing.example / (\S+)", demo).group(1)
    assert authenticate(username="demo@smarketing.example", password=first)
    call_command("load_demo")
    second = re.search(r"demo@smarketing.example / (\S+)", capsys.readouterr().out).group(1)
    assert first != second
    assert authenticate(username="demo@smarketing.example", password=second)
    assert not authenticate(username="demo@smarketing.example", password=first)
    assert Organization.objects.filter(name="Northwind Demo").count() == 1


def test_demo_rounds_move_from_stage_one_towards_three_with_three_roles(demo):
    rounds = list(Round.objects.filter(organization__name="Northwind Demo").order_by("opened_on"))
    assert len(rounds) == 4
    positions = [float(r.position) for r in rounds]
    assert positions == sorted(positions)
    assert positions[0] < 2 and 2.5 < positions[-1] < 3
    latest = rounds[-1]
    assert latest.is_published and latest.respondents == 3  # closed, so its figures show
    assert set(latest.groups) == {"marketing", "sales", "leadership"}
    assert (rounds[-1].opened_on - rounds[0].opened_on).days >= 270
    assert rounds[-2].plan.count() == 3  # the plan the latest round checks
    # Older rounds on the previous questionnaire version, compared by indicator key.
    assert rounds[0].questionnaire.version < latest.questionnaire.version


def test_demo_tells_its_story_under_questionnaire_3(demo):
    """Northwind climbs under its founder, never told to appoint a CRO; Lumen under a COO."""
    latest = Round.objects.filter(organization__name="Northwind Demo").first()
    assert latest.questionnaire.version == 3 and latest.flags == []
    lines = Answer.objects.filter(
        response__round=latest, question__indicator__key="functional.revenue-leader"
    ).values_list("option__text_en", flat=True)
    assert set(lines) == {"Both report directly to the CEO, the founder or the general manager."}
    # What makes stage 2 is established, so it is reached; stage 3 is being climbed.
    for key in ("strategic.lead-definition", "strategic.leadership-meetings"):
        assert latest.indicator_scores[key] >= scoring.ESTABLISHED
    assert latest.stage == 2
    stages = list(Stage.objects.with_content())
    summary = results.summarize(latest, stages)
    assert all(row.indicator.key != "functional.revenue-leader" for row in summary.weakest)

    # Lumen Health put both under its COO: one executive over both among other areas is
    # established, but not a revenue leader, so it is on its way to functional alignment.
    lumen = Round.objects.filter(organization__name="Lumen Health").first()
    assert lumen.indicator_scores["functional.revenue-leader"] == 0.6667
    assert lumen.stage == 3 and 3.5 <= lumen.position < 4
    with translation.override("en"):
        title = results.headline(lumen.reading, {s.number: s for s in stages}).title
    assert title == "On the way to functional alignment"


def test_demo_shows_the_articles_warning(demo):
    [round] = Round.objects.filter(organization__name="Blue Harbor Insurance")
    assert "foundation-gap" in round.flags
    assert round.indicator_scores["functional.revenue-leader"] == 1.0  # a CRO, on paper
    assert round.stage == 1


def test_demo_consultant_follows_several_clients_one_overdue_and_not_all(demo):
    password = re.search(r"consultant@smarketing.example / (\S+)", demo).group(1)
    consultant = authenticate(username="consultant@smarketing.example", password=password)
    assert consultant.is_staff and not consultant.is_superuser
    assert consultant.has_perm("assessments.view_dashboard")
    clients = Organization.objects.for_consultant(consultant)
    assert clients.count() >= 3
    assert any(client.is_overdue for client in clients)
    assert Organization.objects.exclude(pk__in=clients).exists()


def test_demo_has_a_finished_workshop_and_one_in_progress(demo):
    latest = Round.objects.filter(organization__name="Northwind Demo").first()
    workshop = latest.workshop
    assert workshop.is_finished and latest.consensus is not None
    items = list(workshop.items.select_related("indicator__stage"))
    # One item per indicator asked, the climbed stage first, fitted to the default 90 minutes.
    asked = latest.questionnaire.indicator_keys()
    assert sorted(i.indicator_key for i in items) == sorted(asked)
    ranks = [stage_rank(i.indicator.stage.number, latest.stage + 1) for i in items]
    assert ranks == sorted(ranks) and items[0].indicator.stage.number == latest.stage + 1
    assert not any(item.next_time for item in items)
    assert sum(item.minutes for item in items) <= workshop.time_box == 90
    assert workshop.items_decided == workshop.items_to_decide == len(items)
    assert not workshop.is_partial and workshop.reading.placed
    assert workshop.items.exclude(plan_item=None).exists()
    other = Round.objects.filter(workshop__status="in-progress").get()
    assert other.organization.name != "Northwind Demo"
    assert other.workshop.items_decided == 3 and other.workshop.is_partial
    assert other.workshop.current_item.position == 4


def test_demo_shows_at_the_production_threshold_both_kinds_of_round(demo, settings):
    """The leadership's open rounds show their gap; the team survey publishes both sides."""
    assert settings.ROUND_GROUP_MIN_RESPONDENTS == 3
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    assert "ROUND_GROUP_MIN_RESPONDENTS" not in makefile  # make run serves what clients get
    rounds = list(Round.objects.filter(organization__name="Northwind Demo"))
    survey = [r for r in rounds if r.is_confidential]
    leadership = [r for r in rounds if not r.is_confidential]
    assert len(survey) == 1 and len(leadership) == 3
    for round in leadership:
        view = round.view(Viewer.MEMBER)
        assert round.respondents == 3 and view.gap and view.individuals
    [survey] = survey
    view = survey.view(Viewer.MEMBER)
    assert survey.respondents >= 6 and view.figures and view.gap and not view.individuals
    assert all(survey.groups[side]["count"] >= 3 for side in ("marketing", "sales"))


def test_demo_fills_every_benchmark_view(demo):
    from assessments.models import BenchmarkEntry, BenchmarkGroup

    entry = BenchmarkEntry.objects.select_related("group").get(organization__name="Northwind Demo")
    assert entry.group.kind == "industry-size" and not entry.fell_back
    assert BenchmarkGroup.objects.exclude(gap={}).exists()
    clients = BenchmarkEntry.objects.filter(organization__consultants__isnull=False)
    assert clients.count() >= 3
    assert clients.filter(group__kind="all").exists()  # too few in their group: a wider one
    assert not BenchmarkEntry.objects.filter(organization__name="Private Client Ltd").exists()


def test_demo_crm_evidence_contradicts_northwinds_lead_definition_and_loads_once(demo):
    from assessments.models import Evidence
    from assessments.pages import evidence_summary

    call_command("load_demo")
    latest = Round.objects.filter(organization__name="Northwind Demo").first()
    assert sorted(Evidence.objects.values_list("round", "kind", "status")) == [
        (latest.pk, "deals", "ready"),
        (latest.pk, "leads", "ready"),
    ]
    summary = evidence_summary(latest)
    contradicted = {(j.metric.key, j.indicator) for j in summary.contradictions}
    assert ("follow-up-hours", "strategic.lead-definition") in contradicted
    # The team believes its lead definition is in place; its CRM says otherwise.
    lead_definition = [j for j in summary.judgements if j.indicator == "strategic.lead-definition"]
    assert {j.team for j in lead_definition} == {"in-place"}
    assert len(summary.judgements) > len(summary.contradictions)  # some answers hold up
    # The consultant's portfolio flags it.
    northwind = latest.organization
    northwind.refresh_from_db()
    assert "strategic.lead-definition" in northwind.evidence_contradictions
