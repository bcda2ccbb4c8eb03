"""Red team, second attack: back doors around the privacy model, as a consultancy's people try them.

Each test is one attack of issue 22, asserting what the README promises; a
failing test is an attack that works on the code under review.
"""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from assessments import workshops
from assessments.models import Organization, Round
from tests.helpers import by_question, close, highest, submit_response

pytestmark = pytest.mark.django_db


def client_of(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


# 1. Hidden figures through the admin's filters


@pytest.fixture
def lone_marketer(organization, questionnaire, settings):
    """A confidential round whose every role group is hidden: one marketer, three sellers.

    The marketing group (one person) is below the threshold; the sales group
    would leave that one person as the team minus sales, so it is hidden too.
    """
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    round = Round.objects.create(organization=organization, questionnaire=questionnaire)
    victim = submit_response(round, "marketing", by_question({2: 1, 3: 0, 4: 0}))
    for index in range(3):
        submit_response(round, "sales", highest, email=f"s{index}@acme.example")
    close(round)
    assert round.view(__import__("assessments.visibility").visibility.Viewer.MEMBER).groups == set()
    return round, victim


def test_a_consultant_cannot_guess_a_hidden_groups_figures_through_admin_filters(
    lone_marketer, make_consultant
):
    """The portfolio columns stored every role group, and the admin accepted regular
    expressions on their JSON keys: 286 requests spelled out the lone marketer's position,
    stage and every indicator score."""
    round, victim = lone_marketer
    consultant = make_consultant("c@consult.example", round.organization)
    client = client_of(consultant)
    url = reverse("admin:assessments_organization_changelist")
    position = f"{victim.position:.1f}".replace(".", r"\.")
    key, score = next(iter(victim.indicator_scores.items()))
    guesses = {
        "latest_groups__marketing__position__regex": (f"^{position}", "^9"),
        f"latest_groups__marketing__indicator_scores__{key}__regex": (f"^{score:.2f}"[:4], "^9"),
    }
    for lookup, (right, wrong) in guesses.items():
        answers = [client.get(url, {lookup: guess}) for guess in (right, wrong)]
        assert [a.status_code for a in answers] == [400, 400], (lookup, answers)
        assert round.organization.name not in answers[0].text
    organization = Organization.objects.get(pk=round.organization.pk)
    assert "marketing" not in organization.latest_groups, (
        "the hidden group's figures are stored where a consultant-facing query reaches them"
    )


@pytest.mark.parametrize(
    "query",
    [
        {"name__regex": "^Org"},
        {"latest_position__gte": "1"},
        {"latest_flags__contains": "low"},
        {"consultants__email__startswith": "c"},
        {"_facets": "1"},
    ],
)
def test_a_consultant_may_only_use_the_filters_a_list_declares(
    lone_marketer, make_consultant, query
):
    round, _victim = lone_marketer
    client = client_of(make_consultant("c@consult.example", round.organization))
    page = client.get(reverse("admin:assessments_organization_changelist"), query)
    assert page.status_code == 400
    assert "cannot be filtered" in page.text
    declared = client.get(reverse("admin:assessments_organization_changelist"), {"size__exact": ""})
    assert declared.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"name__regex": "("},
        {"latest_respondents__in": "1,99999999999999999999"},
        {"created_at__year": "99999999999"},
        {"latest_flags__contains": "[1]"},
    ],
)
def test_a_malformed_lookup_is_a_bad_request_even_for_a_superuser(superuser, organization, query):
    from django.db import connection

    page = client_of(superuser).get(reverse("admin:assessments_organization_changelist"), query)
    if "latest_flags__contains" in query and connection.features.supports_json_field_contains:
        # PostgreSQL runs it: a superuser's free lookup, answered with the list.
        assert page.status_code == 200
    else:
        assert page.status_code == 400, page.status_code


def test_every_registered_list_refuses_what_it_cannot_run(superuser, organization):
    """allauth's, django-tasks' and the content's lists go through the same guard."""
    client = client_of(superuser)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url, {"pk__regex": "("}).status_code == 400, url


# 3. Republishing isolates one person


def late_pick(question):
    """The late respondent's answers: a pattern of their own, to recognise in the figures."""
    options = list(question.options.all())
    return options[(question.pk * 7) % len(options)]


