import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string


def csrf_failure(request, reason=""):
    """Explain a rejected form in the site's look instead of Django's bare page."""
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """A database outage is a 503 "try again", anything else a 500; neither touches the database."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponseServerError(render_to_string("500.html"))
