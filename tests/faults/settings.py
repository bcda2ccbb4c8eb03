"""The fault suite's processes run as production does (DEBUG off: a fault answers the error
pages, not Django's debug page), with static files found in the app folders."""

from smarketing.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
