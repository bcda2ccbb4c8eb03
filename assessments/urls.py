from django.urls import path, register_converter

from . import views


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
    path("assessment/", views.start, name="start"),
    path("r/<token:token>/", views.resume, name="resume"),
    path("r/<token:token>/page/<int:number>/", views.page, name="page"),
    path("r/<token:token>/result/", views.result, name="result"),
]
