"""Every URL of the app, found from the URLconf, tried as every persona.

A new URL without an entry in RULES (or an admin model URL the generic rule
does not cover) fails test_every_url_has_an_expected_outcome, so no view can be
forgotten.
"""

from dataclasses import dataclass, field

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments.models import (
    Evidence,
    EvidenceUpload,
    MemberInvitation,
    MetricRule,
    Organization,
    PlanItem,
    PortfolioExport,
    Question,
    Round,
)
from assessments.tokens import unsubscribe_token
from stages.models import Indicator, NextStep, Stage
from tests.helpers import highest, submit_response

PERSONAS = [
    "anonymous",
    "respondent",
    "member_a",
    "member_b",
    "consultant_a",
    "consultant_b",
    "superuser",
]
NON_STAFF = {"anonymous", "respondent", "member_a", "member_b"}
LOGGED_OUT = {"anonymous", "respondent"}

# Outcomes: a status code, or "login" / "admin_login" / "signup" for a redirect to that page.
OK, LOGIN, ADMIN_LOGIN, SIGNUP = 200, "login", "admin_login", "signup"


def every(outcome):
    return dict.fromkeys(PERSONAS, outcome)


def members_only(member_a_outcome=OK):
    """A member page of organization A: only its member gets in; others get a 404."""
    return {
        **dict.fromkeys(LOGGED_OUT, LOGIN),
        **dict.fromkeys(["member_b", "consultant_a", "consultant_b", "superuser"], 404),
        "member_a": member_a_outcome,
    }


def logged_in(outcome=OK):
    return {**every(outcome), **dict.fromkeys(LOGGED_OUT, LOGIN)}


def visitors_only():
    return {**every(302), **dict.fromkeys(LOGGED_OUT, OK)}


def staff(outcome=OK, **overrides):
    return {**every(outcome), **dict.fromkeys(NON_STAFF, ADMIN_LOGIN), **overrides}


def dashboard_of_a():
    return staff(consultant_b=404)


@dataclass
class Rule:
    kwargs: object  # world -> URL kwargs
    expected: dict
    method: str = "get"
    data: dict = field(default_factory=dict)
    path: str = ""  # for a URL that cannot be reversed


def no_kwargs(world):
    return {}


def workshop_of_a():
    """A page of round A's workshop: its organization's member and assigned consultant only."""
    return {**members_only(), "consultant_a": OK}


def _workshop_item(world):
    """The first item of round A's workshop, opened on first use."""
    from assessments.workshops import open_workshop

    workshop, _ = open_workshop(world.round_a, world.member_a)
    return {"pk": world.round_a.pk, "item_pk": workshop.items.first().pk}


