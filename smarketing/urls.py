from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from assessments import converters  # noqa: F401 - registers the "token" converter
from assessments.forms import LoginForm
from assessments.views import accounts as account_views

urlpatterns = [
    path("", include("stages.urls")),
    path("", include("assessments.urls")),
    path("accounts/signup/", account_views.signup, name="signup"),
    path(
        "accounts/invitation/<token:token>/",
        account_views.accept_invitation,
        name="accept_invitation",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler500 = "smarketing.views.server_error"
