"""What every page's template may use."""

from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        # For {% cache PAGE_CACHE_SECONDS ... using="pages" %}.
        "PAGE_CACHE_SECONDS": settings.PAGE_CACHE_SECONDS,
    }
