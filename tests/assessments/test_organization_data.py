"""An organization's data: one ZIP export, and deletion after its name is typed."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from assessments.models import (
    MemberInvitation,
    Membership,
    Organization,
    PlanItem,
    PrivateLink,
    Response,
    Round,
)
from stages.models import NextStep
from tests.helpers import close, highest, lowest, submit_response

pytestmark = pytest.mark.django_db


def read_zip(response):
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    tables = {}
    for name in archive.namelist():
        if name.endswith(".csv"):
            text = archive.read(name).decode("utf-8-sig")
            tables[name] = list(csv.DictReader(io.StringIO(text)))
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(archive.read(name))).active
            tables[name] = [list(row) for row in sheet.iter_rows(values_only=True)]
    return tables


def test_the_export_holds_what_members_may_see_and_nothing_more(
    client, leader, organization, questionnaire, settings
):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    hidden = Round.objects.create(organization=organization, questionnaire=questionnaire)
    submit_response(hidden, "marketing", highest, name="Secret Sam", email="sam@acme.example")
    close(hidden)  # confidential, closed with one answer: no figures, no individuals
    shown = Round.objects.create(
        organization=organization, questionnaire=questionnaire, visibility="open"
    )
    submit_response(shown, "sales", lowest, name="=Olga", email="olga@acme.example")
    PlanItem.objects.create(
        round=shown, step=NextStep.objects.first(), owner_person=leader, note="+call"
    )
    client.force_login(leader)
    response = client.get(reverse("assessments:organization_export", args=[organization.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    tables = read_zip(response)
    assert sorted(tables) == [
        "plans.csv",
        "plans.xlsx",
        "responses.csv",
        "responses.xlsx",
        "rounds.csv",
        "rounds.xlsx",
    ]
    rounds = {int(row["round_id"]): row for row in tables["rounds.csv"]}
    assert rounds[hidden.pk]["position"] == "" and rounds[hidden.pk]["respondents"] == "1"
    assert rounds[shown.pk]["position"] == "1.0"
    [person] = tables["responses.csv"]
    assert person["email"] == "olga@acme.example" and person["name"] == "'=Olga"
    assert "strategic.lead-definition" in person
    assert "Secret Sam" not in response.content.decode("latin-1")
    [item] = tables["plans.csv"]
    assert (item["person_responsible"], item["note"]) == ("ana@acme.example", "'+call")
    header, first = tables["responses.xlsx"][:2]
    assert first[header.index("name")] == "=Olga"  # stored as text, not a formula


def test_deleting_needs_the_typed_name_and_removes_everything(client, leader, round):
    organization = round.organization
    submit_response(round, "marketing", highest)
    MemberInvitation.objects.create(
        organization=organization, email="x@acme.example", role="ceo", invited_by=leader
    )
    client.force_login(leader)
    url = reverse("assessments:organization_delete", args=[organization.pk])
    assert "Download everything first" in client.get(url).text
    wrong = client.post(url, {"name": "Some other name"})
    assert wrong.status_code == 200 and "This is not the organization" in wrong.text
    assert Organization.objects.filter(pk=organization.pk).exists()

    done = client.post(url, {"name": f"  {organization.name} "}, follow=True)
    assert f"{organization.name} and all its data are deleted." in done.text
    assert not Organization.objects.exists() and not Round.objects.exists()
    assert not Response.objects.exists() and not PrivateLink.objects.exists()
    assert not Membership.objects.exists() and not MemberInvitation.objects.exists()


def test_another_organizations_member_can_neither_export_nor_delete(
    client, organization, other_leader
):
    client.force_login(other_leader)
    export = reverse("assessments:organization_export", args=[organization.pk])
    assert client.get(export).status_code == 404
    delete = reverse("assessments:organization_delete", args=[organization.pk])
    assert client.post(delete, {"name": organization.name}).status_code == 404
    assert Organization.objects.filter(pk=organization.pk).exists()
