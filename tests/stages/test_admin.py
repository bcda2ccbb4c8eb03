import pytest
from django.urls import reverse

from stages.models import Indicator, NextStep, Stage

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_cannot_reach_the_admin(client):
    response = client.get(reverse("admin:stages_stage_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_superuser_edits_a_stage_in_both_languages(admin_client):
    stage = Stage.objects.get(slug="strategic")
    url = reverse("admin:stages_stage_change", args=[stage.pk])
    before = admin_client.get(reverse("stages:continuum")).text  # now cached
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="name_es"' in page.text

    data = {
        "number": 2,
        "slug": "strategic",
        "colour": stage.colour,
        "name_en": "Strategic alignment (edited)",
        "name_es": "Alineación estratégica (editada)",
        "summary_en": stage.summary_en,
        "summary_es": stage.summary_es,
        "description_en": stage.description_en,
        "description_es": stage.description_es,
    }
    data.update(inline_management_data(page.context["inline_admin_formsets"]))
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    stage.refresh_from_db()
    assert stage.name_en == "Strategic alignment (edited)"
    assert stage.name_es == "Alineación estratégica (editada)"
    # The editor sees the edit on the public pages at once, not after the cache expires.
    assert "(edited)" not in before
    assert "Strategic alignment (edited)" in admin_client.get(reverse("stages:continuum")).text


def inline_management_data(inline_admin_formsets):
    """Post the inlines back unchanged, as the browser would."""
    data = {}
    for inline in inline_admin_formsets:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.forms:
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if value is None:
                    continue
                data[form.add_prefix(name)] = getattr(value, "pk", value)
    return data


@pytest.fixture
def answered(round):
    """A submitted response in a round, so every indicator of the active version is answered."""
    from tests.helpers import highest, submit_response

    return submit_response(round, "marketing", highest)


def indicator_form_data(indicator, **changes):
    data = {
        "stage": indicator.stage_id,
        "key": indicator.key,
        "name_en": indicator.name_en,
        "name_es": indicator.name_es,
        "text_en": indicator.text_en,
        "text_es": indicator.text_es,
        "action_en": indicator.action_en,
        "action_es": indicator.action_es,
        "order": indicator.order,
    }
    return {**data, **changes}


def test_an_answered_indicators_key_cannot_change(admin_client, answered):
    indicator = Indicator.objects.get(key="strategic.lead-definition")
    url = reverse("admin:stages_indicator_change", args=[indicator.pk])
    page = admin_client.get(url)
    assert 'name="key"' not in page.text  # shown read-only
    response = admin_client.post(
        url, indicator_form_data(indicator, key="strategic.renamed", text_en="Edited text")
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.key, indicator.text_en) == ("strategic.lead-definition", "Edited text")


def test_an_answered_indicators_key_cannot_change_from_its_stage_either(admin_client, answered):
    stage = Stage.objects.get(slug="strategic")
    url = reverse("admin:stages_stage_change", args=[stage.pk])
    page = admin_client.get(url)
    data = stage_form_data(stage) | inline_management_data(page.context["inline_admin_formsets"])
    prefix = next(key for key, value in data.items() if value == "strategic.lead-definition")
    data[prefix] = "strategic.renamed"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "so its key cannot change any more" in response.text
    assert Indicator.objects.filter(key="strategic.lead-definition").exists()


def test_an_unused_indicators_key_can_still_change(admin_client, answered):
    indicator = Indicator.objects.get(key="silo.no-collaboration")
    url = reverse("admin:stages_indicator_change", args=[indicator.pk])
    response = admin_client.post(url, indicator_form_data(indicator, key="silo.no-teamwork"))
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.key == "silo.no-teamwork"


def test_deleting_an_indicator_that_questions_use_is_refused(admin_client, answered):
    indicator = Indicator.objects.get(key="functional.revenue-leader")
    url = reverse("admin:stages_indicator_delete", args=[indicator.pk])
    page = admin_client.get(url)
    assert "would require deleting the following protected related objects" in page.text
    assert "Who do marketing and sales report to?" in page.text
    admin_client.post(url, {"post": "yes"})
    assert Indicator.objects.filter(pk=indicator.pk).exists()


def test_deleting_a_step_that_a_plan_uses_is_refused_and_the_plan_stays(admin_client, answered):
    from assessments.models import PlanItem

    step = NextStep.objects.filter(stage__number=1).first()
    item = PlanItem.objects.create(round=answered.round, step=step)
    stage = step.stage
    url = reverse("admin:stages_stage_change", args=[stage.pk])
    page = admin_client.get(url)
    data = stage_form_data(stage) | inline_management_data(page.context["inline_admin_formsets"])
    prefix = next(
        key
        for key, value in data.items()
        if key.startswith("next_steps-") and key.endswith("-id") and value == step.pk
    )
    data[prefix.removesuffix("-id") + "-DELETE"] = "on"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in response.text
    assert "Plan of Org of ana@acme.example after the round of" in response.text
    assert NextStep.objects.filter(pk=step.pk).exists()
    assert PlanItem.objects.filter(pk=item.pk, step=step).exists()


def test_a_stage_is_never_deleted_and_the_page_says_why(admin_client, answered):
    stage = Stage.objects.get(slug="silo")
    url = reverse("admin:stages_stage_delete", args=[stage.pk])
    page = admin_client.get(url)
    assert "is one of the four stages every result is placed on" in page.text
    admin_client.post(url, {"post": "yes"})
    assert Stage.objects.filter(pk=stage.pk).exists()


def stage_form_data(stage):
    return {
        "number": stage.number,
        "slug": stage.slug,
        "colour": stage.colour,
        "name_en": stage.name_en,
        "name_es": stage.name_es,
        "summary_en": stage.summary_en,
        "summary_es": stage.summary_es,
        "description_en": stage.description_en,
        "description_es": stage.description_es,
    }


def test_what_makes_a_stage_is_marked_in_the_admin_and_fixed_once_answered(admin_client, answered):
    changelist = admin_client.get(
        reverse("admin:stages_indicator_changelist") + "?defines_stage__exact=1"
    )
    assert changelist.status_code == 200
    assert "5 key indicators" in changelist.text
    indicator = Indicator.objects.get(key="strategic.lead-definition")
    url = reverse("admin:stages_indicator_change", args=[indicator.pk])
    page = admin_client.get(url)
    assert "Defines its stage" in page.text and 'name="defines_stage"' not in page.text
    # Stored positions were placed with it: a post cannot change it.
    response = admin_client.post(url, indicator_form_data(indicator, defines_stage="False"))
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.defines_stage


def test_what_makes_a_stage_cannot_change_from_its_stage_once_answered(admin_client, answered):
    stage = Stage.objects.get(slug="strategic")
    url = reverse("admin:stages_stage_change", args=[stage.pk])
    page = admin_client.get(url)
    data = stage_form_data(stage) | inline_management_data(page.context["inline_admin_formsets"])
    key = next(key for key, value in data.items() if value == "strategic.lead-definition")
    data[key.removesuffix("key") + "defines_stage"] = ""
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Stored results were placed on the continuum with this setting" in response.text
    assert Indicator.objects.get(key="strategic.lead-definition").defines_stage


def test_an_unused_indicator_can_be_marked_as_defining_its_stage(admin_client, answered):
    indicator = Indicator.objects.get(key="silo.no-collaboration")
    url = reverse("admin:stages_indicator_change", args=[indicator.pk])
    assert 'name="defines_stage"' in admin_client.get(url).text
    response = admin_client.post(url, indicator_form_data(indicator, defines_stage="on"))
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.defines_stage
