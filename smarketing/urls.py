from django.contrib import admin
from django.urls import include, path

from assessments import converters  # noqa: F401 - registers the "token" converter
from assessments.views import accounts

urlpatterns = [
    path("", include("stages.urls")),
    path("", include("assessments.urls")),
    path(
        "accounts/invitation/<token:token>/", accounts.accept_invitation, name="accept_invitation"
    ),
    path("home/", accounts.home, name="home"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/delete/", accounts.delete_account, name="delete_account"),
    # Before allauth's confirm-email/<key>/, which would take "resend" for a key.
    path(
        "accounts/confirm-email/resend/",
        accounts.resend_confirmation,
        name="resend_confirmation",
    ),
    # Sign-up, login, e-mail verification, password reset and change, e-mail
    # addresses and two-factor authentication: django-allauth.
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler500 = "smarketing.views.server_error"
