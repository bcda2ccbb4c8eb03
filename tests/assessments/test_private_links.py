"""Private links are stored as digests: nothing in the database or the admin gives one back."""

import datetime
import hashlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from assessments import tasks, tokens
from assessments.models import Delivery, Response, Round
from tests.helpers import answer_all, highest, private_path, private_token, submit_response

pytestmark = pytest.mark.django_db


def stored_text():
    """Every value of every row of every table, as one string."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            chunks.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(chunks)


def test_no_table_holds_a_working_link(client, round, leader):
    started = client.post(reverse("assessments:start"), {"organization_name": "A", "role": "ceo"})
    client.force_login(leader)
    client.post(
        reverse("assessments:round_invite", args=[round.pk]),
        {"email": "m@acme.example", "role": "marketing"},
    )
    client.post(
        reverse("assessments:members", args=[round.organization.pk]),
        {"email": "sam@acme.example", "role": "sales"},
    )
    secrets = [
        private_token(started.url),
        private_token(mail.outbox[0].body),
        mail.outbox[1].body.split("/accounts/invitation/")[1].split("/")[0],
        round.share_token,
    ]
    everything = stored_text()
    for secret in secrets:
        assert len(secret) >= 40
        assert secret not in everything
    # What is stored is the digest, which only recognises a link.
    assert hashlib.sha256(secrets[0].encode()).hexdigest() in everything


@pytest.fixture
def invited(round):
    """Someone invited to ROUND five days ago, so a reminder is due."""
    return Response.objects.create(
        round=round,
        questionnaire=round.questionnaire,
        organization_name="A",
        role="sales",
        email="late@acme.example",
        invited_at=timezone.now() - datetime.timedelta(days=5),
    )


def test_a_reminder_carries_a_fresh_link_and_the_old_one_still_works(client, invited):
    first = invited.token
    tasks.send_later([Delivery(kind=Delivery.Kind.REMINDER, response=invited)])
    fresh = private_token(mail.outbox[-1].body)
    assert fresh != first
    assert invited.links.count() == 2
    for token in (first, fresh):
        assert client.get(private_path(token)).status_code == 302
        assert client.get(reverse("assessments:page", args=[token, 1])).status_code == 200


@pytest.mark.parametrize("token", ["x" * 43, "A" * 20, "well-formed"])
def test_an_unknown_link_is_a_404(client, db, token):
    if token == "well-formed":
        token = tokens.new_token()
    assert client.get(private_path(token)).status_code == 404


def test_a_shared_link_is_checked_and_survives_a_key_rotation(client, round, settings):
    assert client.get(round.get_share_url()).status_code == 200
    pk, _, mac = round.share_token.partition("-")
    forged = f"{pk}-{'0' * len(mac)}"
    assert client.get(reverse("assessments:join", args=[forged])).status_code == 404
    other = Round.objects.create(
        organization=round.organization, questionnaire=round.questionnaire, closed_at=timezone.now()
    )
    swapped = f"{other.pk}-{mac}"
    assert client.get(reverse("assessments:join", args=[swapped])).status_code == 404

    old_link = round.get_share_url()
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-only-0123456789"
    assert round.get_share_url() != old_link
    assert client.get(old_link).status_code == 200
    assert client.get(round.get_share_url()).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    assert client.get(old_link).status_code == 404


@pytest.fixture
def consultant_without_clients(make_consultant):
    return make_consultant("nobody@c.example")


def test_view_on_site_gives_no_consultant_a_private_link(
    client, round, make_consultant, consultant_without_clients
):
    respondent = submit_response(round, "marketing", highest)
    content_type = ContentType.objects.get_for_model(Response)
    url = reverse("admin:view_on_site", args=[content_type.pk, respondent.pk])
    for consultant in (
        consultant_without_clients,
        make_consultant("own@c.example", round.organization),
    ):
        client.force_login(consultant)
        response = client.get(url)
        assert response.status_code == 404
        assert "/r/" not in response.get("Location", "")


@pytest.mark.parametrize(
    "lookup",
    ["links__digest__startswith", "links__digest", "token__startswith", "links__pk__gt"],
)
def test_changelist_lookups_on_secrets_reveal_nothing(client, round, make_consultant, lookup):
    respondent = submit_response(round, "marketing", highest)
    digest = respondent.links.get().digest
    client.force_login(make_consultant("own@c.example", round.organization))
    url = reverse("admin:assessments_response_changelist")
    answers = {
        client.get(url, {lookup: prefix}).status_code for prefix in (digest[:1], digest, "zz", "0")
    }
    # Refused (400) or ignored as an error (a redirect): never a list that differs by prefix.
    assert answers <= {400, 302}


def test_private_links_are_not_in_the_admin(admin_client, round):
    respondent = submit_response(round, "marketing", highest)
    page = admin_client.get(reverse("admin:assessments_response_change", args=[respondent.pk]))
    assert page.status_code == 200
    assert respondent.token not in page.text
    assert respondent.links.get().digest not in page.text
    assert admin_client.get("/admin/assessments/privatelink/").status_code == 404


def test_send_reminders_mails_working_fresh_links(invited):
    call_command("send_reminders")
    [message] = mail.outbox
    token = private_token(message.body)
    assert token != invited.token
    assert Response.objects.by_token(token).get() == invited
    # The reminder says again who will see the answers, as the invitation did.
    assert "Your answers are confidential" in message.body


def orm_reading(token):
    """What ResponseQuerySet.linked reads in written-out SQL, read through the ORM."""
    response = Response.objects.by_token(token).select_related("round", "questionnaire").first()
    if response is None:
        return None
    return {
        "pk": response.pk,
        "submitted_at": response.submitted_at,
        "organization_name": response.organization_name,
        "questionnaire": (response.questionnaire.pk, response.questionnaire.created_at),
        "round_id": response.round_id,
        "accepts_answers": response.accepts_answers,
        "saved": {a.question_id: a.option_id for a in response.answers.all()},
    }


def linked_reading(token, answers=True):
    linked = Response.objects.linked(token, answers=answers)
    if linked is None:
        return None
    reading = {
        name: getattr(linked, name)
        for name in ("pk", "submitted_at", "organization_name", "round_id", "accepts_answers")
    }
    reading["questionnaire"] = (linked.questionnaire.pk, linked.questionnaire.created_at)
    reading["saved"] = linked.saved
    return reading


@pytest.mark.parametrize(
    "state", ["on its own", "open round", "closed round", "closing date passed", "submitted"]
)
def test_the_written_out_link_query_reads_what_the_orm_reads(client, round, state):
    """The respondent's pages read a link in plain SQL (ResponseQuerySet.linked): the same."""
    token = private_token(client.post(round.get_share_url(), {"role": "sales"}).url)
    response = Response.objects.by_token(token).get()
    questions = response.questionnaire.pages()[0].questions.all()
    first, second = questions[0], questions[1]
    response.answers.create(question=first, option=first.options.all()[0])
    response.answers.create(question=second, option=None)  # "I don't know"
    if state == "on its own":
        Response.objects.filter(pk=response.pk).update(round=None)
    elif state == "closed round":
        round.close()
    elif state == "closing date passed":
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        Round.objects.filter(pk=round.pk).update(opened_on=yesterday, closes_on=yesterday)
    elif state == "submitted":
        response.token = token
        answer_all(client, response)  # the two answers given above are answered again

    expected = orm_reading(token)
    assert linked_reading(token) == expected
    if state != "submitted":
        assert expected["saved"] == {first.pk: first.options.all()[0].pk, second.pk: None}
    else:
        assert expected["submitted_at"] and len(expected["saved"]) > 2
    assert linked_reading(token, answers=False) == {**expected, "saved": {}}
    assert linked_reading("not-a-link") is None
