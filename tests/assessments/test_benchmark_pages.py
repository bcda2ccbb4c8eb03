"""The peer benchmark: consent, materialization, thresholds, fallbacks, pages and exports."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments.management.commands.materialize_benchmark import materialize
from assessments.models import BenchmarkEntry, BenchmarkGroup, Organization
from tests.helpers import benchmark_round, sides

pytestmark = pytest.mark.django_db


def contributor(name, industry="software", size="11-50", opted_in=True, **round_fields):
    organization = Organization.objects.create(
        name=name, industry=industry, size=size, benchmark_opt_in=opted_in
    )
    benchmark_round(organization, **round_fields)
    return organization


def peers(count, industry="software", size="11-50", start=0, position=None, **round_fields):
    return [
        contributor(
            f"{industry}-{size}-{start + i}",
            industry,
            size,
            position=position or 1.5 + (i % 5) * 0.5,
            **round_fields,
        )
        for i in range(count)
    ]


def opt_in(organization):
    Organization.objects.filter(pk=organization.pk).update(benchmark_opt_in=True)
    organization.refresh_from_db()


# Consent


def test_consent_is_off_by_default(organization):
    assert organization.benchmark_opt_in is False
    assert organization.benchmark_changed_at is None


def test_settings_page_explains_what_is_shared(member, organization):
    page = member.get(reverse("assessments:benchmark_settings", args=[organization.pk]))
    assert page.status_code == 200
    assert "Exactly what is shared" in page.content.decode()
    assert "Never shared: your organization's name" in page.content.decode()


def test_settings_page_explains_it_in_spanish(member, organization, spanish):
    page = member.get(reverse("assessments:benchmark_settings", args=[organization.pk]))
    assert "Exactamente qué se comparte" in page.content.decode()


def test_a_member_opts_in_and_the_change_is_recorded(member, organization, leader):
    url = reverse("assessments:benchmark_settings", args=[organization.pk])
    response = member.post(url, {"opted_in": "on"})
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.benchmark_opt_in is True
    assert organization.benchmark_changed_by == leader
    assert organization.benchmark_changed_at is not None


def test_opting_out_removes_the_entry_at_once(member, organization):
    others = peers(5)
    opt_in(organization)
    benchmark_round(organization)
    materialize()
    assert BenchmarkEntry.objects.filter(organization=organization).exists()
    member.post(reverse("assessments:benchmark_settings", args=[organization.pk]), {})
    organization.refresh_from_db()
    assert organization.benchmark_opt_in is False
    assert not BenchmarkEntry.objects.filter(organization=organization).exists()
    assert BenchmarkEntry.objects.filter(organization__in=others).count() == 5


def test_a_member_of_another_organization_cannot_change_it(client, organization, other_leader):
    client.force_login(other_leader)
    url = reverse("assessments:benchmark_settings", args=[organization.pk])
    assert client.post(url, {"opted_in": "on"}).status_code == 404
    organization.refresh_from_db()
    assert organization.benchmark_opt_in is False


def test_a_consultant_sees_the_choice_but_cannot_change_it(client, organization, make_consultant):
    consultant = make_consultant("c@c.example", organization)
    client.force_login(consultant)
    url = reverse("assessments:benchmark_settings", args=[organization.pk])
    assert client.post(url, {"opted_in": "on"}).status_code == 404
    page = client.get(reverse("admin:dashboard_client", args=[organization.pk]))
    assert "Does not contribute to the peer benchmark" in page.content.decode()


def test_the_admin_cannot_change_the_choice(admin_client, organization):
    url = reverse("admin:assessments_organization_change", args=[organization.pk])
    page = admin_client.get(url)
    assert 'name="benchmark_opt_in"' not in page.content.decode()
    admin_client.post(
        url,
        {
            "name": organization.name,
            "cadence": "quarterly",
            "benchmark_opt_in": "on",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    organization.refresh_from_db()
    assert organization.benchmark_opt_in is False


# Which rounds count


def test_only_opted_in_organizations_contribute():
    peers(5)
    contributor("not asked", opted_in=False)
    materialize()
    group = BenchmarkGroup.objects.get(kind="all")
    assert group.organizations == 5
    assert not BenchmarkEntry.objects.filter(organization__name="not asked").exists()


def test_below_the_minimum_nothing_is_stored(settings):
    peers(4)
    assert materialize() == (0, 0)
    assert not BenchmarkGroup.objects.exists()


def test_the_minimum_is_a_setting(settings):
    settings.BENCHMARK_MIN_ORGANIZATIONS = 3
    peers(3)
    assert materialize()[1] == 3


@pytest.mark.parametrize(
    "round_fields",
    [
        {"closed_at": None},  # still open
        {"respondents": 2},  # confidential round never published
        {"closed_at": timezone.now() - datetime.timedelta(days=19 * 31)},  # too old
        {"position": 2.0, "flags": ["low-coverage"]},  # not placed
        {"attainment": {"2": 0.5, "3": None, "4": None}},  # a stage not measured
        # An open round of one: its members saw it, but it is one person's answers.
        {"visibility": "open", "respondents": 1},
    ],
)
def test_rounds_that_cannot_show_figures_do_not_count(round_fields):
    peers(4)
    contributor("the fifth", **round_fields)
    assert materialize() == (0, 0)


def test_the_latest_eligible_round_counts():
    organizations = peers(5, position=2.0)
    target = organizations[0]
    benchmark_round(
        target, position=3.5, stage=3, opened_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    materialize()
    entry = BenchmarkEntry.objects.get(organization=target)
    assert float(entry.position) == 3.5
    assert entry.percentile == 90


def test_materializing_twice_gives_the_same_rows():
    peers(6)
    first = materialize()
    rows = list(BenchmarkEntry.objects.values_list("organization", "percentile", "group__kind"))
    assert materialize() == first
    assert (
        list(BenchmarkEntry.objects.values_list("organization", "percentile", "group__kind"))
        == rows
    )


def test_the_command_reports_what_it_stored(capsys):
    peers(5)
    call_command("materialize_benchmark")
    assert "Stored 4 peer group(s) and 5 organization(s)" in capsys.readouterr().out


# Groups, fallbacks and the anti-differencing rule


def test_an_organization_falls_back_to_a_wider_group():
    peers(5, "software", "11-50")
    peers(6, "finance", "1-10")
    target = contributor("alone", "software", "1-10")
    materialize()
    entry = BenchmarkEntry.objects.select_related("group").get(organization=target)
    # Software's 11-50 group would leave "alone" as software minus it: its industry it is.
    assert (entry.group.kind, entry.group.industry) == ("industry", "software")
    assert entry.fell_back
    kinds = set(BenchmarkGroup.objects.values_list("kind", "industry", "size"))
    assert ("industry-size", "software", "11-50") not in kinds
    assert ("industry-size", "finance", "1-10") in kinds  # the same 6 as finance


def test_narrow_groups_show_when_they_are_safe():
    peers(5, "software", "11-50")
    peers(5, "software", "1-10")
    peers(5, "finance", "1-10")
    materialize()
    kinds = set(BenchmarkGroup.objects.values_list("kind", "industry", "size"))
    assert ("industry-size", "software", "11-50") in kinds
    entry = BenchmarkEntry.objects.select_related("group").get(
        organization__name="software-11-50-0"
    )
    assert entry.group.kind == "industry-size"
    assert not entry.fell_back


def test_attack_combining_stored_groups_never_isolates_one_organization():
    """An attacker reads every stored group (as a superuser could) and adds or subtracts them.

    Counts per stage add up, so a combination of groups that leaves one
    organization gives its stage away. Each stored group's members are known
    here from its definition; no combination may leave 1 to 4 organizations.
    """
    import itertools

    from assessments.benchmark import GroupKey

    peers(5, "software", "11-50", stage=2)
    peers(5, "finance", "1-10", stage=2)
    peers(3, "finance", "11-50", start=10, stage=2)
    target = contributor("target", "software", "1-10", position=3.9, stage=4)
    materialize()
    everyone = list(Organization.objects.filter(benchmark_opt_in=True))
    groups = list(BenchmarkGroup.objects.all())
    assert len(groups) >= 3
    vectors = []
    for group in groups:
        key = GroupKey(group.kind, group.industry, group.size)
        vectors.append([int(key.contains(o.industry, o.size)) for o in everyone])
        assert sum(vectors[-1]) == group.organizations
    for coefficients in itertools.product((-1, 0, 1), repeat=len(vectors)):
        combined = [
            sum(c * v[i] for c, v in zip(coefficients, vectors, strict=True))
            for i in range(len(everyone))
        ]
        isolated = [o for o, weight in zip(everyone, combined, strict=True) if weight]
        assert len(isolated) == 0 or len(isolated) >= 5, coefficients
    # Stage 4 of the widest group holds only the target: its count is hidden.
    assert BenchmarkGroup.objects.get(kind="all").stages["4"] is None
    assert BenchmarkEntry.objects.get(organization=target).group.kind == "industry"


def test_gap_counts_only_where_both_sides_are_shown():
    peers(5, groups=sides(0.6, 0.2), respondents=6)
    # One respondent outside the two groups: the sides would give that person away.
    contributor("one left over", groups=sides(0.9, 0.1), respondents=7)
    materialize()
    assert BenchmarkEntry.objects.get(organization__name="one left over").gap is None
    group = BenchmarkGroup.objects.get(kind="all")
    assert group.gap["organizations"] == 5
    assert group.gap["50"] == 40


def test_no_gap_distribution_below_the_minimum():
    peers(4, groups=sides(0.6, 0.2), respondents=6)
    contributor("no sides")
    materialize()
    assert BenchmarkGroup.objects.get(kind="all").gap == {}
    assert BenchmarkEntry.objects.filter(gap_percentile__isnull=False).count() == 0


# Pages


def test_member_page_shows_position_percentile_and_stages(member, organization):
    peers(5)
    opt_in(organization)
    benchmark_round(organization, position=3.0, stage=3)
    materialize()
    page = member.get(reverse("assessments:benchmark", args=[organization.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Position 3.0: percentile" in text
    assert "All contributing organizations: 6 organizations." in text
    assert 'data-chart="benchmark-attainment-data"' in text
    assert "fewer than 5" in text


def test_member_page_says_so_when_it_falls_back(member, organization):
    peers(5, "finance", "1-10")
    Organization.objects.filter(pk=organization.pk).update(industry="software", size="1-10")
    opt_in(organization)
    benchmark_round(organization)
    materialize()
    page = member.get(reverse("assessments:benchmark", args=[organization.pk]))
    assert "you are compared with this wider group" in page.content.decode()


def test_team_page_links_to_the_benchmark_or_its_settings(member, organization):
    page = member.get(organization.get_absolute_url()).content.decode()
    assert reverse("assessments:benchmark_settings", args=[organization.pk]) in page
    opt_in(organization)
    page = member.get(organization.get_absolute_url()).content.decode()
    assert "Your organization contributes to the peer benchmark." in page
    assert reverse("assessments:benchmark", args=[organization.pk]) in page


def test_a_member_who_does_not_contribute_sees_no_figures(member, organization):
    peers(6)
    benchmark_round(organization)
    materialize()
    page = member.get(reverse("assessments:benchmark", args=[organization.pk]))
    text = page.content.decode()
    assert "only contributing organizations see it" in text
    assert "percentile" not in text.lower().split("benchmark settings")[-1]


def test_member_page_query_count_does_not_grow(member, organization, django_assert_num_queries):
    opt_in(organization)
    benchmark_round(organization)
    peers(5)
    materialize()
    url = reverse("assessments:benchmark", args=[organization.pk])
    with django_assert_num_queries(5) as small:
        member.get(url)
    peers(40, "finance", "1-10")
    materialize()
    with django_assert_num_queries(len(small.captured_queries)):
        member.get(url)


def test_portfolio_and_export_show_the_percentile(client, make_consultant):
    organizations = peers(7)
    consultant = make_consultant("c@c.example", *organizations[:2])
    materialize()
    client.force_login(consultant)
    page = client.get(reverse("admin:dashboard"))
    assert "Peer percentile" in page.content.decode()
    export = client.post(reverse("admin:dashboard_export", args=["csv"])).content.decode()
    header, first = export.splitlines()[:2]
    assert header.endswith('"flags","benchmark_percentile","crm_contradicts"')
    entry = BenchmarkEntry.objects.get(organization=organizations[0])
    assert first.endswith(f'"{entry.percentile}",""')


def test_consultant_benchmark_page_lists_only_their_clients(client, make_consultant):
    organizations = peers(7)
    consultant = make_consultant("c@c.example", *organizations[:2])
    materialize()
    client.force_login(consultant)
    page = client.get(reverse("admin:dashboard_benchmark"))
    text = page.content.decode()
    assert page.status_code == 200
    assert organizations[0].name in text and organizations[1].name in text
    assert organizations[2].name not in text
    assert "2 of your 2 clients contribute" in text


def test_consultant_benchmark_page_query_count(client, make_consultant, django_assert_num_queries):
    organizations = peers(7)
    consultant = make_consultant("c@c.example", *organizations[:2])
    materialize()
    client.force_login(consultant)
    url = reverse("admin:dashboard_benchmark")
    with django_assert_num_queries(8) as small:
        client.get(url)
    more = peers(20, "finance", "1-10")
    for organization in more:
        organization.consultants.add(consultant)
    materialize()
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_a_consultant_following_most_of_a_group_does_not_see_its_figures(
    client, make_consultant, superuser
):
    """Five of six are theirs: the median and their positions would give the sixth away."""
    organizations = peers(6)
    consultant = make_consultant("c@c.example", *organizations[:5])
    materialize()
    client.force_login(consultant)
    page = client.get(reverse("admin:dashboard_benchmark")).content.decode()
    assert organizations[0].name not in page
    assert "None of your clients is in the benchmark yet." in page
    export = client.post(reverse("admin:dashboard_export", args=["csv"])).content.decode()
    assert all(line.endswith('""') for line in export.splitlines()[1:])
    # The operators see everything, as they see every round.
    client.force_login(superuser)
    page = client.get(reverse("admin:dashboard_benchmark")).content.decode()
    assert organizations[0].name in page


# Small groups explain themselves


def text_of(response):
    return " ".join(response.content.decode().split())


def test_a_group_at_the_minimum_says_its_figures_are_the_groups_mean(member, organization):
    # Five organizations, spread over three stages: one block, no stage with five.
    for number, stage in enumerate((1, 1, 2, 3)):
        contributor(f"peer-{number}", position=stage + 0.5, stage=stage)
    opt_in(organization)
    benchmark_round(organization, position=2.5, stage=2)
    materialize()
    group = BenchmarkEntry.objects.get(organization=organization).group
    assert group.organizations == 5 and len(set(group.positions.values())) == 1
    text = text_of(member.get(reverse("assessments:benchmark", args=[organization.pk])))
    assert "What a group of 5 organizations can show" in text
    assert "every percentile and quartile reads the same figure" in text
    assert "once the group has 10 contributing organizations" in text
    assert "No stage holds 5 or more of the group's 5 organizations" in text
    assert "a smaller count could point to particular organizations" in text


def test_a_larger_group_does_not_say_it(member, organization):
    peers(11)
    opt_in(organization)
    benchmark_round(organization)
    materialize()
    text = text_of(member.get(reverse("assessments:benchmark", args=[organization.pk])))
    assert "can show" not in text and "every percentile and quartile reads the same" not in text
    assert "with 12 organizations that makes 2 different figures" in text


def test_a_group_at_the_minimum_explains_itself_in_spanish(member, organization, spanish):
    peers(4)
    opt_in(organization)
    benchmark_round(organization)
    materialize()
    text = text_of(member.get(reverse("assessments:benchmark", args=[organization.pk])))
    assert "Lo que puede mostrar un grupo de 5 organizaciones" in text


@pytest.fixture
def at_ten(settings, time_machine):
    settings.BENCHMARK_RUN_AT = datetime.time(3, 0)
    time_machine.move_to(datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC), tick=False)


def test_opting_in_says_when_the_first_figures_appear(member, organization, at_ten):
    url = reverse("assessments:benchmark_settings", args=[organization.pk])
    page = text_of(member.post(url, {"opted_in": "on"}, follow=True))
    assert "first figures appear after the next computation, on 5 Dec 2026 at 3 a.m." in page
    # The benchmark page, before the first computation, names the same moment.
    assert "the next computation is on 5 Dec 2026 at 3 a.m." in page


def test_the_settings_page_names_the_daily_time_from_the_setting(
    member, organization, settings, time_machine
):
    settings.BENCHMARK_RUN_AT = datetime.time(22, 30)
    time_machine.move_to(datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC), tick=False)
    url = reverse("assessments:benchmark_settings", args=[organization.pk])
    text = text_of(member.get(url))
    assert "computed once a day, at 10:30 p.m.; the next computation is on 4 Dec 2026" in text


def test_the_consultant_sees_why_a_percentile_is_missing_on_the_portfolio_and_client_page(
    client, make_consultant
):
    organizations = peers(6)
    shown = organizations[0]
    quiet = Organization.objects.create(name="Quiet Ltd")  # does not contribute
    waiting = Organization.objects.create(name="Waiting Ltd", benchmark_opt_in=True)
    consultant = make_consultant("c@c.example", shown, quiet, waiting)
    materialize()
    client.force_login(consultant)
    rows = {c.name: c for c in client.get(reverse("admin:dashboard")).context["clients"]}
    assert rows[shown.name].benchmark_percentile is not None
    assert rows[shown.name].percentile_missing is None
    assert rows["Quiet Ltd"].percentile_missing == "not contributing"
    assert rows["Waiting Ltd"].percentile_missing == "not in the benchmark yet"
    portfolio = text_of(client.get(reverse("admin:dashboard")))
    assert '– <span class="small">(not contributing)</span>' in portfolio
    assert '– <span class="small">(not in the benchmark yet)</span>' in portfolio

    def client_page(organization):
        return text_of(client.get(reverse("admin:dashboard_client", args=[organization.pk])))

    entry = BenchmarkEntry.objects.get(organization=shown)
    page = client_page(shown)
    label = f"“{entry.group.label}” (6 organizations)"
    assert f"Peer percentile: {entry.percentile}, in {label}" in page
    assert "Not in the benchmark yet: it needs a round closed" in client_page(waiting)
    assert "Does not contribute to the peer benchmark" in client_page(quiet)


def test_a_hidden_percentile_says_why_where_the_client_sees_it(client, make_consultant):
    """Five of six are theirs: hidden in the portfolio and on the client page, with the reason."""
    organizations = peers(6)
    consultant = make_consultant("c@c.example", *organizations[:5])
    materialize()
    client.force_login(consultant)
    [row] = [
        c
        for c in client.get(reverse("admin:dashboard")).context["clients"]
        if c.pk == organizations[0].pk
    ]
    assert row.benchmark_percentile is None
    assert row.percentile_missing == "hidden: too few peers besides your clients"
    page = text_of(client.get(reverse("admin:dashboard_client", args=[organizations[0].pk])))
    assert "Its peer percentile is hidden from you: its peer group holds fewer than 5" in page
    assert "Peer percentile:" not in page
    # Its members see it on their own page: the entry exists.
    assert BenchmarkEntry.objects.filter(organization=organizations[0]).exists()
