import pytest
from django.urls import reverse

from stages.models import Stage

pytestmark = pytest.mark.django_db


def test_home_explains_and_offers_to_start(client):
    response = client.get(reverse("stages:home"))
    assert response.status_code == 200
    assert reverse("assessments:start") in response.text
    assert "Start the assessment" in response.text


def test_continuum_shows_every_stage_indicator_and_step_in_order(client, django_assert_num_queries):
    with django_assert_num_queries(3):  # the first visit builds the cached content
        response = client.get(reverse("stages:continuum"))
    text = response.text
    slugs = Stage.objects.values_list("slug", flat=True)
    positions = [text.index(f'id="stage-{slug}"') for slug in slugs]
    assert positions == sorted(positions)
    for stage in Stage.objects.with_content():
        for indicator in stage.indicators.all():
            assert indicator.text_en in text
        for step in stage.next_steps.all():
            assert step.text_en in text


def test_continuum_in_spanish_from_accept_language(client):
    response = client.get(reverse("stages:continuum"), HTTP_ACCEPT_LANGUAGE="es")
    assert 'lang="es"' in response.text
    assert "Alineación operativa" in response.text
    for stage in Stage.objects.with_content():
        assert stage.description_es in response.text


def test_the_header_offers_the_other_language_in_one_click(client):
    page = client.get(reverse("stages:continuum"))
    switch = page.text[page.text.index('class="language-switch') :]
    switch = switch[: switch.index("</form>")]
    assert 'name="next" type="hidden" value="/continuum/"' in switch
    assert (
        '<button type="submit" name="language" value="es" lang="es" '
        'class="btn btn-sm btn-outline-dark">Español</button>'
    ) in switch
    assert "<select" not in switch and 'value="en"' not in switch
    response = client.post(reverse("set_language"), {"language": "es", "next": "/continuum/"})
    assert response.url == "/continuum/"
    page = client.get(response.url)
    assert 'value="en" lang="en" class="btn btn-sm btn-outline-dark">English</button>' in page.text


def test_language_choice_is_remembered(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/continuum/"})
    assert response.status_code == 302
    response = client.get(reverse("stages:continuum"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Funciones en silo" in response.text
    assert "El continuo" in response.text


@pytest.mark.parametrize("slug", ["silo", "strategic", "operational", "functional"])
def test_stage_page_shows_its_content(client, slug):
    stage = Stage.objects.get(slug=slug)
    response = client.get(stage.get_absolute_url())
    assert response.status_code == 200
    assert stage.name_en in response.text
    assert stage.description_en in response.text
    for indicator in stage.indicators.all():
        assert indicator.text_en in response.text


def test_stage_page_in_spanish(spanish):
    stage = Stage.objects.get(slug="functional")
    response = spanish.get(stage.get_absolute_url())
    assert stage.name_es in response.text
    assert stage.indicators.first().text_es in response.text


def test_unknown_stage_is_a_404_in_the_sites_look(client):
    response = client.get("/continuum/no-such-stage/")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Smarketing" in response.text


def section(text, stage):
    return text.split(f'id="stage-{stage.slug}"')[1].split("</section>")[0]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_continuum_says_what_makes_each_stage(client, language):
    heading = {"en": "What makes this stage", "es": "Lo que define esta etapa"}[language]
    text = client.get(reverse("stages:continuum"), HTTP_ACCEPT_LANGUAGE=language).text
    for stage in Stage.objects.with_content():
        own = section(text, stage)
        named = [i for i in stage.indicators.all() if i.defines_stage]
        if stage.slug == "silo":
            assert not named and heading not in own
            continue
        assert heading in own
        listed = own.split(heading)[1].split("</ul>")[0]
        for indicator in stage.indicators.all():
            shown = getattr(indicator, f"text_{language}") in listed
            assert shown is indicator.defines_stage, indicator.key
    named = {i.key for i in Stage.objects.get(slug="strategic").defining_indicators}
    assert named == {"strategic.lead-definition", "strategic.leadership-meetings"}


def test_a_stage_page_says_what_makes_it(spanish):
    stage = Stage.objects.get(slug="functional")
    text = spanish.get(stage.get_absolute_url()).text
    listed = text.split("Lo que define esta etapa")[1].split("</ul>")[0]
    assert "al frente de marketing y de ventas" in listed  # not "director comercial"
    assert "director comercial" not in text


@pytest.mark.parametrize("name", ["stages:home", "stages:continuum"])
def test_a_public_page_read_again_costs_no_query(client, django_assert_num_queries, name):
    client.get(reverse(name))
    with django_assert_num_queries(0):
        response = client.get(reverse(name))
    assert Stage.objects.get(number=2).name_en in response.text


def test_a_stage_page_read_again_costs_one_query(client, django_assert_num_queries):
    stage = Stage.objects.get(number=3)
    client.get(stage.get_absolute_url())
    with django_assert_num_queries(1):
        response = client.get(stage.get_absolute_url())
    assert stage.description_en in response.text
    assert Stage.objects.get(number=2).name_en in response.text  # the way back
    assert Stage.objects.get(number=4).name_en in response.text  # the way on


def test_the_cached_pages_keep_each_language_apart(client):
    english = client.get(reverse("stages:continuum"), headers={"accept-language": "en"})
    spanish = client.get(reverse("stages:continuum"), headers={"accept-language": "es"})
    stage = Stage.objects.get(number=2)
    assert stage.name_en in english.text and stage.name_es not in english.text
    assert stage.name_es in spanish.text


def test_a_signed_in_visitor_gets_their_own_home_page(client, leader):
    anonymous = client.get(reverse("stages:home")).text
    client.force_login(leader)
    signed_in = client.get(reverse("stages:home")).text
    assert "Start the assessment" in anonymous and "Go to your work" not in anonymous
    assert "Go to your work" in signed_in
