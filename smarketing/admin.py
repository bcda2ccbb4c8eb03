from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import path
from django.utils.translation import gettext_lazy as _


class AdminSite(admin.AdminSite):
    """Django's admin with the consultants' dashboard added to it."""

    site_header = _("Smarketing administration")
    site_title = _("Smarketing")
    index_template = "admin/smarketing_index.html"

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