def heat(page):
    """The consultant's heatmap of the client page: {(round, indicator key): exact mean}."""
    cells = {}
    for round, row in page.context["heatmap"]["rows"]:
        for indicator, cell in zip(page.context["heatmap"]["indicators"], row, strict=True):
            if cell["measured"] and cell["value"] is not None:
                cells[(round.pk, indicator.key)] = cell["value"]
    return cells


def test_reopening_an_open_round_does_not_hand_a_consultant_the_late_answers(
    member, organization, questionnaire, make_consultant, settings
):
    """A consultant (not running the round) saves the heatmap of a closed open round;
    a member reopens it, one more person answers through the shared link, the round
    closes again: 4 × after − 3 × before was the late respondent's score per indicator."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, visibility="open"
    )
    for index, role in enumerate(["marketing", "sales", "ceo"]):
        submit_response(round, role, highest, email=f"p{index}@acme.example")
    member.post(reverse("assessments:round_close", args=[round.pk]))
    consultant = client_of(make_consultant("late@consult.example", organization))
    client_page = reverse("admin:dashboard_client", args=[organization.pk])
    before = heat(consultant.get(client_page))
    assert before

    assert member.post(reverse("assessments:round_reopen", args=[round.pk])).status_code == 302
    visitor = Client()
    started = visitor.post(round.get_share_url(), {"role": "sales"})
    from assessments.models import Response
    from tests.helpers import answer_all, private_token

    token = private_token(started.url)
    late = Response.objects.by_token(token).get()
    late.token = token
    answer_all(visitor, late, pick=late_pick)
    late.refresh_from_db()
    member.post(reverse("assessments:round_close", args=[round.pk]))
    after = heat(consultant.get(client_page))
    derived = {
        key: 4 * after[(round.pk, key)] - 3 * before[(round.pk, key)]
        for (_pk, key) in before
        if (round.pk, key) in after
    }
    exposed = [
        key
        for key, value in derived.items()
        if late.indicator_scores.get(key) is not None
        and abs(value - late.indicator_scores[key]) < 0.01
    ]
    assert not exposed, f"the late respondent's score on {len(exposed)} indicators: {exposed}"


def rounds_csv(member, organization):
    import csv
    import io
    import zipfile

    download = member.get(reverse("assessments:organization_export", args=[organization.pk]))
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        text = archive.read("rounds.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_deleting_a_response_does_not_republish_the_rest(member, organization, questionnaire):
    """An erasure request: one response of a published confidential round of four is
    deleted. The members' ZIP before and after gave her attainment per stage exactly."""
    round = Round.objects.create(organization=organization, questionnaire=questionnaire)
    victim = submit_response(round, "marketing", late_pick, email="erase-me@acme.example")
    for index, role in enumerate(["sales", "ceo", "revenue"]):
        submit_response(round, role, highest, email=f"p{index}@acme.example")
    close(round)
    (before,) = rounds_csv(member, organization)
    assert before["attainment_stage_2"]

    victim.delete()
    (after,) = rounds_csv(member, organization)
    stages = ["attainment_stage_2", "attainment_stage_3", "attainment_stage_4"]
    if all(after[stage] for stage in stages):
        derived = [4 * float(before[s]) - 3 * float(after[s]) for s in stages]
        erased = [victim.attainment[str(n)] for n in (2, 3, 4)]
        # Within the stored rounding (four decimals, times four): to the displayed percent.
        assert not all(abs(d - e) < 0.005 for d, e in zip(derived, erased, strict=True)), (
            f"the deleted respondent's attainment per stage, from two downloads: {derived}"
        )
    page = member.get(round.get_absolute_url())
    assert "withdrawn" in page.text


# 2. Who looks is not ignored


