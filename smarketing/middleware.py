import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)


class PrivatePagesMiddleware:
    """Pages shown to a logged-in user are theirs: no browser or proxy may keep a copy.

    Pages reached through a private link say so themselves (never_cache on
    the respondents' views).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


class HealthCheckMiddleware:
    """Answer GET /healthz for a load balancer: 200 when the database answers, else 503.

    First in MIDDLEWARE, so the check reads no session, no user, no Host
    header (a balancer probes by address) and is never redirected to HTTPS.
    """

    PATH = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != self.PATH or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            logger.exception("Health check: the database does not answer")
            response = JsonResponse({"status": "unavailable", "database": "error"}, status=503)
        else:
            response = JsonResponse({"status": "ok", "database": "ok"})
        add_never_cache_headers(response)
        return response
