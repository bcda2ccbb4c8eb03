"""Every e-mail the app sends, recorded before it goes: a key against sending twice, its fate."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .organizations import MemberInvitation, Membership
from .rounds import PrivateLink, Response


class DeliveryQuerySet(models.QuerySet):
    def claimable(self, now=None):
        """Deliveries a sender may take now: queued, or abandoned while sending.

        A delivery stays "sending" only while one SMTP exchange lasts
        (EMAIL_TIMEOUT bounds each step); one older than Delivery.ABANDONED
        belongs to a worker that died mid-send, and goes again.
        """
        now = now or timezone.now()
        return self.filter(
            Q(status=Delivery.Status.QUEUED)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - Delivery.abandoned_after())
        )


def with_delivery(queryset, field):
    """QUERYSET annotated with its latest delivery's status and error (through FIELD)."""
    latest = Delivery.objects.filter(**{field: OuterRef("pk")}).order_by("-created_at", "-pk")
    return queryset.annotate(
        delivery_status=Subquery(latest.values("status")[:1]),
        delivery_error=Subquery(latest.values("error")[:1]),
    )


class Delivery(models.Model):
    """One e-mail to one person, created in the transaction that decides to send it.

    Its id is the e-mail's idempotence key: the worker claims it before
    sending and records the outcome after, so a task run twice (a retry, a
    worker that died and whose task ran again) never sends it twice. A
    transient failure leaves it queued for the next attempt; a permanent one
    (the address refused) marks it failed, and the pages say so beside the
    person, with a way to send again.
    """

    class Kind(models.TextChoices):
        PRIVATE_LINK = "private-link", _("Private link")
        ROUND_INVITATION = "round-invitation", _("Invitation to a round")
        REMINDER = "reminder", _("Reminder")
        MEMBER_INVITATION = "member-invitation", _("Invitation to join")
        DUE_NOTICE = "due-notice", _("Next round due")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Not delivered")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    response = models.ForeignKey(
        Response, models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    invitation = models.ForeignKey(
        MemberInvitation, models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    membership = models.ForeignKey(
        Membership, models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    # Who asked for it (an invitation names its inviter).
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The due date a due notice announces.
    due_on = models.DateField(null=True, blank=True)
    # The private link the last attempt issued: a retry replaces it, so each
    # e-mail hands out one working link however often it was tried.
    link = models.ForeignKey(PrivateLink, models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The mail server's reply to the last failed attempt.
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("e-mail delivery")
        verbose_name_plural = _("e-mail deliveries")
        constraints = [
            models.CheckConstraint(
                condition=Q(response__isnull=False, invitation=None, membership=None)
                | Q(response=None, invitation__isnull=False, membership=None)
                | Q(response=None, invitation=None, membership__isnull=False),
                name="delivery_is_about_one_row",
            ),
        ]
        indexes = [
            # The latest delivery per person, for the round and members pages.
            models.Index(fields=["response", "-created_at"], name="delivery_response_idx"),
            models.Index(fields=["invitation", "-created_at"], name="delivery_invitation_idx"),
            # The worker's recovery pass looks for queued ones nobody is sending.
            models.Index(
                fields=["created_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="delivery_unsent_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.get_status_display()}"

    @staticmethod
    def abandoned_after():
        """How long a send may take before it counts as abandoned (see claimable)."""
        return timedelta(seconds=4 * settings.EMAIL_TIMEOUT)

    @property
    def recipient(self):
        if self.response_id:
            return self.response.email
        if self.invitation_id:
            return self.invitation.email
        return self.membership.user.email