@pytest.fixture
def open_round_without_consultant(member, organization, questionnaire, settings):
    """An open round run before the organization had a consultant, closed with 3 + 3 answers."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, visibility="open"
    )
    for index, role in enumerate(["marketing"] * 3 + ["sales"] * 3):
        pick = highest if index else by_question({}, default=0)
        submit_response(round, role, pick, email=f"p{index}@acme.example")
    close(round)
    assert not round.consultant_access
    return round


def test_a_consultant_sees_no_individual_positions_of_an_open_round_not_run_with_them(
    open_round_without_consultant, make_consultant
):
    """The client page said "individual positions from 1.0 to 4.0", and rounds.csv carried
    lowest_position and highest_position: two people's own positions."""
    import csv
    import io

    round = open_round_without_consultant
    consultant = client_of(make_consultant("late@consult.example", round.organization))
    page = consultant.get(reverse("admin:dashboard_client", args=[round.organization.pk]))
    assert page.status_code == 200 and page.context["scored"]
    assert "individual positions" not in page.text
    export = consultant.get(
        reverse("admin:dashboard_rounds_export", args=[round.organization.pk, "csv"])
    )
    if export.status_code == 405:  # exports are made by POST
        export = consultant.post(
            reverse("admin:dashboard_rounds_export", args=[round.organization.pk, "csv"])
        )
    (row,) = csv.DictReader(io.StringIO(export.content.decode("utf-8-sig")))
    assert row["position"] and not row["lowest_position"] and not row["highest_position"]


def test_a_consultant_reads_no_answers_per_option_of_an_open_round_not_run_with_them(
    member, open_round_without_consultant, make_consultant
):
    """The workshop's item page counted each side's answers per option of the question:
    individual answers, which its respondents were told only their team would see."""
    round = open_round_without_consultant
    member.post(reverse("assessments:workshop_open", args=[round.pk]))
    item = round.workshop.items.exclude(indicator=None).first()
    consultant = client_of(make_consultant("late@consult.example", round.organization))
    page = consultant.get(reverse("assessments:workshop_item", args=[round.pk, item.pk]))
    assert page.status_code == 404  # the members' own meeting, on each person's answers
    # Nor would the figures the page is drawn from carry them.
    figures = workshops.item_figures(round, item, workshops.consultant_sight(round))
    rows = [row for question in figures.questions for row in question.rows]
    assert rows and not any(row.cells for row in rows), "answers per option, per side"
    assert not any(row.names for row in rows)


# 4. The benchmark's minimum met by one account


@pytest.mark.parametrize("link", ["created by one account", "one member in each"])
def test_one_person_cannot_fill_a_peer_group_with_their_own_organizations(
    link, make_leader, questionnaire, settings, django_user_model
):
    """One person sets up five organizations in one industry and size, each answered with
    the lowest options, opts them in; the daily run shows the group of six (theirs and one
    real peer) with one block mean: six times it, minus their own five, is the peer."""
    from assessments.management.commands.materialize_benchmark import materialize
    from tests.helpers import lowest

    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    settings.BENCHMARK_MIN_ORGANIZATIONS = 5
    attacker = make_leader("eve@evil.example")
    client = client_of(attacker)
    own = []
    for index in range(5):
        if link == "created by one account":
            made = client.post(
                reverse("assessments:organization_new"),
                {"name": f"Shell {index}", "industry": "software", "size": "11-50",
                 "cadence": "quarterly", "role": "ceo"},
            )  # fmt: skip
            assert made.status_code == 302
            organization = Organization.objects.get(name=f"Shell {index}")
        else:  # subsidiaries set up by their own leaders, with the same person a member of each
            organization = make_leader(f"boss{index}@sub.example").organizations.get()
            Organization.objects.filter(pk=organization.pk).update(
                industry="software", size="11-50"
            )
            from assessments.models import Membership

            Membership.objects.create(organization=organization, user=attacker, role="ceo")
        own.append(organization)
    victim = make_leader("vera@peer.example").organizations.get()
    Organization.objects.filter(pk=victim.pk).update(industry="software", size="11-50")
    for organization in [*own, victim]:
        round = Round.objects.create(organization=organization, questionnaire=questionnaire)
        pick = lowest if organization in own else by_question({2: 3, 3: 1, 4: 0})
        for index in range(3):
            submit_response(round, "ceo", pick, email=f"{index}@{organization.pk}.example")
        close(round)
        Organization.objects.filter(pk=organization.pk).update(benchmark_opt_in=True)
    real = float(Round.objects.get(organization=victim).position)
    materialize()

    page = client.get(reverse("assessments:benchmark", args=[own[0].pk]))
    assert page.status_code == 200
    if page.context.get("entry"):
        median = float(page.context["positions"]["50"])
        derived = 6 * median - 5 * 1.0
        assert abs(derived - real) > 0.25, f"the peer's position {real}, read as {derived:.2f}"
    else:
        assert "count as one" in page.text


