import logging

from django.core.cache import caches
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
    A cache that does not answer (Redis) makes the status "degraded", still
    200: pages work without it (smarketing/cache.py), so taking the server
    out of the balancer would only make things worse.
    """

    PATH = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != self.PATH or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        cache = "ok" if all(_cache_answers(cache) for cache in caches.all()) else "degraded"
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            logger.exception("Health check: the database does not answer")
            body, status = {"status": "unavailable", "database": "error", "cache": cache}, 503
        else:
            body = {"status": "ok" if cache == "ok" else "degraded", "database": "ok"}
            body["cache"], status = cache, 200
        response = JsonResponse(body, status=status)
        add_never_cache_headers(response)
        return response


def _cache_answers(cache):
    """Whether CACHE answers; a cache in the database answers when the database does."""
    ping = getattr(cache, "ping", None)
    return ping() if ping else True
