"""URL converters, registered once for the whole project."""

from django.urls import register_converter


class TokenConverter:
    """Private-link tokens: URL-safe base64; anything else is a 404 before any query."""

    regex = r"[A-Za-z0-9_-]{20,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TokenConverter, "token")