RULES = {
    "stages:home": Rule(no_kwargs, every(OK)),
    "stages:continuum": Rule(no_kwargs, every(OK)),
    "stages:detail": Rule(lambda w: {"slug": "silo"}, every(OK)),
    "assessments:start": Rule(no_kwargs, every(OK)),
    "assessments:link_sent": Rule(no_kwargs, every(OK)),
    # A private link is a bearer key: whoever holds it reaches that one response.
    "assessments:resume": Rule(lambda w: {"token": w.open_response.token}, every(302)),
    "assessments:page": Rule(lambda w: {"token": w.open_response.token, "number": 1}, every(OK)),
    "assessments:result": Rule(lambda w: {"token": w.submitted.token}, every(OK)),
    "assessments:join": Rule(lambda w: {"share_token": w.round_a.share_token}, every(OK)),
    # The link's MAC is the key: whoever holds it may stop that invitation's reminders.
    "assessments:unsubscribe": Rule(
        lambda w: {"token": unsubscribe_token("r", w.open_response.pk)}, every(OK)
    ),
    "assessments:organizations": Rule(no_kwargs, logged_in()),
    "assessments:organization_new": Rule(no_kwargs, logged_in()),
    "assessments:team": Rule(lambda w: {"pk": w.org_a.pk}, members_only()),
    "assessments:members": Rule(lambda w: {"pk": w.org_a.pk}, members_only()),
    "assessments:organization_settings": Rule(lambda w: {"pk": w.org_a.pk}, members_only()),
    "assessments:benchmark": Rule(lambda w: {"pk": w.org_a.pk}, members_only()),
    "assessments:benchmark_settings": Rule(lambda w: {"pk": w.org_a.pk}, members_only()),
    "assessments:organization_export": Rule(lambda w: {"pk": w.org_a.pk}, members_only()),
    "assessments:organization_delete": Rule(lambda w: {"pk": w.org_a.pk}, members_only()),
    # Refused with a message: no role posted, and member A is the organization's last member.
    "assessments:member_role": Rule(
        lambda w: {"pk": w.org_a.pk, "membership_pk": w.membership_a.pk}, members_only(302), "post"
    ),
    "assessments:member_remove": Rule(
        lambda w: {"pk": w.org_a.pk, "membership_pk": w.membership_a.pk}, members_only(302), "post"
    ),
    "assessments:organization_leave": Rule(lambda w: {"pk": w.org_a.pk}, members_only(302), "post"),
    "assessments:invitation_resend": Rule(
        lambda w: {"pk": w.org_a.pk, "invitation_pk": w.invitation.pk}, members_only(302), "post"
    ),
    "assessments:invitation_revoke": Rule(
        lambda w: {"pk": w.org_a.pk, "invitation_pk": w.invitation.pk}, members_only(302), "post"
    ),
    # Not invited by e-mail: refused with a message.
    "assessments:response_remind": Rule(
        lambda w: {"pk": w.round_a.pk, "response_pk": w.open_response.pk},
        members_only(302),
        "post",
    ),
    # Not invited by e-mail: refused with a message, nothing sent.
    "assessments:response_resend": Rule(
        lambda w: {"pk": w.round_a.pk, "response_pk": w.open_response.pk},
        members_only(302),
        "post",
    ),
    "assessments:round_new": Rule(lambda w: {"pk": w.org_a.pk}, members_only()),
    "assessments:round": Rule(lambda w: {"pk": w.round_a.pk}, members_only()),
    "assessments:round_invite": Rule(lambda w: {"pk": w.round_a.pk}, members_only(400), "post"),
    # Posted without a number: refused with the form's message.
    "assessments:round_link_limit": Rule(lambda w: {"pk": w.round_a.pk}, members_only(400), "post"),
    "assessments:plan_add": Rule(lambda w: {"pk": w.round_a.pk}, members_only(400), "post"),
    "assessments:plan_remove": Rule(
        lambda w: {"pk": w.round_a.pk, "item_pk": w.plan_item.pk}, members_only(302), "post"
    ),
    "assessments:round_close": Rule(lambda w: {"pk": w.round_a.pk}, members_only(302), "post"),
    "assessments:plan_edit": Rule(
        lambda w: {"pk": w.round_a.pk, "item_pk": w.plan_item.pk}, members_only()
    ),
    "assessments:plan_done": Rule(
        lambda w: {"pk": w.round_a.pk, "item_pk": w.plan_item.pk}, members_only(302), "post"
    ),
    # Member A is not invited to round A: answering makes their response, then its link.
    "assessments:round_answer": Rule(lambda w: {"pk": w.round_a.pk}, members_only(302), "post"),
    # round_a is open: reopening it only says so.
    "assessments:round_reopen": Rule(lambda w: {"pk": w.round_a.pk}, members_only(302), "post"),
    # The workshop of round A (open, run with consultant A, one answer: published).
    "assessments:workshop": Rule(lambda w: {"pk": w.round_a.pk}, workshop_of_a()),
    "assessments:workshop_open": Rule(
        lambda w: {"pk": w.round_a.pk},
        {**workshop_of_a(), "member_a": 302, "consultant_a": 302},
        "post",
    ),
    "assessments:workshop_present": Rule(
        lambda w: {"pk": _workshop_item(w)["pk"]}, workshop_of_a()
    ),
    "assessments:workshop_follow": Rule(lambda w: {"pk": _workshop_item(w)["pk"]}, workshop_of_a()),
    "assessments:workshop_state": Rule(lambda w: {"pk": _workshop_item(w)["pk"]}, workshop_of_a()),
    "assessments:workshop_summary": Rule(
        lambda w: {"pk": _workshop_item(w)["pk"]}, workshop_of_a()
    ),
    "assessments:workshop_item": Rule(_workshop_item, workshop_of_a()),
    # No action posted: refused with a message.
    "assessments:workshop_agenda_item": Rule(
        _workshop_item, {**workshop_of_a(), "member_a": 302, "consultant_a": 302}, "post"
    ),
    # No title posted: the agenda again, with the error.
    "assessments:workshop_add_item": Rule(
        lambda w: {"pk": _workshop_item(w)["pk"]},
        {**workshop_of_a(), "member_a": 400, "consultant_a": 400},
        "post",
    ),
    "assessments:workshop_go": Rule(
        lambda w: {"pk": _workshop_item(w)["pk"]},
        {**workshop_of_a(), "member_a": 302, "consultant_a": 302},
        "post",
    ),
    "assessments:workshop_finish": Rule(
        lambda w: {"pk": _workshop_item(w)["pk"]},
        {**workshop_of_a(), "member_a": 302, "consultant_a": 302},
        "post",
        {"state": "in-progress"},
    ),
    # No time box posted: the agenda again, with the error.
    "assessments:workshop_time_box": Rule(
        lambda w: {"pk": _workshop_item(w)["pk"]},
        {**workshop_of_a(), "member_a": 400, "consultant_a": 400},
        "post",
    ),
    # A round's CRM evidence: its organization's members only (consultants read it on the
    # client page). The upload posts no file: the form again, with the error.
    "assessments:evidence_upload": Rule(lambda w: {"pk": w.round_a.pk}, members_only()),
    "assessments:evidence_columns": Rule(
        lambda w: {"pk": w.round_a.pk, "evidence_pk": w.evidence.pk}, members_only()
    ),
    "assessments:evidence_status": Rule(
        lambda w: {"pk": w.round_a.pk, "evidence_pk": w.evidence.pk}, members_only()
    ),
    "assessments:evidence_delete": Rule(
        lambda w: {"pk": w.round_a.pk, "evidence_pk": w.evidence.pk}, members_only(302), "post"
    ),
    # A private link is a bearer key; keeping its result needs an account.
    # Keeping a result mostly comes before having an account: sign-up first.
    "assessments:keep_result": Rule(
        lambda w: {"token": w.anonymous_result.token},
        {**every(OK), **dict.fromkeys(LOGGED_OUT, SIGNUP)},
    ),
    "accept_invitation": Rule(lambda w: {"token": w.invitation.token}, every(OK)),
    "profile": Rule(no_kwargs, logged_in()),
    "delete_account": Rule(no_kwargs, logged_in()),
    # Sends each account where its work is (the dashboard, an organization, the list).
    "home": Rule(no_kwargs, logged_in(302)),
    # Nothing waits for a confirmation in these sessions: to the login page, or the addresses.
    "resend_confirmation": Rule(
        no_kwargs, {**every(302), **dict.fromkeys(LOGGED_OUT, LOGIN)}, "post"
    ),
    # django-allauth: pages for visitors send a logged-in user on, account pages need a login.
    "account_login": Rule(no_kwargs, visitors_only()),
    "account_signup": Rule(no_kwargs, visitors_only()),
    "account_logout": Rule(no_kwargs, {**every(OK), **dict.fromkeys(LOGGED_OUT, 302)}),
    "account_inactive": Rule(no_kwargs, every(OK)),
    "account_email_verification_sent": Rule(no_kwargs, every(OK)),
    "account_confirm_email": Rule(lambda w: {"key": "not-a-key"}, every(OK)),
    "account_reset_password": Rule(no_kwargs, every(OK)),
    "account_reset_password_done": Rule(no_kwargs, every(OK)),
    "account_reset_password_from_key": Rule(lambda w: {"uidb36": "1", "key": "x-y"}, every(OK)),
    "account_reset_password_from_key_done": Rule(no_kwargs, every(OK)),
    "account_reauthenticate": Rule(no_kwargs, logged_in()),
    "account_email": Rule(no_kwargs, logged_in()),
    "account_change_password": Rule(no_kwargs, logged_in()),
    "account_set_password": Rule(no_kwargs, logged_in(302)),  # they have a password: change it
    "account_confirm_login_code": Rule(no_kwargs, logged_in(302)),  # no code was asked for
    "mfa_index": Rule(no_kwargs, logged_in()),
    "mfa_authenticate": Rule(no_kwargs, logged_in(302)),  # no login is waiting for a code
    "mfa_reauthenticate": Rule(no_kwargs, logged_in(302)),
    "mfa_activate_totp": Rule(no_kwargs, logged_in(302)),  # asks to confirm the password first
    "mfa_generate_recovery_codes": Rule(no_kwargs, logged_in(302)),
    # Nothing to deactivate or show without an authenticator.
    "mfa_deactivate_totp": Rule(no_kwargs, logged_in(404)),
    "mfa_view_recovery_codes": Rule(no_kwargs, logged_in(404)),
    "mfa_download_recovery_codes": Rule(no_kwargs, logged_in(404)),
    "set_language": Rule(no_kwargs, every(302)),
    "admin:index": Rule(no_kwargs, staff()),
    # Staff log in through the site's login page; other accounts are refused.
    "admin:login": Rule(
        no_kwargs,
        staff(302, **dict.fromkeys(LOGGED_OUT, LOGIN), member_a=403, member_b=403),
    ),
    # Logging out takes a POST; a visitor who is not staff is sent to the admin's front door.
    "admin:logout": Rule(no_kwargs, staff(405, **dict.fromkeys(NON_STAFF, 302))),
    "admin:password_change": Rule(no_kwargs, staff()),
    "admin:password_change_done": Rule(no_kwargs, staff()),
    # Without its query parameters the autocomplete refuses everyone.
    "admin:autocomplete": Rule(no_kwargs, staff(403)),
    "admin:jsi18n": Rule(no_kwargs, staff()),
    "admin:view_on_site": Rule(
        lambda w: {
            "content_type_id": ContentType.objects.get_for_model(Organization).pk,
            "object_id": w.org_a.pk,
        },
        staff(302),
    ),
    "admin:app_list": Rule(lambda w: {"app_label": "assessments"}, staff()),
    "admin:auth_user_password_change": Rule(
        lambda w: {"id": w.member_a.pk}, staff(consultant_a=403, consultant_b=403)
    ),
    "admin:catch_all": Rule(no_kwargs, staff(404), path="/admin/no-such-page/"),
    "admin:dashboard": Rule(no_kwargs, staff()),
    # Exports are made by POST only (a GET is a 405): they write a row and may start a job.
    "admin:dashboard_export": Rule(lambda w: {"fmt": "csv"}, staff(), "post"),
    "admin:dashboard_benchmark": Rule(no_kwargs, staff()),
    "admin:dashboard_client": Rule(lambda w: {"pk": w.org_a.pk}, dashboard_of_a()),
    "admin:dashboard_report": Rule(lambda w: {"pk": w.org_a.pk}, dashboard_of_a()),
    # A prepared export is its requester's only (consultant A's here).
    "admin:dashboard_prepared_export": Rule(
        lambda w: {"pk": w.export.pk}, staff(404, consultant_a=OK)
    ),
    "admin:dashboard_prepared_export_download": Rule(
        lambda w: {"pk": w.export.pk}, staff(404, consultant_a=OK)
    ),
    "admin:dashboard_rounds_export": Rule(
        lambda w: {"pk": w.org_a.pk, "fmt": "xlsx"}, dashboard_of_a(), "post"
    ),
    "admin:dashboard_responses_export": Rule(
        lambda w: {"pk": w.round_a.pk, "fmt": "xlsx"}, dashboard_of_a(), "post"
    ),
}

