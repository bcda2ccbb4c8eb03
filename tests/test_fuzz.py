"""Property-based fuzzing of every form endpoint: hostile input never causes a 500,
and nothing is written unless the whole submission is valid."""

from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import MemberInvitation, Membership, PlanItem, Role, Round
from assessments.tokens import unsubscribe_token
from stages.models import NextStep
from tests.helpers import close, highest, submit_response

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

hostile_text = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20),
    st.sampled_from(
        [
            "",
            " ",
            "<script>alert(1)</script>",
            "=cmd|' /C calc'!A0",
            "' OR 1=1 --",
            "\x00",
            "dont-know",
            "-1",
            "0",
            "99999999999999999999",
            "1.5",
            "None",
            "null",
            "ñandú@ex.example",
            "a@b.example",
            "marketing",
            "sales",
            "2000-02-30",
            "2999-01-01",
        ]
    ),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
    st.just("x" * 10_000),
)


def submission(fields):
    """Dicts over the real field names plus strangers, any of them missing or repeated."""
    keys = st.sampled_from([*fields, "unexpected", "csrfmiddlewaretoken", "pk", "id"])
    values = st.one_of(hostile_text, st.lists(hostile_text, min_size=2, max_size=3))
    return st.dictionaries(keys, values, max_size=len(fields) + 2)


def counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def post(client, url, data):
    response = client.post(url, data)
    assert response.status_code < 500, (url, data, response.status_code)
    return response


def assert_nothing_written_unless_valid(before, response, valid_statuses=(302,)):
    if response.status_code not in valid_statuses:
        after = counts()
        changed = {
            label: (before[label], after[label])
            for label in before
            if before[label] != after[label]
        }
        assert changed == {}, (response.status_code, changed)


@FUZZ
@given(data=submission(["organization_name", "role", "name", "email"]))
def test_start(questionnaire, data):
    before = counts()
    response = post(Client(), reverse("assessments:start"), data)
    assert_nothing_written_unless_valid(before, response)


@FUZZ
@given(data=st.data())
def test_questionnaire_page(new_response, data):
    section = new_response.questionnaire.pages()[0]
    other_options = [str(pk) for pk in range(1, 80)] + ["dont-know"]
    fields = [q.field_name for q in section.questions.all()] + ["next", "back"]
    payload = data.draw(submission(fields))
    for name in fields[:-2]:
        if data.draw(st.booleans()):
            payload[name] = data.draw(st.sampled_from(other_options))
    before = counts()
    response = post(Client(), reverse("assessments:page", args=[new_response.token, 1]), payload)
    assert_nothing_written_unless_valid(before, response)


@FUZZ
@given(data=submission(["role", "name", "email"]))
def test_join(round, data):
    before = counts()
    response = post(Client(), round.get_share_url(), data)
    assert_nothing_written_unless_valid(before, response)


SIGNUP_FIELDS = ["email", "password1", "password2", "next"]


@FUZZ
@given(data=submission(SIGNUP_FIELDS))
def test_signup(db, data):
    before = counts()
    response = post(Client(), reverse("account_signup"), data)
    assert_nothing_written_unless_valid(before, response)


@FUZZ
@given(data=submission(["login", "password", "remember", "next"]))
def test_login(leader, data):
    before = counts()
    response = post(Client(), reverse("account_login"), data)
    assert_nothing_written_unless_valid(before, response, valid_statuses=(302, 429))


@FUZZ
@given(data=submission(["email"]))
def test_password_reset(leader, data):
    before = counts()
    response = post(Client(), reverse("account_reset_password"), data)
    assert_nothing_written_unless_valid(before, response)


@FUZZ
@given(data=submission(["language", "next"]))
def test_set_language(db, data):
    before = counts()
    response = post(Client(), reverse("set_language"), data)
    assert_nothing_written_unless_valid(before, response, valid_statuses=(200, 204, 302))


@FUZZ
@given(data=submission(["name", "industry", "size", "cadence", "role"]))
def test_organization_new(member, data):
    before = counts()
    response = post(member, reverse("assessments:organization_new"), data)
    assert_nothing_written_unless_valid(before, response)


