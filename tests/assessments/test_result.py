import json
import re

import pytest
from django.urls import reverse

from assessments.models import Response
from tests.conftest import answer_all, highest, lowest
from tests.helpers import private_path

pytestmark = pytest.mark.django_db


def result_url(response):
    return reverse("assessments:result", args=[response.token])


def chart_data(page, element_id):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', page.text, re.S
    )
    return json.loads(match.group(1))


def by_indicator(mapping):
    """pick() that chooses the option at index mapping[indicator key] (default lowest)."""

    def pick(question):
        index = mapping.get(question.indicator.key, 0)
        return None if index is None else list(question.options.all())[index]

    return pick


def test_least_aligned_everywhere_is_one_point_zero_siloed(client, new_response):
    answer_all(client, new_response, pick=lowest)
    page = client.get(result_url(new_response))
    assert page.status_code == 200
    assert '<span class="position">1.0</span>' in page.text
    assert "Siloed functions" in page.text
    assert "0% of the way to Strategic alignment" in page.text


def test_most_aligned_everywhere_is_four_point_zero_functional(client, new_response):
    answer_all(client, new_response, pick=highest)
    page = client.get(result_url(new_response))
    assert '<span class="position">4.0</span>' in page.text
    assert "— Functional alignment" in page.text
    assert "The end of the continuum" in page.text


def test_headline_gives_position_stage_and_share_of_the_way(client, new_response):
    # Stage 2 fully in place, stage 3 at 1/3 on every question: 1/3 / 0.75 = 44% of stage 3.
    answer_all(
        client,
        new_response,
        pick=lambda q: list(q.options.all())[{2: 3, 3: 1}.get(q.indicator.stage.number, 0)],
    )
    new_response.refresh_from_db()
    assert new_response.stage == 2
    page = client.get(result_url(new_response))
    assert '<span class="position">2.4</span>' in page.text
    assert "— Strategic alignment" in page.text
    assert "44% of the way to Operational alignment" in page.text


def test_charts_are_shipped_as_json_with_the_position_and_threshold(client, new_response):
    answer_all(client, new_response, pick=highest)
    page = client.get(result_url(new_response))
    position = chart_data(page, "position-chart-data")
    assert position["data"][0]["x"] == [4.0]
    assert len(position["layout"]["shapes"]) == 4
    attainment = chart_data(page, "attainment-chart-data")
    assert attainment["data"][0]["y"] == [100, 100, 100]
    assert attainment["layout"]["shapes"][0]["y0"] == 75
    assert "plotly-basic.min.js" in page.text
    assert "<script>" not in page.text  # no inline script: the CSP forbids it


def test_text_equivalents_state_the_figures(client, new_response):
    answer_all(client, new_response, pick=lowest)
    page = client.get(result_url(new_response))
    assert "Your position is 1.0" in page.text
    assert re.search(r"Strategic alignment</th>\s*<td[^>]*>0%</td>", page.text)


def test_indicator_statuses_and_weakest_actions(client, new_response):
    answer_all(
        client,
        new_response,
        pick=by_indicator(
            {
                "strategic.shared-priority": 3,
                "strategic.lead-definition": 2,
                "strategic.joint-audience": None,
            }
        ),
    )
    page = client.get(result_url(new_response))
    text = page.text
    assert (
        "In place" in text
        and "Partly in place" in text
        and "Missing" in text
        and "Not known" in text
    )
    weakest = text.split("three weakest points")[1].split("</ol>")[0]
    assert weakest.count("<li") == 3
    # Ties are broken by stage: the weakest of stage 2 comes first.
    assert "recurring CMO–CSO alignment meeting" in weakest


def test_foundation_gap_is_explained(client, new_response):
    answer_all(
        client,
        new_response,
        pick=by_indicator({"functional.revenue-leader": 3, "functional.structure-in-place": 1}),
    )
    new_response.refresh_from_db()
    assert "foundation-gap" in new_response.flags
    page = client.get(result_url(new_response))
    assert "org chart without the structure" in page.text


def test_dont_know_lowers_coverage_not_position(client, new_response):
    answer_all(client, new_response, pick=by_indicator({"functional.revenue-leader": None}))
    new_response.refresh_from_db()
    assert new_response.coverage < 1
    assert float(new_response.position) == 1.0
    page = client.get(result_url(new_response))
    assert f"Coverage {new_response.coverage_percent}%" in page.text


def test_result_is_stored_once_and_not_recomputed(client, new_response):
    answer_all(client, new_response, pick=lowest)
    Response.objects.filter(pk=new_response.pk).update(position="2.5000", stage=2)
    page = client.get(result_url(new_response))
    assert '<span class="position">2.5</span>' in page.text


def test_result_before_submitting_redirects_to_the_questionnaire(client, new_response):
    response = client.get(result_url(new_response))
    assert response.status_code == 302
    assert response.url == private_path(new_response.token)


def test_result_in_spanish(client, new_response):
    answer_all(client, new_response, pick=highest)
    page = client.get(result_url(new_response), HTTP_ACCEPT_LANGUAGE="es")
    assert "Alineación funcional" in page.text
    assert "Dónde está" in page.text


def test_results_page_query_count(client, new_response, django_assert_num_queries):
    answer_all(client, new_response, pick=lowest)
    # response, stages, indicators, next steps; the shared cache: a miss, then
    # storing the body (count, savepoint, look-up, insert, release)
    with django_assert_num_queries(10):
        assert client.get(result_url(new_response)).status_code == 200


def test_weakest_points_start_with_the_stage_being_climbed(client, new_response):
    # Stage 2 reached, stage 3 partly, stage 4 at zero: stage 3 comes before stage 4.
    answer_all(
        client,
        new_response,
        pick=lambda q: list(q.options.all())[{2: 3, 3: 2}.get(q.indicator.stage.number, 0)],
    )
    page = client.get(result_url(new_response))
    weakest = page.text.split("three weakest points")[1].split("</ol>")[0]
    assert "revenue scorecard" in weakest and "monthly revenue council" in weakest
    assert "Map the revenue process" in weakest
    assert "CRO or CCO" not in weakest


def test_a_result_seen_again_is_served_from_the_cache(
    client, new_response, django_assert_num_queries
):
    answer_all(client, new_response, pick=lowest)

    def without_csrf(page):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.text)

    first = without_csrf(client.get(result_url(new_response)))
    with django_assert_num_queries(2):  # the response itself, the body from the shared cache
        again = without_csrf(client.get(result_url(new_response)))
    assert again == first
    spanish = client.get(result_url(new_response), HTTP_ACCEPT_LANGUAGE="es").text
    assert "Funciones en silo" in spanish and "Siloed functions" not in spanish