# Admin model URLs follow one rule: consultants view their clients' data and
# nothing else; superusers manage everything.
CONSULTANT_MODELS = {"organization", "round", "response", "planitem"}
MODEL_VIEWS = {"changelist", "add", "history", "delete", "change", "redirect"}


def admin_model_rule(name, world):
    prefix, _, view = name.rpartition("_")
    app_model = prefix.removeprefix("admin:")
    if view not in MODEL_VIEWS or app_model not in world.objects:
        return None
    app_label, model = app_model.split("_", 1)
    obj = world.objects[app_model]
    kwargs = {} if view in {"changelist", "add"} else {"object_id": obj.pk}
    superuser = OK
    if view == "add" and not world.can_add(app_model):
        superuser = 403
    if view == "delete" and not world.can_delete(app_model):
        superuser = 403
    if view == "redirect":
        return Rule(lambda w: kwargs, staff(302))
    if app_label == "assessments" and model in CONSULTANT_MODELS:
        consultant_a = {"changelist": OK, "add": 403, "delete": 403}.get(view, OK)
        # The delete permission is checked before the object is looked up: 403, no data.
        consultant_b = consultant_a if view in {"changelist", "add", "delete"} else 404
        return Rule(
            lambda w: kwargs,
            staff(superuser, consultant_a=consultant_a, consultant_b=consultant_b),
        )
    return Rule(lambda w: kwargs, staff(superuser, consultant_a=403, consultant_b=403))