# 5. Mail limits per mailbox, bypassed with sub-addresses and dots


def test_sub_addresses_and_dots_do_not_multiply_the_mails_to_one_mailbox(member, round):
    """Twelve invitations in an hour to one Gmail mailbox, each spelled differently."""
    from django.core import mail

    def gmail_box(address):
        """Where Gmail delivers: no dots, no +tag, googlemail.com is gmail.com."""
        local, _at, domain = address.lower().rpartition("@")
        if domain not in {"gmail.com", "googlemail.com"}:
            return address.lower()
        return local.split("+")[0].replace(".", "") + "@gmail.com"

    spellings = [
        "victim.name@gmail.com",
        "victimname+1@gmail.com",
        "v.i.c.t.i.m.n.a.m.e@gmail.com",
        "VictimName+work@gmail.com",
        "victim.name+2@googlemail.com",
        "vic.timname@gmail.com",
        "victimnam.e+x@gmail.com",
        "victimname+3@googlemail.com",
        "v.ictimname@gmail.com",
        "victimname+4@gmail.com",
        "victi.mname+5@gmail.com",
        "victimname+6@gmail.com",
    ]
    for index, address in enumerate(spellings):
        member.post(
            reverse("assessments:round_invite", args=[round.pk]),
            {"email": address, "role": ["marketing", "sales", "ceo"][index % 3]},
        )
    delivered = [m for m in mail.outbox if gmail_box(m.to[0]) == "victimname@gmail.com"]
    reached = {m.to[0] for m in delivered}
    assert len(delivered) <= 5, f"{len(delivered)} e-mails reached one mailbox: {reached}"


# 6. Working private links in the server log


@pytest.fixture
def server_log(settings):
    """What the configured console handler writes (settings.LOGGING), with DEBUG off."""
    import io
    import logging

    settings.DEBUG = False
    settings.ADMINS = [("Operations", "ops@smarketing.example")]
    console = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert console, "the settings configure a console handler"
    buffer = io.StringIO()
    previous = [handler.setStream(buffer) for handler in console]
    yield buffer
    for handler, stream in zip(console, previous, strict=True):
        handler.setStream(stream)


def test_no_working_link_reaches_the_log_or_the_error_mails(
    server_log, new_response, round, monkeypatch
):
    """A page POST with an expired CSRF cookie, a 404 and a 500 on a live private link,
    and a tampered shared link: each logged the path, so the key, on the server."""
    from django.core import mail

    token, share = new_response.token, round.share_token
    strict = Client(enforce_csrf_checks=True, raise_request_exception=False)
    assert strict.post(f"/r/{token}/page/1/", {}).status_code == 403
    assert strict.post(f"/join/{share}/", {"role": "ceo"}).status_code == 403
    visitor = Client(raise_request_exception=False)
    assert visitor.get(f"/r/{token}/page/99/").status_code == 404
    tampered = share[:-1] + ("1" if share.endswith("0") else "0")
    assert visitor.get(f"/join/{tampered}/").status_code == 404

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("assessments.views.respondents._get_response", broken)
    assert visitor.get(f"/r/{token}/").status_code == 500

    written = server_log.getvalue()
    assert "Forbidden (CSRF cookie not set.)" in written and "Not Found" in written
    assert "Internal Server Error" in written and "the database went away" in written
    assert mail.outbox, "the 500 was mailed to ADMINS"
    mailed = " ".join(m.subject + m.body for m in mail.outbox)
    for secret in (token, share, share.partition("-")[2]):
        assert secret not in written, f"a working key in the server log: {written}"
        assert secret not in mailed, "a working key in the error e-mail"


# 7. Deletion leaves copies


def cached_pages():
    """Everything in the shared cache, as text (the database table, or Redis)."""
    import base64
    import pickle

    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache
    from django.db import connection

    cache = caches["default"]
    if isinstance(cache, DatabaseCache):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT value FROM {connection.ops.quote_name(cache._table)}")
            return [str(pickle.loads(base64.b64decode(value))) for (value,) in cursor.fetchall()]
    redis = getattr(cache, "redis", cache)._cache  # behind smarketing.cache's fallback
    client = redis.get_client(None, write=False)
    values = (client.get(key) for key in client.keys("*"))
    return [str(redis._serializer.loads(value)) for value in values if value is not None]