@FUZZ
@given(data=submission(["name", "industry", "size", "cadence"]))
def test_organization_settings(member, organization, data):
    before = {
        field: getattr(organization, field) for field in ["name", "industry", "size", "cadence"]
    }
    response = post(
        member, reverse("assessments:organization_settings", args=[organization.pk]), data
    )
    organization.refresh_from_db()
    if response.status_code != 302:
        assert before == {field: getattr(organization, field) for field in before}


@FUZZ
@given(data=submission(["opted_in"]))
def test_benchmark_settings(member, organization, data):
    response = post(member, reverse("assessments:benchmark_settings", args=[organization.pk]), data)
    assert response.status_code == 302  # any value is a yes or a no, never an error
    organization.refresh_from_db()
    if organization.benchmark_opt_in:
        assert organization.benchmark_changed_by is not None


@FUZZ
@given(data=submission(["page"]))
def test_benchmark_dashboard_query_string(admin_client, data):
    response = admin_client.get(reverse("admin:dashboard_benchmark"), data)
    assert response.status_code == 200, (data, response.status_code)


@FUZZ
@given(data=submission(["email", "role", "language", "message"]))
def test_invite_member(member, organization, data):
    before = counts()
    response = post(member, reverse("assessments:members", args=[organization.pk]), data)
    assert_nothing_written_unless_valid(before, response)


@FUZZ
@given(data=st.data())
def test_round_new(member, organization, questionnaire, make_leader, data):
    if organization.memberships.count() == 1:
        make_leader("sergio@acme.example", organization=organization, role="sales")
    fields = [
        "name",
        "closes_on",
        "reinvite",
        "members",
        "visibility",
        "confirm_confidential",
        "preview",
        "starts_per_hour",
    ]
    payload = data.draw(submission(fields))
    if data.draw(st.booleans()):
        keys = [f"member-{pk}" for pk in organization.memberships.values_list("pk", flat=True)]
        payload["members"] = data.draw(st.lists(st.sampled_from([*keys, "member-0"])))
        payload["visibility"] = data.draw(st.sampled_from(["open", "confidential", "secret"]))
    before = counts()
    response = post(member, reverse("assessments:round_new", args=[organization.pk]), payload)
    assert_nothing_written_unless_valid(before, response)
    round = Round.objects.filter(organization=organization).first()
    if round is not None:
        # A confidential round hiding a small team's sides opened only when confirmed.
        if round.is_confidential and round.responses.count() in (1, 2):
            assert payload.get("confirm_confidential")
        round.delete()


@FUZZ
@given(data=submission(["email", "name", "role", "language"]))
def test_round_invite(member, round, data):
    before = counts()
    response = post(member, reverse("assessments:round_invite", args=[round.pk]), data)
    assert_nothing_written_unless_valid(before, response)


@FUZZ
@given(data=submission(["starts_per_hour"]))
def test_round_link_limit(member, round, data):
    stored = Round.objects.get(pk=round.pk).starts_per_hour
    before = counts()
    response = post(member, reverse("assessments:round_link_limit", args=[round.pk]), data)
    assert_nothing_written_unless_valid(before, response)
    now = Round.objects.get(pk=round.pk).starts_per_hour
    assert 1 <= now <= 5000 if response.status_code == 302 else now == stored


@FUZZ
@given(data=st.data())
def test_plan_add(member, round, data):
    if not round.respondents:
        submit_response(round, "marketing", highest)
        round.refresh_from_db()
    payload = data.draw(submission(["item", "owner", "note"]))
    if data.draw(st.booleans()):
        step_ids = list(NextStep.objects.values_list("pk", flat=True))
        payload["item"] = data.draw(
            st.sampled_from([f"step-{pk}" for pk in step_ids] + ["indicator-1", "indicator-999"])
        )
    before = counts()
    response = post(member, reverse("assessments:plan_add", args=[round.pk]), payload)
    assert_nothing_written_unless_valid(before, response)


@pytest.fixture
def invitation_for_someone_else(other_leader):
    return MemberInvitation.objects.create(
        organization=other_leader.organizations.get(),
        email="other@x.example",
        role="ceo",
        invited_by=other_leader,
    )


@FUZZ
@given(data=submission(["x", "email", "organization", "role"]))
def test_accept_invitation(member, leader, invitation_for_someone_else, data):
    invitation = invitation_for_someone_else
    before = counts()
    response = post(member, reverse("accept_invitation", args=[invitation.token]), data)
    # Addressed to someone else: refused whatever is posted, nothing written.
    assert_nothing_written_unless_valid(before, response, valid_statuses=())
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not invitation.organization.memberships.filter(user=leader).exists()


