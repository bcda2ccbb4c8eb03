import functools
import re

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import (
    ALL_VAR,
    ERROR_FLAG,
    ORDER_VAR,
    PAGE_VAR,
    SEARCH_VAR,
    ChangeList,
)
from django.core.exceptions import ValidationError
from django.db import DatabaseError, router, transaction
from django.db.models.constants import LOOKUP_SEP
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

# Fields that hold secrets or their digests: no admin list may filter on them,
# or a reader could rebuild them one character at a time from the counts.
SECRET_FIELDS = {"password", "digest", "token_digest", "links", "session_key", "session_data"}
# What a list's own links put in the address besides its filters: paging,
# sorting, search and Django's "the filter failed" flag.
BASICS = {PAGE_VAR, ALL_VAR, ORDER_VAR, SEARCH_VAR, ERROR_FLAG}
# No database column holds a whole number this large; SQLite fails on it.
LARGEST = 2**63


class LookupRefused(Exception):
    """A changelist's query string asks for something the list does not offer this user."""

    def __init__(self, parameters):
        super().__init__(", ".join(parameters))
        self.parameters = list(parameters)


class DeclaredLookupsChangeList(ChangeList):
    """Django's changelist, applying only the filters its admin declares for non-superusers."""

    def get_filters(self, request):
        filters = super().get_filters(request)
        # What no declared list filter (or date hierarchy) took is a free lookup:
        # regular expressions, JSON keys, any field. Only superusers may.
        declared = getattr(self.model_admin, "declared_lookups", ())
        undeclared = [key for key in filters[2] if key not in declared]
        if undeclared and not request.user.is_superuser:
            raise LookupRefused(undeclared)
        return filters


class DeclaredLookupsOnly:
    """Deny by default: a changelist answers only the filters, search and sorts it declares.

    Consultants work in the dashboard; where they use admin lists, anything in
    the query string beyond the declared list filters (plus declared_lookups),
    search, sorting and paging is refused with a 400 that says why, never
    applied. Superusers may filter freely, but a lookup the database cannot
    run (a malformed regular expression, a number out of range, a lookup the
    backend lacks) is a 400 too, never a 500. No one filters on a secret.
    Applied by the admin site to every model registered on it.
    """

    # A ModelAdmin may list, as declared_lookups, query-string lookups its list
    # accepts besides its list filters (links of its own use them). Not set
    # here: the site puts this class first in every admin's bases.

    def lookup_allowed(self, lookup, value, request=None):
        if SECRET_FIELDS & set(lookup.split(LOOKUP_SEP)):
            return False
        if isinstance(value, str) and any(_too_large(part) for part in value.split(",")):
            return False
        if lookup.endswith(("__regex", "__iregex")) and not _compiles(value):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_changelist(self, request, **kwargs):
        return _guarded(super().get_changelist(request, **kwargs))

    def get_changelist_instance(self, request):
        if not request.user.is_superuser:
            extra = [key for key in request.GET if key.startswith("_")]
            if extra:
                raise LookupRefused(extra)
        try:
            return super().get_changelist_instance(request)
        except IncorrectLookupParameters as error:
            # A declared filter with a value it cannot take, or a page past the end.
            raise LookupRefused(_lookups(request) or request.GET.keys()) from error

    def changelist_view(self, request, extra_context=None):
        lookups = _lookups(request)
        try:
            if not lookups:
                return super().changelist_view(request, extra_context)
            # Whatever the database refuses to run is the filter's fault: the
            # savepoint keeps PostgreSQL's transaction usable, and the page is
            # rendered here so that its query runs inside the guard.
            with transaction.atomic(using=router.db_for_read(self.model)):
                response = super().changelist_view(request, extra_context)
                if isinstance(response, TemplateResponse):
                    response.render()
                return response
        except (LookupRefused, DisallowedModelAdminLookup) as error:
            refused = getattr(error, "parameters", None) or lookups
        except (DatabaseError, ValidationError, ValueError, OverflowError, TypeError):
            if not lookups:
                raise
            refused = lookups
        return self.lookup_refused(request, refused)

    def lookup_refused(self, request, parameters):
        context = {
            **self.admin_site.each_context(request),
            "title": _("This list cannot be filtered that way"),
            "opts": self.opts,
            "parameters": sorted(set(parameters)),
            "changelist_url": request.path,
        }
        return TemplateResponse(request, "admin/lookup_refused.html", context, status=400)


def _too_large(text):
    text = text.strip()
    return text.lstrip("-+").isdigit() and abs(int(text)) >= LARGEST


def _compiles(pattern):
    """Whether PATTERN is a regular expression at all; the database may still refuse it."""
    try:
        re.compile(pattern)
    except (re.error, TypeError):
        return False
    return True


def _lookups(request):
    """The query string's keys that filter the list (not paging, sorting or search)."""
    return [key for key in request.GET if key not in BASICS]


@functools.cache
def _guarded(changelist_class):
    if issubclass(changelist_class, DeclaredLookupsChangeList):
        return changelist_class
    return type(changelist_class.__name__, (DeclaredLookupsChangeList, changelist_class), {})


class AdminSite(admin.AdminSite):
    """Django's admin with the consultants' dashboard added to it."""

    site_header = _("Smarketing administration")
    site_title = _("Smarketing")
    index_template = "admin/smarketing_index.html"

    def register(self, model_or_iterable, admin_class=None, **options):
        """Register as Django does, with every list denying undeclared lookups (any app's)."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, DeclaredLookupsOnly):
            admin_class = type(
                admin_class.__name__,
                (DeclaredLookupsOnly, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def login(self, request, extra_context=None):
        """Log staff in through the site's login, with its rate limits and two-factor step."""
        from allauth.account.decorators import secure_admin_login

        return secure_admin_login(super().login)(request, extra_context)

    def get_urls(self):
        from assessments.views import consultants as dashboard

        urls = [
            path("dashboard/", self.admin_view(dashboard.portfolio), name="dashboard"),
            path(
                "dashboard/export.<str:fmt>",
                self.admin_view(dashboard.portfolio_export),
                name="dashboard_export",
            ),
            path(
                "dashboard/benchmark/",
                self.admin_view(dashboard.benchmark),
                name="dashboard_benchmark",
            ),
            path(
                "dashboard/exports/<int:pk>/",
                self.admin_view(dashboard.prepared_export),
                name="dashboard_prepared_export",
            ),
            path(
                "dashboard/exports/<int:pk>/download/",
                self.admin_view(dashboard.prepared_export_download),
                name="dashboard_prepared_export_download",
            ),
            path("dashboard/<int:pk>/", self.admin_view(dashboard.client), name="dashboard_client"),
            path(
                "dashboard/<int:pk>/report/",
                self.admin_view(dashboard.report),
                name="dashboard_report",
            ),
            path(
                "dashboard/<int:pk>/rounds.<str:fmt>",
                self.admin_view(dashboard.rounds_export),
                name="dashboard_rounds_export",
            ),
            path(
                "dashboard/rounds/<int:pk>/responses.<str:fmt>",
                self.admin_view(dashboard.responses_export),
                name="dashboard_responses_export",
            ),
        ]
        return urls + super().get_urls()


class SmarketingAdminConfig(AdminConfig):
    default_site = "smarketing.admin.AdminSite"
