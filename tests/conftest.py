import pytest


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw-for-tests")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def spanish(client):
    client.cookies["django_language"] = "es"
    return client


@pytest.fixture
def questionnaire(db):
    from assessments.models import Questionnaire

    return Questionnaire.objects.active()


@pytest.fixture
def new_response(questionnaire):
    from assessments.models import Response

    return Response.objects.create(
        questionnaire=questionnaire, organization_name="Acme", role=Response.Role.MARKETING
    )


def page_data(section, pick, **extra):
    """POST data answering every question of a page; pick(question) returns an option or None."""
    data = {}
    for question in section.questions.all():
        option = pick(question)
        data[question.field_name] = "dont-know" if option is None else str(option.pk)
    return {**data, **extra}


def lowest(question):
    return question.options.all()[0]


def highest(question):
    return list(question.options.all())[-1]


def answer_all(client, response, pick=highest):
    """Answer every page through the views; return the last HTTP response."""
    from django.urls import reverse

    for number, section in enumerate(response.questionnaire.pages(), start=1):
        url = reverse("assessments:page", args=[response.token, number])
        last = client.post(url, page_data(section, pick, next="1"))
        assert last.status_code == 302, last.content
    return last
