import hashlib

import pytest
from django.core import mail
from django.urls import reverse

from assessments.models import Response
from tests.helpers import private_token

pytestmark = pytest.mark.django_db


def test_start_page_asks_for_organization_and_role(client):
    response = client.get(reverse("assessments:start"))
    assert response.status_code == 200
    for role in Response.Role:
        assert str(role.label) in response.text
    assert 'name="organization_name"' in response.text


def test_starting_creates_a_response_with_a_private_link(client, questionnaire):
    response = client.post(
        reverse("assessments:start"),
        {"organization_name": "Acme", "role": "sales", "name": "Ana"},
    )
    created = Response.objects.get()
    assert response.status_code == 302
    token = private_token(response.url)
    assert response.url == reverse("assessments:page", args=[token, 1])
    assert len(token) >= 43
    # Only the digest is stored: the link is nowhere in the database.
    assert Response.objects.by_token(token).get() == created
    assert created.links.get().digest == hashlib.sha256(token.encode()).hexdigest()
    assert created.questionnaire == questionnaire
    assert created.role == "sales" and created.name == "Ana"
    assert not mail.outbox


def test_private_link_is_emailed_in_the_respondents_language(client, questionnaire):
    client.post(
        reverse("assessments:start"),
        {"organization_name": "Acme", "role": "ceo", "email": "ana@example.com"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    created = Response.objects.get()
    assert created.language == "es"
    [message] = mail.outbox
    assert message.to == ["ana@example.com"]
    token = private_token(message.body)
    assert Response.objects.by_token(token).get() == created
    assert "enlace privado" in message.subject.lower()
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and token in html


@pytest.mark.parametrize(
    "data, field",
    [
        ({"organization_name": "", "role": "sales"}, "organization_name"),
        ({"organization_name": "Acme", "role": "janitor"}, "role"),
        ({"organization_name": "x" * 201, "role": "sales"}, "organization_name"),
        ({"organization_name": "Acme", "role": "sales", "email": "not-an-email"}, "email"),
    ],
)
def test_bad_start_input_is_refused_with_a_message_and_writes_nothing(client, data, field):
    response = client.post(reverse("assessments:start"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert "invalid-feedback" in response.text
    assert not Response.objects.exists()


def test_without_a_published_questionnaire_the_start_page_says_so(client, questionnaire):
    questionnaire.is_active = False
    questionnaire.save()
    response = client.post(reverse("assessments:start"), {"organization_name": "A", "role": "ceo"})
    assert response.status_code == 503
    assert "not available right now" in response.text
    assert not Response.objects.exists()