def url_names():
    """Every named URL of the project, with admin's unnamed object redirects named."""

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                yield namespace, pattern

    names = []
    previous = None
    for namespace, pattern in walk(get_resolver().url_patterns):
        if pattern.name:
            names.append(f"{namespace}{pattern.name}")
            previous = pattern.name
        elif namespace == "admin:" and str(pattern.pattern) == "<path:object_id>/":
            # The admin's "<id>/" redirect to the change page follows that model's URLs.
            names.append(f"admin:{previous.rpartition('_')[0]}_redirect")
        elif namespace == "admin:" and str(pattern.pattern) == "(?P<url>.*)$":
            names.append("admin:catch_all")
        else:
            names.append(f"{namespace}<unnamed {pattern.pattern}>")
    return list(dict.fromkeys(names))


class World:
    def __init__(self, questionnaire, make_leader, make_consultant, superuser):
        self.member_a = make_leader("a@a.example")
        self.member_b = make_leader("b@b.example")
        self.org_a = self.member_a.organizations.get()
        self.org_b = self.member_b.organizations.get()
        self.membership_a = self.member_a.memberships.get()
        # Assigned before the rounds open: the rounds are run with them.
        self.consultant_a = make_consultant("ca@c.example", self.org_a)
        self.consultant_b = make_consultant("cb@c.example", self.org_b)
        # An open round (its figures show from the first answer), run with a consultant.
        self.round_a = Round.objects.create(
            organization=self.org_a,
            questionnaire=questionnaire,
            visibility="open",
            consultant_access=True,
        )
        Round.objects.create(organization=self.org_b, questionnaire=questionnaire)
        self.submitted = submit_response(self.round_a, "marketing", highest, email="r@a.example")
        self.anonymous_result = submit_response(None, "ceo", highest, questionnaire=questionnaire)
        self.open_response = self.round_a.responses.create(
            questionnaire=questionnaire, organization_name="A", role="sales"
        )
        self.plan_item = PlanItem.objects.create(
            round=self.round_a, step=NextStep.objects.filter(stage__number=1).first()
        )
        self.invitation = MemberInvitation.objects.create(
            organization=self.org_a, email="new@a.example", role="ceo", invited_by=self.member_a
        )
        # An export of round A waiting for its columns to be chosen.
        self.evidence = Evidence.objects.create(
            round=self.round_a,
            kind="leads",
            status="mapping",
            filename="crm.csv",
            file_format="csv",
        )
        EvidenceUpload.seal(
            self.evidence, b"When,Funnel\n2025-03-14,lead\n", ["When", "Funnel"]
        ).save()
        self.export = PortfolioExport.objects.create(
            requested_by=self.consultant_a,
            format="csv",
            status="ready",
            content=b"x",
            rows=1,
            organizations=[self.org_a.pk],
        )
        self.superuser = superuser
        self.objects = {
            "auth_group": Group.objects.get(name="Consultants"),
            "auth_user": self.member_a,
            "account_emailaddress": EmailAddress.objects.get(user=self.member_a),
            "mfa_authenticator": RecoveryCodes.activate(make_leader("mfa@x.example")).instance,
            "stages_stage": Stage.objects.get(slug="silo"),
            "stages_indicator": Indicator.objects.first(),
            "assessments_questionnaire": questionnaire,
            "assessments_question": Question.objects.filter(
                section__questionnaire=questionnaire
            ).first(),
            "assessments_organization": self.org_a,
            "assessments_round": self.round_a,
            "assessments_response": self.submitted,
            "assessments_planitem": self.plan_item,
            # The evidence rules: superusers edit the rows the migration loaded, nothing more.
            "assessments_metricrule": MetricRule.objects.first(),
            # The task queue's admin (django-tasks-db): read-only, superusers only.
            "django_tasks_database_dbtaskresult": DBTaskResult.objects.create(
                task_path="assessments.tasks.send_emails",
                args_kwargs={"args": [1], "kwargs": {}},
                backend_name="default",
                run_after=timezone.now(),
            ),
        }

    def can_add(self, app_model):
        # Responses come from respondents, never by hand; an evidence rule exists per metric.
        return app_model not in {
            "assessments_response",
            "assessments_metricrule",
            "django_tasks_database_dbtaskresult",
        }

    def can_delete(self, app_model):
        # A questionnaire version with responses, and its questions, are read-only.
        return app_model not in {
            "assessments_questionnaire",
            "assessments_question",
            "assessments_metricrule",
            "django_tasks_database_dbtaskresult",
        }

    def user(self, persona):
        """The account PERSONA logs in with; None for those who hold no login."""
        return {
            "member_a": self.member_a,
            "member_b": self.member_b,
            "consultant_a": self.consultant_a,
            "consultant_b": self.consultant_b,
            "superuser": self.superuser,
        }.get(persona)

    def client(self, persona):
        client = Client()
        user = self.user(persona)
        if user:
            client.force_login(user)
        return client

    def rule(self, name):
        return RULES.get(name) or admin_model_rule(name, self)


