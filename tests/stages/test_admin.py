import pytest
from django.urls import reverse

from stages.models import Stage

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_cannot_reach_the_admin(client):
    response = client.get(reverse("admin:stages_stage_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_superuser_edits_a_stage_in_both_languages(admin_client):
    stage = Stage.objects.get(slug="strategic")
    url = reverse("admin:stages_stage_change", args=[stage.pk])
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
