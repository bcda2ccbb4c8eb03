"""The benchmark's pure rules: which peer groups may show, percentiles, stage counts."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.benchmark import (
    ALL,
    INDUSTRY,
    INDUSTRY_SIZE,
    SIZE,
    GroupKey,
    atoms,
    chain,
    contributor_blocks,
    contributors,
    distribution,
    group_size,
    percentile_rank,
    shown_group_of,
    shown_groups,
    stage_counts,
)

INDUSTRIES = ["software", "finance", "retail", ""]
SIZES = ["1-10", "11-50", "51-250", ""]

cells_strategy = st.dictionaries(
    st.tuples(st.sampled_from(INDUSTRIES), st.sampled_from(SIZES)),
    st.integers(min_value=0, max_value=12),
    max_size=16,
)


def members(key, cells):
    """The group as a vector over the cells (how many organizations of each it holds)."""
    return {cell: (count if key.contains(*cell) else 0) for cell, count in cells.items()}


def test_nothing_shows_below_the_minimum():
    assert shown_groups({("software", "1-10"): 4}, 5) == set()


def test_the_whole_benchmark_shows_from_the_minimum():
    assert shown_groups({("software", "1-10"): 3, ("finance", "1-10"): 2}, 5) == {
        GroupKey(ALL),
        GroupKey(SIZE, size="1-10"),  # the same five organizations as ALL
    }


def test_a_group_one_short_of_the_whole_is_suppressed():
    # Software has 6 of 7: all minus software would be the one finance organization.
    shown = shown_groups({("software", "1-10"): 6, ("finance", "1-10"): 1}, 5)
    assert GroupKey(INDUSTRY, industry="software") not in shown
    assert GroupKey(ALL) in shown


def test_industry_and_size_suppressed_when_it_differs_from_industry_by_fewer_than_minimum():
    cells = {("software", "1-10"): 7, ("software", "11-50"): 3, ("finance", "1-10"): 6}
    shown = shown_groups(cells, 5)
    assert GroupKey(INDUSTRY, industry="software") in shown
    assert GroupKey(INDUSTRY_SIZE, "software", "1-10") not in shown
    # The software organization of 11-50 falls back to its industry.
    assert shown_group_of("software", "11-50", shown) == GroupKey(INDUSTRY, industry="software")


def test_crossing_groups_cannot_be_combined():
    # industry + size - all = (software∩small) - (finance∩large): two organizations.
    cells = {
        ("software", "1-10"): 1,
        ("software", "11-50"): 9,
        ("finance", "1-10"): 9,
        ("finance", "11-50"): 1,
    }
    shown = shown_groups(cells, 5)
    assert GroupKey(INDUSTRY, industry="software") in shown
    assert GroupKey(SIZE, size="1-10") not in shown


def test_every_group_shows_when_every_cell_is_large():
    cells = {(i, s): 20 for i in INDUSTRIES[:3] for s in SIZES[:3]}
    shown = shown_groups(cells, 5)
    assert len(shown) == 1 + 3 + 3 + 9


def test_chain_runs_from_narrowest_to_widest():
    assert [k.kind for k in chain("software", "1-10")] == [INDUSTRY_SIZE, INDUSTRY, SIZE, ALL]
    assert [k.kind for k in chain("", "1-10")] == [SIZE, ALL]
    assert [k.kind for k in chain("", "")] == [ALL]


@settings(max_examples=300, deadline=None)
@given(cells_strategy, st.integers(min_value=2, max_value=8))
def test_no_part_of_the_shown_groups_is_smaller_than_the_minimum(cells, minimum):
    shown = shown_groups(cells, minimum)
    for count in atoms(shown, cells).values() if shown else ():
        assert count == 0 or count >= minimum
    for key in shown:
        assert group_size(key, cells) >= minimum
    assert (GroupKey(ALL) in shown) == (sum(cells.values()) >= minimum)


@settings(max_examples=300, deadline=None)
@given(cells_strategy, st.integers(min_value=2, max_value=8))
def test_two_shown_groups_are_the_same_or_differ_by_at_least_the_minimum(cells, minimum):
    shown = sorted(shown_groups(cells, minimum))
    for a, b in itertools.combinations(shown, 2):
        va, vb = members(a, cells), members(b, cells)
        differ = sum(abs(va[c] - vb[c]) for c in cells)
        assert differ == 0 or differ >= minimum, (a, b)


@settings(max_examples=150, deadline=None)
@given(cells_strategy, st.integers(min_value=2, max_value=6))
def test_attack_no_combination_of_shown_groups_isolates_fewer_than_the_minimum(cells, minimum):
    """Add and subtract the shown groups' figures every way (coefficients -1, 0, 1).

    Group figures that add up (counts per stage, sums of positions) follow the
    same combination, so any combination that leaves 1 to minimum - 1
    organizations would expose them. None may exist.
    """
    shown = sorted(shown_groups(cells, minimum))[:7]
    vectors = [{cell: int(key.contains(*cell)) for cell in cells} for key in shown]
    for coefficients in itertools.product((-1, 0, 1), repeat=len(vectors)):
        combined = {
            cell: sum(c * v[cell] for c, v in zip(coefficients, vectors, strict=True))
            for cell in cells
        }
        isolated = sum(cells[cell] for cell, weight in combined.items() if weight)
        assert isolated == 0 or isolated >= minimum, (coefficients, shown)


@given(st.lists(st.floats(min_value=1, max_value=4), min_size=1, max_size=50), st.data())
def test_percentile_rank_stays_in_bounds_and_grows_with_the_value(values, data):
    ordered = sorted(values)
    a, b = sorted(data.draw(st.lists(st.sampled_from(ordered), min_size=2, max_size=2)))
    assert 0 <= percentile_rank(ordered, a) <= percentile_rank(ordered, b) <= 100


@pytest.mark.parametrize(
    ("values", "value", "expected"),
    [
        ([1, 2, 3, 4, 5], 1, 10),  # nobody below, itself counted half
        ([1, 2, 3, 4, 5], 3, 50),
        ([1, 2, 3, 4, 5], 5, 90),
        ([2, 2, 2, 2, 2], 2, 50),  # all tied: the middle
    ],
)
def test_percentile_rank(values, value, expected):
    assert percentile_rank(values, value) == expected


def test_a_group_of_the_minimum_publishes_only_its_mean():
    grid = distribution([1, 2, 3, 4, 5], minimum=5)
    assert grid == {"10": 3.0, "25": 3.0, "50": 3.0, "75": 3.0, "90": 3.0}


def test_percentiles_are_means_of_blocks_of_at_least_the_minimum():
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    grid = distribution(values, minimum=5)
    # Two blocks: the lower six and the upper five.
    assert grid == {"10": 3.5, "25": 3.5, "50": 3.5, "75": 9.0, "90": 9.0}


@settings(max_examples=200)
@given(
    st.lists(st.floats(min_value=1, max_value=4), min_size=5, max_size=60),
    st.integers(min_value=2, max_value=8),
)
def test_no_published_percentile_rests_on_fewer_than_the_minimum(values, minimum):
    from assessments.benchmark import blocks

    if len(values) < minimum:
        return
    cuts = blocks(len(values), minimum)
    assert sum(len(cut) for cut in cuts) == len(values)
    assert all(minimum <= len(cut) < 2 * minimum for cut in cuts)
    ordered = sorted(values)
    means = {round(sum(ordered[i] for i in cut) / len(cut), 4) for cut in cuts}
    assert set(distribution(values, minimum=minimum).values()) <= means


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({1: 10, 2: 6, 3: 7, 4: 5}, {1: 10, 2: 6, 3: 7, 4: 5}),
        ({1: 10, 2: 1, 3: 0, 4: 7}, {1: 10, 2: None, 3: None, 4: 7}),
        # One hidden stage alone would be the total minus the others: the smallest hides too.
        ({1: 10, 2: 1, 3: 6, 4: 7}, {1: 10, 2: None, 3: None, 4: 7}),
    ],
)
def test_stage_counts_hide_small_counts_and_their_complement(counts, expected):
    assert stage_counts(counts, 5) == expected


@given(st.dictionaries(st.sampled_from([1, 2, 3, 4]), st.integers(0, 30), min_size=4, max_size=4))
def test_a_hidden_stage_count_can_never_be_worked_out_from_the_total(counts):
    shown = stage_counts(counts, 5)
    hidden = [s for s, n in shown.items() if n is None]
    assert len(hidden) != 1
    assert all(n is None or n >= 5 for n in shown.values())


# Independent contributors: organizations that share a member or a creator count as one


def test_organizations_sharing_a_member_or_a_creator_are_one_contributor():
    links = [
        (1, ("member", "eve")),
        (2, ("member", "eve")),
        (3, ("creator", "eve")),
        (2, ("creator", "eve")),
        (4, ("member", "ann")),
        (5, ("member", "bob")),
    ]
    found = contributors([1, 2, 3, 4, 5, 6], links)
    assert found[1] == found[2] == found[3]
    assert len({found[4], found[5], found[6], found[1]}) == 4


def test_a_group_counts_contributors_not_organizations():
    # One person's five organizations and one real peer: two contributors.
    cells = {("software", "11-50"): {"eve", "vera"}}
    assert shown_groups(cells, 5) == set()
    # Seven independent organizations, two of them one person's: six contributors.
    cells = {("software", "11-50"): {"a", "b", "c", "d", "eve"}, ("finance", "1-10"): {"eve"}}
    assert group_size(GroupKey(ALL), cells) == 5
    assert GroupKey(ALL) in shown_groups(cells, 5)
    # A contributor in two parts counts in each: finance holds one, so it is not shown.
    assert GroupKey(INDUSTRY, industry="software") not in shown_groups(cells, 5)


def test_a_block_of_percentiles_holds_the_minimum_of_contributors():
    # Ten organizations, the lowest four one person's: one block of ten, not two of five.
    values = [1.0, 1.0, 1.0, 1.0, 2.2, 2.5, 2.8, 3.0, 3.3, 3.6]
    owners = ["eve"] * 4 + ["a", "b", "c", "d", "e", "f"]
    assert contributor_blocks(sorted(owners, key=owners.index), 5) == [range(10)]
    grid = distribution(values, minimum=5, contributors=owners)
    assert set(grid.values()) == {round(sum(values) / 10, 4)}
    # Independent, they are two blocks of five, as before.
    assert distribution(values, minimum=5) == {
        "10": 1.24, "25": 1.24, "50": 1.24, "75": 3.04, "90": 3.04
    }  # fmt: skip


def test_a_stage_count_shows_only_with_the_minimum_of_contributors():
    assert stage_counts({1: 6, 2: 5, 3: 5, 4: 5}, 5, {1: 1, 2: 5, 3: 5, 4: 5}) == {
        1: None, 2: None, 3: 5, 4: 5
    }  # fmt: skip


owners_strategy = st.lists(
    st.tuples(st.floats(min_value=1, max_value=4), st.integers(0, 9)), min_size=5, max_size=40
)


@settings(max_examples=200, deadline=None)
@given(owners_strategy, st.integers(min_value=2, max_value=6))
def test_every_block_holds_the_minimum_of_contributors(pairs, minimum):
    owners = [owner for _value, owner in pairs]
    if len(set(owners)) < minimum:
        return
    cuts = contributor_blocks(owners, minimum)
    assert sum(len(cut) for cut in cuts) == len(owners)
    assert all(len({owners[i] for i in cut}) >= minimum for cut in cuts)


contributor_cells = st.dictionaries(
    st.tuples(st.sampled_from(INDUSTRIES), st.sampled_from(SIZES)),
    st.frozensets(st.integers(0, 15), max_size=10),
    max_size=16,
)


@settings(max_examples=200, deadline=None)
@given(contributor_cells, st.integers(min_value=2, max_value=6))
def test_no_part_of_the_shown_groups_holds_fewer_than_the_minimum_of_contributors(cells, minimum):
    shown = shown_groups(cells, minimum)
    for count in atoms(shown, cells).values() if shown else ():
        assert count == 0 or count >= minimum
    for key in shown:
        assert group_size(key, cells) >= minimum