def build_world(questionnaire, make_leader, make_consultant, superuser, settings):
    """The matrix's world (tests/e2e/test_layout.py visits its pages in a browser)."""
    world = World(questionnaire, make_leader, make_consultant, superuser)
    # The queue's admin pages read tasks through the database backend, as in production
    # (set once the world is built, so its submits were scored at once).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return world


@pytest.fixture
def world(questionnaire, make_leader, make_consultant, superuser, settings):
    return build_world(questionnaire, make_leader, make_consultant, superuser, settings)


def url_of(world, name):
    """The URL that NAME's rule tries."""
    rule = world.rule(name)
    url = rule.path or reverse(name.replace("_redirect", "_change"), kwargs=rule.kwargs(world))
    if name.endswith("_redirect"):
        url = url.removesuffix("change/")
    return url


def outcome_of(response):
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        if location.startswith(reverse("account_login")):
            return LOGIN
        if location.startswith(reverse("account_signup")):
            return SIGNUP
    return response.status_code


@pytest.mark.django_db
def test_every_url_has_an_expected_outcome(world):
    missing = [name for name in url_names() if world.rule(name) is None]
    assert missing == [], f"add these URLs to RULES in {__name__}: {missing}"


# Side effects (closing the round, removing the plan item) come last.
LAST = [
    "assessments:evidence_delete",
    "assessments:plan_remove",
    "assessments:round_close",
    "assessments:invitation_resend",
    "assessments:invitation_revoke",
]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix(world, persona):
    client = world.client(persona)
    names = sorted(url_names(), key=lambda name: name in LAST)
    wrong = []
    for name in names:
        rule = world.rule(name)
        url = url_of(world, name)
        response = getattr(client, rule.method)(url, rule.data)
        expected = rule.expected[persona]
        if outcome_of(response) != expected:
            wrong.append((name, url, outcome_of(response), expected))
    assert wrong == []