@pytest.mark.parametrize("deleted", ["the organization", "the response"])
def test_deleting_leaves_no_rendered_result_behind(member, round, superuser, deleted):
    """A respondent opens their result; the organization (or the response) is deleted:
    the rendered page (organization, role, position, stage text) stayed in the cache table,
    and was served from it. Now it is kept only in the process that drew it, behind the
    private link's check in the database."""
    from assessments.models import Response
    from tests.helpers import answer_all, private_token

    organization = round.organization
    Organization.objects.filter(pk=organization.pk).update(name="Ünique Deleted Co")
    visitor = Client()
    started = visitor.post(round.get_share_url(), {"role": "revenue"})
    token = private_token(started.url)
    response = Response.objects.by_token(token).get()
    response.token = token
    answer_all(visitor, response)
    result = visitor.get(reverse("assessments:result", args=[token]))
    assert result.status_code == 200 and "Ünique Deleted Co" in result.text
    assert not [page for page in cached_pages() if "Ünique Deleted Co" in page]

    if deleted == "the organization":
        confirmed = member.post(
            reverse("assessments:organization_delete", args=[organization.pk]),
            {"name": "Ünique Deleted Co"},
        )
        assert confirmed.status_code == 302 and not Organization.objects.filter(pk=organization.pk)
    else:
        admin_client = client_of(superuser)
        url = reverse("admin:assessments_response_delete", args=[response.pk])
        assert admin_client.post(url, {"post": "yes"}).status_code == 302
        assert not Response.objects.filter(pk=response.pk).exists()
    assert not [page for page in cached_pages() if "Ünique Deleted Co" in page]
    assert visitor.get(reverse("assessments:result", args=[token])).status_code == 404


def make_portfolio_export(client):
    """Ask for a portfolio export as the dashboard's form does (a POST)."""
    return client.post(reverse("admin:dashboard_export", args=["csv"]))


def test_a_prepared_export_is_not_downloaded_after_the_consultant_is_taken_off_the_client(
    make_consultant, superuser, settings
):
    """The consultant prepares a large export, is removed from a client by an operator,
    and still downloads the file that lists that client."""
    from assessments.models import PortfolioExport

    settings.EXPORT_IMMEDIATE_ROWS = 0
    kept, dropped = (Organization.objects.create(name=n) for n in ("Kept Client", "Gone Client"))
    consultant = make_consultant("c@consult.example", kept, dropped)
    client = client_of(consultant)
    assert make_portfolio_export(client).status_code == 302
    export = PortfolioExport.objects.get()
    download = reverse("admin:dashboard_prepared_export_download", args=[export.pk])
    assert "Gone Client" in client.get(download).content.decode("utf-8-sig")

    operator = client_of(superuser)
    change = reverse("admin:assessments_organization_change", args=[dropped.pk])
    form = operator.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "name": dropped.name,
            "cadence": dropped.cadence,
            "consultants": [],
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    assert operator.post(change, data).status_code == 302
    assert not dropped.consultants.exists()
    again = client.get(download)
    assert again.status_code == 404 or "Gone Client" not in again.content.decode("utf-8-sig")
    leftover = PortfolioExport.objects.filter(pk=export.pk).exclude(content=None)
    assert not leftover.exists(), "the file listing the client is still stored"


def test_a_link_or_a_forged_form_creates_no_export(make_consultant, organization, settings):
    """A plain GET of /admin/dashboard/export.xlsx (an image tag on any page the consultant
    opens) created an export row and a background job, with no CSRF check."""
    from assessments.models import PortfolioExport

    settings.EXPORT_IMMEDIATE_ROWS = 0
    consultant = make_consultant("c@consult.example", organization)
    link = client_of(consultant).get(reverse("admin:dashboard_export", args=["xlsx"]))
    assert link.status_code == 405
    forged = Client(enforce_csrf_checks=True, raise_request_exception=False)
    forged.force_login(consultant)
    assert forged.post(reverse("admin:dashboard_export", args=["xlsx"])).status_code == 403
    assert not PortfolioExport.objects.exists()
