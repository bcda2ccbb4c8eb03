from django.urls import path

from . import converters  # noqa: F401 - registers the "token" converter
from .views import evidence, members, respondents, workshops

app_name = "assessments"

urlpatterns = [
    # Respondents: no account, the private link is the key.
    path("assessment/", respondents.start, name="start"),
    path("assessment/link-sent/", respondents.link_sent, name="link_sent"),
    path("r/<token:token>/", respondents.resume, name="resume"),
    path("r/<token:token>/page/<int:number>/", respondents.page, name="page"),
    path("r/<token:token>/result/", respondents.result, name="result"),
    path("r/<token:token>/keep/", members.keep_result, name="keep_result"),
    path("join/<token:share_token>/", respondents.join, name="join"),
    path("unsubscribe/<token:token>/", respondents.unsubscribe, name="unsubscribe"),
    # Members of an organization.
    path("organizations/", members.organizations, name="organizations"),
    path("organizations/new/", members.organization_new, name="organization_new"),
    path("organizations/<int:pk>/", members.team, name="team"),
    path("organizations/<int:pk>/members/", members.member_list, name="members"),
    path(
        "organizations/<int:pk>/members/<int:membership_pk>/role/",
        members.member_role,
        name="member_role",
    ),
    path(
        "organizations/<int:pk>/members/<int:membership_pk>/remove/",
        members.member_remove,
        name="member_remove",
    ),
    path("organizations/<int:pk>/leave/", members.organization_leave, name="organization_leave"),
    path(
        "organizations/<int:pk>/export.zip", members.organization_export, name="organization_export"
    ),
    path("organizations/<int:pk>/delete/", members.organization_delete, name="organization_delete"),
    path(
        "organizations/<int:pk>/invitations/<int:invitation_pk>/resend/",
        members.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "organizations/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        members.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organizations/<int:pk>/settings/",
        members.organization_settings,
        name="organization_settings",
    ),
    path("organizations/<int:pk>/benchmark/", members.benchmark, name="benchmark"),
    path(
        "organizations/<int:pk>/benchmark/settings/",
        members.benchmark_settings,
        name="benchmark_settings",
    ),
    path("organizations/<int:pk>/rounds/new/", members.round_new, name="round_new"),
    path("rounds/<int:pk>/", members.round_detail, name="round"),
    path("rounds/<int:pk>/invite/", members.round_invite, name="round_invite"),
    path("rounds/<int:pk>/close/", members.round_close, name="round_close"),
    path("rounds/<int:pk>/reopen/", members.round_reopen, name="round_reopen"),
    path("rounds/<int:pk>/link-limit/", members.round_link_limit, name="round_link_limit"),
    path("rounds/<int:pk>/plan/", members.plan_add, name="plan_add"),
    path("rounds/<int:pk>/plan/<int:item_pk>/remove/", members.plan_remove, name="plan_remove"),
    path("rounds/<int:pk>/plan/<int:item_pk>/edit/", members.plan_edit, name="plan_edit"),
    path("rounds/<int:pk>/plan/<int:item_pk>/done/", members.plan_done, name="plan_done"),
    path("rounds/<int:pk>/answer/", members.round_answer, name="round_answer"),
    path(
        "rounds/<int:pk>/responses/<int:response_pk>/remind/",
        members.response_remind,
        name="response_remind",
    ),
    # The round's CRM evidence: members upload, choose columns, follow the reading.
    path("rounds/<int:pk>/evidence/", evidence.evidence_upload, name="evidence_upload"),
    path(
        "rounds/<int:pk>/evidence/<int:evidence_pk>/columns/",
        evidence.evidence_columns,
        name="evidence_columns",
    ),
    path(
        "rounds/<int:pk>/evidence/<int:evidence_pk>/status.json",
        evidence.evidence_status,
        name="evidence_status",
    ),
    path(
        "rounds/<int:pk>/evidence/<int:evidence_pk>/delete/",
        evidence.evidence_delete,
        name="evidence_delete",
    ),
    path(
        "rounds/<int:pk>/responses/<int:response_pk>/resend/",
        members.response_resend,
        name="response_resend",
    ),
    # The round's alignment workshop: members and the assigned consultants.
    path("rounds/<int:pk>/workshop/", workshops.workshop, name="workshop"),
    path("rounds/<int:pk>/workshop/open/", workshops.workshop_open, name="workshop_open"),
    path(
        "rounds/<int:pk>/workshop/agenda/<int:item_pk>/",
        workshops.workshop_agenda_item,
        name="workshop_agenda_item",
    ),
    path("rounds/<int:pk>/workshop/add/", workshops.workshop_add_item, name="workshop_add_item"),
    path(
        "rounds/<int:pk>/workshop/time-box/", workshops.workshop_time_box, name="workshop_time_box"
    ),
    path("rounds/<int:pk>/workshop/present/", workshops.workshop_present, name="workshop_present"),
    path("rounds/<int:pk>/workshop/go/", workshops.workshop_go, name="workshop_go"),
    path("rounds/<int:pk>/workshop/follow/", workshops.workshop_follow, name="workshop_follow"),
    path("rounds/<int:pk>/workshop/state.json", workshops.workshop_state, name="workshop_state"),
    path(
        "rounds/<int:pk>/workshop/items/<int:item_pk>/",
        workshops.workshop_item,
        name="workshop_item",
    ),
    path("rounds/<int:pk>/workshop/finish/", workshops.workshop_finish, name="workshop_finish"),
    path("rounds/<int:pk>/workshop/summary/", workshops.workshop_summary, name="workshop_summary"),
]
