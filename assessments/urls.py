from django.urls import path, register_converter

from . import team_views, views


class TokenConverter:
    """Private-link tokens: URL-safe base64; anything else is a 404 before any query."""

    regex = r"[A-Za-z0-9_-]{20,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TokenConverter, "token")

app_name = "assessments"

urlpatterns = [
    # Respondents: no account, the private link is the key.
    path("assessment/", views.start, name="start"),
    path("r/<token:token>/", views.resume, name="resume"),
    path("r/<token:token>/page/<int:number>/", views.page, name="page"),
    path("r/<token:token>/result/", views.result, name="result"),
    path("join/<token:share_token>/", views.join, name="join"),
    # Members of an organization.
    path("organizations/", team_views.organizations, name="organizations"),
    path("organizations/new/", team_views.organization_new, name="organization_new"),
    path("organizations/<int:pk>/", team_views.team, name="team"),
    path("organizations/<int:pk>/members/", team_views.members, name="members"),
    path(
        "organizations/<int:pk>/settings/",
        team_views.organization_settings,
        name="organization_settings",
    ),
    path("organizations/<int:pk>/rounds/new/", team_views.round_new, name="round_new"),
    path("rounds/<int:pk>/", team_views.round_detail, name="round"),
    path("rounds/<int:pk>/invite/", team_views.round_invite, name="round_invite"),
    path("rounds/<int:pk>/close/", team_views.round_close, name="round_close"),
    path("rounds/<int:pk>/plan/", team_views.plan_add, name="plan_add"),
    path("rounds/<int:pk>/plan/<int:item_pk>/remove/", team_views.plan_remove, name="plan_remove"),
]
