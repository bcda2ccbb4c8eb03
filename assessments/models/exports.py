"""Portfolio exports prepared in the background."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PortfolioExportQuerySet(models.QuerySet):
    def that_may_list(self, organization_ids):
        """The exports whose requester could see any of these organizations when asking.

        Their consultants' and the superusers'. Deleting an organization, or
        a response that moves its figures, deletes these: one may hold them.
        """
        return self.filter(
            Q(requested_by__is_superuser=True)
            | Q(requested_by__client_organizations__in=organization_ids)
        )


class PortfolioExport(models.Model):
    """A large portfolio export, prepared by the worker and downloaded by whoever asked.

    The file is kept in the database, so any app server can serve it, and only
    for EXPORT_KEEP_HOURS: the daily sweep deletes older ones.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        # Its requester may no longer see an organization it lists: the file is gone.
        REVOKED = "revoked", _("No longer available")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", editable=False
    )
    format = models.CharField(max_length=4, editable=False)
    # The requester's language, for the XLSX labels the worker writes.
    language = models.CharField(max_length=10, default="en", editable=False)
    # The dashboard's query string (filters and sort), re-read with the
    # requester's access rule when the worker prepares the file.
    query = models.JSONField(default=dict, editable=False)
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    rows = models.PositiveIntegerField(default=0)
    content = models.BinaryField(null=True, editable=False)
    # The organizations the file lists, re-checked against the requester's
    # access on every download.
    organizations = models.JSONField(default=list, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = PortfolioExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"portfolio.{self.format} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def expires_at(self):
        return self.created_at + timedelta(hours=settings.EXPORT_KEEP_HOURS)

    @property
    def filename(self):
        return f"portfolio-{self.created_at:%Y%m%d-%H%M}.{self.format}"

    def revoke(self):
        """Drop the file: its requester may no longer see everything it lists."""
        PortfolioExport.objects.filter(pk=self.pk).update(
            content=None, status=PortfolioExport.Status.REVOKED
        )
        self.status = PortfolioExport.Status.REVOKED