@FUZZ
@given(data=submission(["q", "stage", "overdue", "consultant", "sort", "page"]))
def test_dashboard_query_string(admin_client, data):
    response = admin_client.get(reverse("admin:dashboard"), data)
    assert response.status_code in (200, 400), (data, response.status_code)
    export = admin_client.post(
        reverse("admin:dashboard_export", args=["csv"]) + "?" + urlencode(data)
    )
    assert export.status_code in (200, 400), (data, export.status_code)


@FUZZ
@given(data=submission(["then"]))
def test_round_close(member, round, data):
    before = counts()
    response = post(member, reverse("assessments:round_close", args=[round.pk]), data)
    assert response.status_code == 302
    assert_nothing_written_unless_valid(before, response)
    round.refresh_from_db()
    assert round.closed_at is not None
    Round.objects.filter(pk=round.pk).update(closed_at=None)


@FUZZ
@given(data=submission(["then", "closes_on", "visibility"]))
def test_round_reopen(member, round, settings, data):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    if not round.respondents:
        submit_response(round, "marketing", highest)
    close(round)
    before = counts()
    response = post(member, reverse("assessments:round_reopen", args=[round.pk]), data)
    assert_nothing_written_unless_valid(before, response)
    round.refresh_from_db()
    # Published and confidential: refused whatever is posted.
    assert round.closed_at is not None and round.is_published


@pytest.fixture
def plan_item(round):
    return PlanItem.objects.create(round=round, step=NextStep.objects.first())


@FUZZ
@given(data=st.data())
def test_plan_edit(member, leader, plan_item, data):
    payload = data.draw(submission(["owner", "owner_person", "due_on", "note"]))
    if data.draw(st.booleans()):
        payload["owner_person"] = data.draw(st.sampled_from([str(leader.pk), "0", "999999"]))
    fields = ["owner", "owner_person_id", "due_on", "note"]
    before = PlanItem.objects.values(*fields).get(pk=plan_item.pk)
    url = reverse("assessments:plan_edit", args=[plan_item.round_id, plan_item.pk])
    response = post(member, url, payload)
    if response.status_code != 302:
        assert PlanItem.objects.values(*fields).get(pk=plan_item.pk) == before


@FUZZ
@given(data=submission(["done"]))
def test_plan_done(member, plan_item, data):
    before = counts()
    url = reverse("assessments:plan_done", args=[plan_item.round_id, plan_item.pk])
    response = post(member, url, data)
    assert response.status_code == 302
    assert counts() == before


@FUZZ
@given(data=submission(["role"]))
def test_member_role(member, leader, organization, data):
    membership = leader.memberships.get()
    before = counts()
    url = reverse("assessments:member_role", args=[organization.pk, membership.pk])
    response = post(member, url, data)
    assert response.status_code == 302 and counts() == before
    membership.refresh_from_db()
    posted = data.get("role")
    posted = posted[-1] if isinstance(posted, list) else posted  # the last value counts
    assert membership.role == (posted if posted in Role.values else "marketing")
    Membership.objects.filter(pk=membership.pk).update(role="marketing")


@FUZZ
@given(data=submission(["role", "email"]))
def test_leaving_as_the_last_member_writes_nothing(member, organization, data):
    before = counts()
    response = post(member, reverse("assessments:organization_leave", args=[organization.pk]), data)
    assert response.status_code == 302 and counts() == before


@FUZZ
@given(data=submission(["List-Unsubscribe"]), forged=st.booleans())
def test_unsubscribe(round, data, forged):
    # Hypothesis runs every example on the same round: one response, reset each time.
    response, _ = round.responses.get_or_create(
        email="x@a.example",
        defaults={"questionnaire": round.questionnaire, "role": "sales", "organization_name": "A"},
    )
    type(response).objects.filter(pk=response.pk).update(reminders_stopped_at=None)
    token = unsubscribe_token("r", response.pk)
    if forged:
        token = token[:-4] + "0000"
    url = reverse("assessments:unsubscribe", args=[token])
    before = counts()
    result = post(Client(enforce_csrf_checks=True), url, data)
    assert result.status_code == (404 if forged else 200)
    assert counts() == before
    response.refresh_from_db()
    assert (response.reminders_stopped_at is not None) is not forged