EXPORTS = ["admin:dashboard_export", "admin:dashboard_rounds_export"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["consultant_a", "superuser"])
def test_an_export_is_never_made_by_a_get(world, persona):
    client = world.client(persona)
    for name in EXPORTS:
        url = reverse(name, kwargs=RULES[name].kwargs(world))
        assert client.get(url).status_code == 405, url
    assert not PortfolioExport.objects.exclude(pk=world.export.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "removed", ["from the client", "from the consultants", "the client deleted"]
)
def test_a_prepared_export_is_not_downloaded_once_access_is_removed(world, removed):
    client = world.client("consultant_a")
    page = reverse("admin:dashboard_prepared_export", args=[world.export.pk])
    download = reverse("admin:dashboard_prepared_export_download", args=[world.export.pk])
    assert client.get(download).status_code == 200
    if removed == "from the client":
        world.org_a.consultants.remove(world.consultant_a)
    elif removed == "from the consultants":
        world.consultant_a.groups.clear()
    else:
        world.org_a.delete()
    assert client.get(download).status_code in (403, 404)
    export = PortfolioExport.objects.filter(pk=world.export.pk).first()
    assert export is None or (export.content is None and export.status == "revoked")
    if export is not None and removed == "from the client":
        assert "no longer available" in client.get(page).text
