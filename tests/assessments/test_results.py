"""results.py, the one home of the rules that turn numbers into words (no database)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from assessments import results, scoring
from assessments.results import IN_PLACE, MISSING, PARTLY, UNKNOWN, Change, GapRow


@pytest.mark.parametrize(
    "score, shown, status",
    [
        (0.0, 0, MISSING),
        (0.3299, 32, MISSING),
        # Finding: 0.3333 (the stored 1/3 anchor) read "missing" while a mean of 0.33335
        # read "partly in place"; both show 33%, so both are "partly in place".
        (0.3333, 33, PARTLY),
        (0.33335, 33, PARTLY),
        (0.7499, 74, PARTLY),
        (0.75, 75, IN_PLACE),
        (1.0, 100, IN_PLACE),
        (None, None, UNKNOWN),
    ],
)
def test_a_status_is_read_off_the_figure_shown(score, shown, status):
    assert (None if score is None else results.percent(score)) == shown
    assert results.status(score) == status


def test_a_status_band_never_straddles_a_displayed_percent():
    by_percent = {}
    for tenth_of_a_thousandth in range(10001):
        score = tenth_of_a_thousandth / 10000
        by_percent.setdefault(results.percent(score), set()).add(results.status(score))
    assert all(len(statuses) == 1 for statuses in by_percent.values())


def test_a_change_in_points_is_the_difference_of_the_figures_shown():
    # Finding: "0% to 55% (+56 points)".
    change = Change(SimpleNamespace(text="X"), 0.0, 0.5555)
    assert (change.before_percent, change.after_percent, change.points) == (0, 55, 55)
    with translation.override("en"):
        assert change.sentence == "“X” improved from 0% to 55% (+55 points)."


@pytest.mark.parametrize(
    "before, after, direction",
    [
        (0.2999, 0.3498, results.IMPROVED),  # 29% → 34%: five points, as shown
        (0.3000, 0.3499, results.UNCHANGED),  # 30% → 34%: four points
        (0.5, 0.45, results.DECLINED),
        (None, 0.5, results.NOT_MEASURED),
    ],
)
def test_whether_an_indicator_moved_follows_the_points_shown(before, after, direction):
    assert Change(SimpleNamespace(text="X"), before, after).direction == direction


def test_a_gap_in_points_is_the_difference_of_the_figures_shown():
    row = GapRow(SimpleNamespace(), 0.5555, 0.0001, True)
    assert (row.marketing_percent, row.sales_percent, row.difference) == (55, 0, 55)


@pytest.mark.parametrize(
    "position, stage, flags, english, spanish",
    [
        (Decimal("2.4667"), 2, [], "2.4", "2,4"),
        (Decimal("2.0000"), 2, ["not-measured"], "≥ 2.0", "≥ 2,0"),
        (Decimal("4.0000"), 4, ["low-coverage"], "–", "–"),
        (None, None, [], "–", "–"),
    ],
)
def test_one_reading_of_a_position_in_both_languages(position, stage, flags, english, spanish):
    reading = results.read_position(position, stage, flags)
    with translation.override("en"):
        assert str(reading) == english
    with translation.override("es"):
        assert str(reading) == spanish


def test_a_reading_says_firm_lower_bound_or_not_placed():
    firm = results.read_position(Decimal("2.4667"), 2, ["foundation-gap"])
    # The way to the next stage is read off the displayed 2.4: 40%, not the stored 46%.
    assert (firm.firm, firm.lower_bound, firm.placed, firm.progress_percent) == (
        True,
        False,
        True,
        40,
    )
    bound = results.read_position(Decimal("3.0000"), 3, ["not-measured"])
    assert (bound.firm, bound.lower_bound, bound.needs_answers) == (False, True, 4)
    unplaced = results.read_position(Decimal("1.4000"), 1, ["low-coverage", "not-measured"])
    assert (unplaced.placed, unplaced.firm, unplaced.lower_bound) == (False, False, False)


def group(number, *scores, named=()):
    """A stage with indicators scored SCORES, as summarize() builds them.

    NAMED: the orders (from 1) of the indicators that make the stage.
    """
    stage = SimpleNamespace(number=number)
    rows = [
        results.IndicatorRow(
            SimpleNamespace(
                order=order,
                key=f"s{number}.i{order}",
                text=f"{number}.{order}",
                name=f"Indicator {number}.{order}",
                defines_stage=order in named,
            ),
            score,
            results.status(score),
        )
        for order, score in enumerate(scores, start=1)
    ]
    return stage, rows


def weakest_keys(groups, climbing, count=3):
    return [row.indicator.key for row in results.weakest(groups, climbing, count)]


def test_where_to_start_never_reaches_two_stages_ahead():
    # Finding: a stage-1 team was told to appoint a CRO (stage 4) because scores mixed stages.
    groups = [group(2, 1.0, 1.0, 1.0, 0.0), group(3, None, None, None), group(4, 0.0, 0.0)]
    assert weakest_keys(groups, climbing=2) == ["s2.i4"]


def test_where_to_start_takes_the_next_stage_only_when_the_climbed_one_is_short():
    groups = [group(2, 1.0, 0.5, 1.0, 1.0), group(3, 0.2, 0.6, 0.0), group(4, 0.0, 0.0)]
    assert weakest_keys(groups, climbing=2) == ["s2.i2", "s3.i3", "s3.i1"]
    assert weakest_keys(groups, climbing=3) == ["s3.i3", "s3.i1", "s3.i2"]
    assert weakest_keys(groups, climbing=3, count=5) == [
        "s3.i3",
        "s3.i1",
        "s3.i2",
        "s4.i1",
        "s4.i2",
    ]


def test_where_to_start_at_the_end_of_the_continuum_keeps_the_top_stage():
    groups = [group(2, 1.0), group(3, 1.0), group(4, 0.8, 0.7)]
    assert weakest_keys(groups, climbing=5) == ["s4.i2"]


def test_where_to_start_leads_with_what_makes_a_reached_or_climbed_stage():
    # Finding: a named practice missing in a stage counted as reached was never advised.
    groups = [
        group(2, 1.0, 0.6667, 0.9, named=(2,)),  # reached, its named indicator patchy
        group(3, 0.2, 0.6, 0.0, 0.5, named=(1, 4)),
        group(4, 0.0, named=(1,)),
    ]
    assert weakest_keys(groups, climbing=3) == ["s2.i2", "s3.i1", "s3.i4"]
    assert weakest_keys(groups, climbing=3, count=5) == [
        "s2.i2",
        "s3.i1",
        "s3.i4",
        "s3.i3",
        "s3.i2",
    ]


def test_where_to_start_never_advises_what_makes_the_next_stage():
    # Finding: both teams under the CEO (stage 4's named indicator at a third) was advised to
    # a team still climbing stage 3: appointing a leader is no shortcut past the structure.
    groups = [group(2, 1.0), group(3, 1.0, 0.5, 1.0), group(4, 0.3333, 0.0, named=(1,))]
    assert weakest_keys(groups, climbing=3) == ["s3.i2", "s4.i2"]
    assert weakest_keys(groups, climbing=4) == ["s4.i1", "s4.i2"]


def reading_at(position, stage, flags=()):
    return results.read_position(Decimal(position), stage, list(flags))


STAGES = {
    n: SimpleNamespace(number=n, name=name)
    for n, name in [
        (1, "Siloed functions"),
        (2, "Strategic alignment"),
        (3, "Operational alignment"),
        (4, "Functional alignment"),
    ]
}


@pytest.mark.parametrize(
    "position, stage, flags, started, title, described",
    [
        ("1.0000", 1, [], False, "Siloed functions", 1),
        # Below half way the stage reached is named; a team that started reads stage 2.
        ("1.3000", 1, [], True, "Siloed functions", 2),
        ("1.4999", 1, [], True, "Siloed functions", 2),
        # From half way, the climb: finding, 1.8 read "Siloed functions", "no collaboration".
        ("1.5000", 1, [], True, "On the way to strategic alignment", 2),
        ("1.8500", 1, ["held-back"], True, "On the way to strategic alignment", 2),
        ("2.4000", 2, [], True, "Strategic alignment", 2),
        ("2.9999", 2, [], True, "On the way to operational alignment", 3),
        ("3.6000", 3, [], True, "On the way to functional alignment", 4),
        ("4.0000", 4, [], True, "Functional alignment", 4),
        # A lower bound names the stage it is sure of.
        ("2.0000", 2, ["not-measured"], True, "Strategic alignment", 2),
    ],
)
def test_the_headline_names_the_climb_from_half_way(
    position, stage, flags, started, title, described
):
    with translation.override("en"):
        found = results.headline(reading_at(position, stage, flags), STAGES, started=started)
    assert (found.title, found.described.number) == (title, described)
    assert found.climbing is (described != stage)


def test_the_headline_in_spanish_and_none_for_a_result_that_places_nobody():
    spanish = {
        n: SimpleNamespace(number=n, name=name)
        for n, name in [(1, "Funciones en silo"), (2, "Alineación estratégica")]
    }
    with translation.override("es"):
        found = results.headline(reading_at("1.8000", 1), spanish)
    assert found.title == "En camino hacia la alineación estratégica"
    unplaced = reading_at("1.8000", 1, ["low-coverage"])
    assert results.headline(unplaced, STAGES) is None
    assert results.verdict(Decimal("1.8"), 1, ["low-coverage"], STAGES) == ""
    with translation.override("en"):
        assert results.verdict(Decimal("1.8"), 1, [], STAGES) == "On the way to strategic alignment"


def question(pk, text, weight, key, options):
    return SimpleNamespace(
        pk=pk,
        text=text,
        weight=weight,
        indicator=SimpleNamespace(key=key),
        options=SimpleNamespace(all=lambda: [SimpleNamespace(value=v, text=t) for v, t in options]),
    )


REPORTING_LINE = question(
    20,
    "Who do marketing and sales report to today?",
    1.5,
    "functional.revenue-leader",
    [
        (0.0, "To different executives."),
        (0.3333, "Marketing reports to the head of sales."),
        (0.3333, "Both report to the CEO."),
        (0.6667, "To one executive who leads both, among other areas."),
        (1.0, "To one revenue leader (CRO or CCO)."),
    ],
)
LEAD_MAIN = question(
    8,
    "Is there an agreed lead definition?",
    1.5,
    "strategic.lead-definition",
    [
        (0.0, "No."),
        (0.3333, "Marketing has one."),
        (0.6667, "Agreed, often ignored."),
        (1.0, "Yes."),
    ],
)
LEAD_SECOND = question(
    9,
    "What happens when sales turns down a lead?",
    1.0,
    "strategic.lead-definition",
    [(0.0, "Nothing."), (0.3333, "Informal."), (0.6667, "Recorded."), (1.0, "Reviewed.")],
)


def chose(q, index):
    return SimpleNamespace(question=q, option=None if index is None else q.options.all()[index])


def test_a_respondent_is_quoted_the_answer_to_the_main_question_of_an_indicator():
    quotes = results.answer_quotes(
        [chose(LEAD_SECOND, 3), chose(LEAD_MAIN, 1), chose(REPORTING_LINE, 1)]
    )
    with translation.override("en"):
        assert str(quotes["strategic.lead-definition"]) == (
            "To “Is there an agreed lead definition?” you answered “Marketing has one”."
        )
        assert str(quotes["functional.revenue-leader"]) == (
            "To “Who do marketing and sales report to today?” you answered “Marketing reports "
            "to the head of sales”."
        )
    # "I don't know" on the main question: the other question's answer is quoted.
    fallback = results.answer_quotes([chose(LEAD_MAIN, None), chose(LEAD_SECOND, 2)])
    assert fallback["strategic.lead-definition"].answer == "Recorded."
    assert results.answer_quotes([chose(LEAD_MAIN, None)]) == {}


def test_a_workshop_is_quoted_its_consensus():
    quotes = results.answer_quotes([chose(REPORTING_LINE, 4)], kind="consensus")
    with translation.override("es"):
        assert str(quotes["functional.revenue-leader"]).startswith("Para «Who do marketing")


@pytest.mark.parametrize(
    "score, quoted",
    [
        (1.0, "To one revenue leader (CRO or CCO)."),
        (0.7778, "To one executive who leads both, among other areas."),
        (0.1, "To different executives."),
        # Two options worth a third: nobody's answer can be told, none is quoted.
        (0.3333, None),
        # Exactly between two options: neither speaks for the team.
        (0.5, None),
    ],
)
def test_a_team_is_quoted_the_option_nearest_its_figure_never_anyones_answer(score, quoted):
    pages = [SimpleNamespace(questions=SimpleNamespace(all=lambda: [REPORTING_LINE]))]
    quotes = results.team_quotes(pages, {"functional.revenue-leader": score, "x.y": None})
    found = quotes.get("functional.revenue-leader")
    assert (found.answer if found else None) == quoted
    if found:
        with translation.override("en"):
            assert str(found).startswith(
                "On “Who do marketing and sales report to today?” the team's answers average "
                "out nearest to"
            )


def stage_content(number, name, indicators):
    stage = SimpleNamespace(
        number=number,
        name=name,
        label=f"stage {number}, “{name}”",
    )
    return stage, [
        results.IndicatorRow(indicator, score, results.status(score))
        for indicator, score in indicators
    ]


def indicator(key, name, named=False, order=1):
    return SimpleNamespace(key=key, name=name, text=name, defines_stage=named, order=order)


def test_the_foundation_gap_text_quotes_the_answer_instead_of_asserting_a_leader():
    leader = indicator("functional.revenue-leader", "Revenue leader", named=True)
    groups = [
        stage_content(2, "Strategic alignment", [(indicator("s.a", "A"), 0.3333)]),
        stage_content(3, "Operational alignment", [(indicator("o.a", "B"), 0.3333)]),
        stage_content(4, "Functional alignment", [(leader, 1.0)]),
    ]
    stages = {stage.number: stage for stage, _ in groups}
    scored = SimpleNamespace(flags=["foundation-gap"], stage=1)
    attainment = {2: 0.3333, 3: 0.3333, 4: 1.0}
    quotes = results.answer_quotes([chose(REPORTING_LINE, 4)])
    with translation.override("en"):
        [(code, label, text)] = results.explain_flags(scored, attainment, groups, stages, quotes)
    assert (code, label) == ("foundation-gap", "Foundation gap")
    assert text.startswith(
        "To “Who do marketing and sales report to today?” you answered “To one revenue leader "
        "(CRO or CCO)”. “Revenue leader” reads as established (100%), but stage 2"
    )
    assert "org chart without the structure" in text
    # Without a quote the figure stands alone; no text says who leads whom.
    with translation.override("en"):
        [(_, _, bare)] = results.explain_flags(scored, attainment, groups, stages)
    assert bare.startswith("“Revenue leader” reads as established (100%)")
    assert "CRO" not in bare


def test_the_held_back_text_quotes_the_answer_that_holds_the_stage():
    lead = indicator("strategic.lead-definition", "Lead definition", named=True)
    groups = [
        stage_content(
            2, "Strategic alignment", [(lead, 0.3333), (indicator("s.b", "Shared priority"), 1.0)]
        ),
        stage_content(3, "Operational alignment", [(indicator("o.a", "B"), 0.0)]),
    ]
    stages = {stage.number: stage for stage, _ in groups}
    scored = SimpleNamespace(flags=["held-back"], stage=1)
    quotes = results.answer_quotes([chose(LEAD_MAIN, 1)])
    for language, expected in [
        (
            "en",
            "To “Is there an agreed lead definition?” you answered “Marketing has one”. Stage 2, "
            "“Strategic alignment”, is at 80%, enough for a stage to count as reached (75%), "
            "but “Lead definition” is one of the practices that make it, and it is at 33%.",
        ),
        ("es", "A «Is there an agreed lead definition?» usted respondió «Marketing has one»."),
    ]:
        with translation.override(language):
            [(code, label, text)] = results.explain_flags(
                scored, {2: 0.8, 3: 0.0, 4: None}, groups, stages, quotes
            )
        assert code == "held-back" and text.startswith(expected)


def test_flag_labels_cover_every_flag_in_both_languages():
    codes = {
        scoring.FOUNDATION_GAP,
        scoring.NOT_MEASURED,
        scoring.HELD_BACK,
        scoring.LOW_COVERAGE_FLAG,
        scoring.PERCEPTION_GAP,
        scoring.LEADERSHIP_GAP,
    }
    with translation.override("en"):
        english = results.flag_labels()
    with translation.override("es"):
        spanish = results.flag_labels()
    assert set(english) == set(spanish) == codes
    assert all(english[code] != spanish[code] for code in codes)


def stored_group(count, attainment, indicators):
    return {"count": count, "attainment": attainment, "indicator_scores": indicators}


def test_the_perception_gap_flag_follows_the_team_pages_rule():
    # Finding: the dashboard compared positions; the team page compares stages and indicators.
    # Close positions but one indicator seen "in place" by one side and "missing" by the other.
    groups = {
        "marketing": stored_group(3, {"2": 0.6, "3": 0.1}, {"a.x": 1.0, "a.y": 0.3}),
        "sales": stored_group(3, {"2": 0.45, "3": 0.1}, {"a.x": 0.0, "a.y": 0.6}),
    }
    both = {"marketing", "sales"}
    assert results.round_flags(["foundation-gap"], groups, both) == [
        "foundation-gap",
        "perception-gap",
    ]
    assert results.round_flags([], groups, {"marketing"}) == []  # a hidden side shows no gap
    groups["sales"]["indicator_scores"]["a.x"] = 0.9
    assert results.round_flags([], groups, both) == []


def three_groups(leadership, marketing, sales, stage=(0.5, 0.5, 0.5)):
    return {
        "leadership": stored_group(1, {"2": stage[0]}, {"a.x": leadership}),
        "marketing": stored_group(1, {"2": stage[1]}, {"a.x": marketing}),
        "sales": stored_group(1, {"2": stage[2]}, {"a.x": sales}),
    }


EVERY_GROUP = {"leadership", "marketing", "sales"}


def test_the_leadership_gap_flag_shows_only_with_every_group_in_it():
    groups = three_groups(1.0, 0.3333, 0.3333)
    assert results.round_flags([], groups, EVERY_GROUP) == ["leadership-gap"]
    assert results.round_flags([], groups, {"leadership", "marketing"}) == []
    assert results.round_flags([], groups, {"marketing", "sales"}) == []
    # Both comparisons at once: the teams apart, and the leaders beyond both of them.
    groups = three_groups(1.0, 0.5, 0.0, stage=(1.0, 0.4, 0.3))
    assert results.round_flags([], groups, EVERY_GROUP) == ["perception-gap", "leadership-gap"]


def test_a_disputed_indicator_has_the_figures_of_the_sides_in_the_dispute():
    # Marketing and sales apart: their two figures.
    groups = three_groups(0.6667, 1.0, 0.2, stage=(1.0, 0.0, 0.5))
    assert results.disputed(groups, EVERY_GROUP) == {"a.x": (("marketing", 1.0), ("sales", 0.2))}
    # The leaders beyond both teams: the three figures, the leadership first.
    groups = three_groups(1.0, 0.5, 0.0)
    assert results.disputed(groups, EVERY_GROUP) == {
        "a.x": (("leadership", 1.0), ("marketing", 0.5), ("sales", 0.0))
    }
    # What the viewer may not see is disputed for nobody; a stage is never "disputed".
    assert results.disputed(groups, {"marketing", "leadership"}) == {}
    assert results.disputed(groups, {"marketing", "sales"}) == {
        "a.x": (("marketing", 0.5), ("sales", 0.0))
    }
    assert results.disputed({}, EVERY_GROUP) == {}


@pytest.mark.parametrize(
    "figures, english, spanish",
    [
        (
            (("marketing", 1.0), ("sales", 0.2)),
            "disputed: marketing 100%, sales 20%",
            "en disputa: marketing 100%, ventas 20%",
        ),
        (
            (("leadership", 0.9999), ("marketing", 0.3333), ("sales", 0.0)),
            "disputed: leadership 99%, marketing 33%, sales 0%",
            "en disputa: dirección 99%, marketing 33%, ventas 0%",
        ),
    ],
)
def test_a_dispute_reads_each_sides_figure_in_both_languages(figures, english, spanish):
    dispute = results.Dispute(indicator("a.x", "X"), figures)
    for language, expected in [("en", english), ("es", spanish)]:
        with translation.override(language):
            assert str(dispute) == expected


def test_a_change_of_a_disputed_indicator_says_its_mean_is_nobodys():
    dispute = results.Dispute(indicator("a.x", "X"), (("marketing", 1.0), ("sales", 0.2)))
    change = Change(SimpleNamespace(text="X"), 0.2, 0.6, dispute)
    with translation.override("en"):
        assert change.sentence == (
            "“X” improved from 20% to 60% (+40 points). "
            "In the later round it is disputed: marketing 100%, sales 20%."
        )
    with translation.override("es"):
        assert change.sentence.endswith(
            "En la ronda posterior está en disputa: marketing 100%, ventas 20%."
        )


@pytest.mark.parametrize(
    "leadership, english, spanish",
    [
        (
            1.0,
            "The leadership sees 2 stages or indicators as further along than both marketing "
            "and sales do, by 50 points or more. The leaders' optimism is itself the finding",
            "La dirección ve 2 etapas o indicadores más avanzados de lo que los ven marketing y "
            "ventas, con 50 puntos o más de diferencia. El optimismo de la dirección es en sí el "
            "hallazgo",
        ),
        (
            0.0,
            "The leadership sees 2 stages or indicators as less far along than both marketing "
            "and sales do, by 50 points or more. The leaders' doubt is itself the finding",
            "La dirección ve 2 etapas o indicadores menos avanzados de lo que los ven marketing y "
            "ventas, con 50 puntos o más de diferencia. Las dudas de la dirección son en sí el "
            "hallazgo",
        ),
    ],
)
def test_the_leadership_gap_names_the_leaders_optimism_or_doubt(leadership, english, spanish):
    teams = 0.5 if leadership == 1.0 else 0.6667
    groups = three_groups(leadership, teams, teams, stage=(leadership, teams, teams))
    subjects = results.role_gaps(groups, EVERY_GROUP).leadership
    assert subjects == ("2", "a.x")
    for language, expected in [("en", english), ("es", spanish)]:
        with translation.override(language):
            code, label, text = results.leadership_gap_flag(groups, subjects)
        assert code == "leadership-gap" and text.startswith(expected)


def test_the_leadership_gap_text_of_an_indicator_says_each_sides_view():
    lead = indicator("a.x", "Lead definition")
    lead.text = "Marketing and sales agreed on a lead definition."
    with translation.override("en"):
        text = results.leadership_gap_text(lead, 1.0, 0.3333, 0.0)
    assert text == (
        "On “Marketing and sales agreed on a lead definition.”, the leadership sees it as in "
        "place (100%), while marketing sees it as partly in place (33%) and sales sees it as "
        "missing (0%). The leaders count on a practice the teams do not see at work: find out "
        "what keeps it from reaching them before building on it."
    )
    with translation.override("es"):
        text = results.leadership_gap_text(lead, 0.0, 0.6667, 1.0)
    assert "la dirección lo ve sin implantar (0%)" in text
    assert text.endswith(
        "Los equipos cuentan con una práctica que la dirección no ve funcionar: pregunten a la "
        "dirección qué echa en falta antes de apoyarse en ella."
    )


def test_the_lower_bound_names_what_nobody_knew_with_the_languages_quotes():
    summary = results.Summary(
        stage=None,
        next_stage=None,
        reading=reading_at("1.0000", 1, ["not-measured"]),
        indicator_groups=[],
        attainment_rows=[],
        weakest=[],
        flags=[],
        to_answer=[],
        unknown_named=[indicator("a.b", "Lead definition"), indicator("a.c", "Leaders' meetings")],
    )
    with translation.override("en"):
        assert summary.unknown_named_text == "“Lead definition” and “Leaders' meetings”"
    with translation.override("es"):
        assert summary.unknown_named_text == "«Lead definition» y «Leaders' meetings»"


DASHBOARD = question(
    12,
    "Where do the two teams look to see how revenue is doing?",
    1.5,
    "operational.shared-dashboard",
    [
        (0.0, "Own reports."),
        (0.3333, "Shared now and then."),
        (0.6667, "A common report."),
        (1.0, "One scorecard."),
    ],
)


def test_a_later_practice_over_a_missing_foundation_quotes_the_answer_behind_it():
    dashboard = indicator("operational.shared-dashboard", "Shared dashboard", named=True)
    groups = [
        stage_content(2, "Strategic alignment", [(indicator("s.a", "A"), 0.2)]),
        stage_content(3, "Operational alignment", [(dashboard, 1.0), (indicator("o.b", "B"), 0.0)]),
        stage_content(4, "Functional alignment", [(indicator("f.a", "C"), 0.0)]),
    ]
    stages = {stage.number: stage for stage, _ in groups}
    scored = SimpleNamespace(flags=["foundation-gap"], stage=1)
    quotes = results.answer_quotes([chose(DASHBOARD, 3)])
    with translation.override("en"):
        [(_, _, text)] = results.explain_flags(
            scored, {2: 0.2, 3: 0.5, 4: 0.0}, groups, stages, quotes
        )
    assert text == (
        "To “Where do the two teams look to see how revenue is doing?” you answered “One "
        "scorecard”. “Shared dashboard” reads as established (100%), but stage 2, “Strategic "
        "alignment” (20%), which it depends on, is not reached. The stages build on each other: "
        "without the earlier one underneath, this practice will not hold. Strengthen the earlier "
        "stage first."
    )