@FUZZ
@given(data=submission(["first_name", "last_name", "language"]))
def test_profile(member, leader, data):
    before = (leader.first_name, leader.last_name, leader.memberships.get().language)
    response = post(member, reverse("profile"), data)
    leader.refresh_from_db()
    if response.status_code != 302:
        assert (leader.first_name, leader.last_name, leader.memberships.get().language) == before


@FUZZ
@given(data=submission(["password", "confirm"]))
def test_delete_account(member, leader, make_leader, data):
    organization = leader.organizations.get()
    if organization.memberships.count() == 1:  # not the last member, so the form is offered
        make_leader("carl@acme.example", organization=organization)
    before = counts()
    response = post(member, reverse("delete_account"), data)
    # Only the right password deletes, and hostile input never guesses it.
    assert response.status_code == 200
    assert counts() == before


@FUZZ
@given(data=submission(["name"]))
def test_organization_delete(member, organization, data):
    before = counts()
    url = reverse("assessments:organization_delete", args=[organization.pk])
    response = post(member, url, data)
    # A hostile value is never the name typed back: nothing is deleted.
    assert response.status_code == 200
    assert counts() == before


@pytest.fixture
def workshop_round(round):
    """An open round with one answer (published), and its workshop."""
    from assessments.workshops import open_workshop

    Round.objects.filter(pk=round.pk).update(visibility="open")
    round.refresh_from_db()
    submit_response(round, "marketing", highest)
    round.refresh_from_db()
    open_workshop(round, None)
    return round


@FUZZ
@given(data=st.data())
def test_workshop_decision(member, workshop_round, data):
    from assessments.models import WorkshopAnswer
    from assessments.workshops import item_questions

    item = workshop_round.workshop.items.select_related("indicator").first()
    questions = item_questions(workshop_round, item)
    fields = ["note", "add_action", "owner", "owner_person", "due_on", "action"]
    payload = data.draw(
        submission([*fields, *(q.field_name for q in questions), "version", "next"])
    )
    if data.draw(st.booleans()):
        options = [str(pk) for q in questions for pk in q.options.values_list("pk", flat=True)]
        for question in questions:
            payload[question.field_name] = data.draw(
                st.sampled_from([*options, "dont-know", "", "999999"])
            )
        payload["version"] = data.draw(st.sampled_from(["1", "2", "0", "x"]))
    before = counts()
    fields = ["decided_at", "note", "version", "plan_item_id"]
    saved = type(item).objects.values(*fields).get(pk=item.pk)
    answers = list(WorkshopAnswer.objects.values_list("question_id", "option_id"))
    url = reverse("assessments:workshop_item", args=[workshop_round.pk, item.pk])
    response = post(member, url, payload)
    assert_nothing_written_unless_valid(before, response)
    if response.status_code != 302:
        assert type(item).objects.values(*fields).get(pk=item.pk) == saved
        assert list(WorkshopAnswer.objects.values_list("question_id", "option_id")) == answers


@FUZZ
@given(data=st.data())
def test_workshop_agenda(member, workshop_round, data):
    item = workshop_round.workshop.items.first()
    for name, fields, kwargs in [
        ("workshop_go", ["to"], {}),
        ("workshop_add_item", ["title", "minutes"], {}),
        ("workshop_agenda_item", ["action"], {"item_pk": item.pk}),
        ("workshop_time_box", ["time_box"], {}),
        ("workshop_finish", ["state", "confirm"], {}),
    ]:
        payload = data.draw(submission(fields))
        if name == "workshop_finish" and data.draw(st.booleans()):
            payload["state"] = data.draw(st.sampled_from(["finished", "in-progress"]))
        if name == "workshop_time_box" and data.draw(st.booleans()):
            payload["time_box"] = data.draw(st.sampled_from(["15", "90", "480", "481", "14"]))
        before = counts()
        url = reverse(f"assessments:{name}", kwargs={"pk": workshop_round.pk, **kwargs})
        workshop = type(workshop_round.workshop).objects.get(pk=workshop_round.workshop.pk)
        state = (workshop.time_box, workshop.status)
        response = post(member, url, payload)
        if name != "workshop_add_item" or response.status_code != 302:
            assert counts() == before
        workshop.refresh_from_db()
        if response.status_code != 302:
            assert (workshop.time_box, workshop.status) == state
        # Nothing is finished with undecided indicators unless the posted form confirmed it.
        if workshop.is_finished and state[1] != "finished":
            assert payload.get("confirm")


def _mutated(data, draw_bytes):
    """DATA with a stretch cut out or replaced: a damaged export."""
    if not data:
        return data
    cut = len(data) * 3 // 5
    return data[:cut] + draw_bytes + data[cut + len(draw_bytes) :]


@st.composite
def hostile_files(draw):
    """Bytes an upload form meets: noise, wrong encodings, damaged exports, bombs, formulas."""
    from tests.helpers import crm_export

    kind = draw(
        st.sampled_from(["noise", "text", "csv", "damaged", "xlsx", "damaged-xlsx", "bomb"])
    )
    if kind == "noise":
        return draw(st.binary(max_size=2000))
    if kind == "text":
        text = draw(st.text(max_size=400))
        encoding = draw(st.sampled_from(["utf-8", "utf-16", "utf-16-le", "cp1252", "latin-1"]))
        return text.encode(encoding, errors="replace")
    csv = crm_export(draw(st.integers(1, 40)), seed=draw(st.integers(0, 5)))
    if kind == "csv":
        return csv
    if kind == "damaged":
        return _mutated(csv, draw(st.binary(min_size=1, max_size=50)))
    from assessments.management import demo_export

    header, rows = demo_export.leads(draw(st.integers(1, 20)), seed=1)
    if draw(st.booleans()):
        rows[0][11] = "=NOW()"  # a formula where a date belongs
    workbook = demo_export.to_xlsx(header, rows)
    if kind == "xlsx":
        return workbook
    if kind == "damaged-xlsx":
        return _mutated(workbook, draw(st.binary(min_size=1, max_size=80)))
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" * (3 * 2**20))
    return out.getvalue()


@FUZZ
@given(
    data=submission(["kind", "file"]),
    content=hostile_files(),
    name=st.sampled_from(["export.csv", "export.xlsx", "", "../../etc/passwd", "a" * 300]),
)
def test_evidence_upload(member, round, settings, data, content, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments.models import Evidence, EvidenceUpload

    settings.EVIDENCE_MAX_UNCOMPRESSED_MB = 2
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "evidence": "10000/h/user"}
    Evidence.objects.all().delete()
    payload = {"kind": "leads", **data, "file": SimpleUploadedFile(name or "x", content)}
    before = counts()
    response = post(member, reverse("assessments:evidence_upload", args=[round.pk]), payload)
    assert_nothing_written_unless_valid(before, response)
    if response.status_code == 302:
        record = Evidence.objects.get()
        assert record.status in ("ready", "failed", "mapping")
        # A file is kept (encrypted) only while it waits for its columns.
        assert EvidenceUpload.objects.exists() == (record.status == "mapping")
        assert len(record.filename) <= 200


@FUZZ
@given(data=submission(["created", "qualified", "first_activity", "stage", "status", "reason"]))
def test_evidence_columns(member, round, data):
    from assessments.models import Evidence, EvidenceMapping, EvidenceUpload

    record = Evidence.objects.filter(status="mapping").first()
    if record is None:
        Evidence.objects.all().delete()
        record = Evidence.objects.create(
            round=round, kind="leads", status="mapping", filename="x.csv", file_format="csv"
        )
        text = b"When,Funnel,Who\n2025-03-14,lead,a@x.example\n2025-03-15,lead,b@x.example\n"
        EvidenceUpload.seal(record, text, ["When", "Funnel", "Who"]).save()
    before = counts()
    url = reverse("assessments:evidence_columns", args=[round.pk, record.pk])
    response = post(member, url, data)
    assert_nothing_written_unless_valid(before, response)
    if response.status_code == 302:
        record.refresh_from_db()
        assert record.status in ("ready", "failed")
        assert not EvidenceUpload.objects.filter(pk=record.pk).exists()
        assert set(EvidenceMapping.objects.get().columns) <= {
            "created",
            "qualified",
            "first_activity",
            "stage",
            "status",
            "reason",
        }
