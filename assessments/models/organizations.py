"""Organizations, their members, invitations to join, and the portfolio columns stored on them."""

from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import cadence, tokens, visibility
from ..roles import Role
from ..visibility import Viewer


def open_round(today, prefix=""):
    """The condition Round.is_open checks, as a Q, through PREFIX from a related model."""
    return Q(**{f"{prefix}closed_at__isnull": True}) & (
        Q(**{f"{prefix}closes_on__isnull": True}) | Q(**{f"{prefix}closes_on__gte": today})
    )


def shown_as_published(today, minimum, prefix=""):
    """The rounds whose figures show as a confidential round publishes them, as a Q.

    The query form of visibility's rule for those who see what a confidential
    round publishes: its publication once recorded, else its figures once it
    closed with MINIMUM answers and nothing was ever recorded (then withdrawn).
    """
    enough = Q(
        **{f"{prefix}respondents__gte": minimum, f"{prefix}result_stale": False},
        **{f"{prefix}published_at__isnull": True},
    )
    return Q(**{f"{prefix}publication__isnull": False}) | (~open_round(today, prefix) & enough)


class OrganizationQuerySet(models.QuerySet):
    def overdue(self, today):
        """The organizations whose next round is overdue (see cadence.is_overdue)."""
        return self.filter(next_due_on__lt=today)

    def for_consultant(self, user):
        """Organizations a staff user may see in the admin: all for superusers."""
        if user.is_superuser:
            return self
        return self.filter(consultants=user)

    def for_portfolio(self, today):
        """The portfolio's rows: every column is stored on the organization (refresh_summary).

        Sorting, filtering and paging read indexed columns of one table, so a
        page costs the same at a hundred clients or a hundred thousand. TODAY
        is kept for callers that add a date-dependent column.
        """
        return self.annotate(
            invited=F("open_round_invited"),
            submitted=F("open_round_submitted"),
        )

    @transaction.atomic
    def delete(self):
        """Delete as Organization.delete does, for many organizations (the admin's bulk delete)."""
        _forget(self.values_list("pk", flat=True))
        return super().delete()

    def refresh_summaries(self):
        """Recompute the stored portfolio columns of these organizations; return how many."""
        count = 0
        for organization in self.only("pk", "cadence").iterator(chunk_size=500):
            with transaction.atomic():
                organization.refresh_summary()
            count += 1
        return count


def portfolio_summary(round_model, organization_id, cadence_name, today):
    """Compute one organization's portfolio columns; the one home of their rules.

    Takes the round model so that the migration filling the columns uses the
    same code with its historical models. The latest and previous rounds are those
    whose figures consultants may see (RoundQuerySet.for_consultants), and
    each is stored as a consultant sees it (visibility.round_view): the
    publication where that is what they see, and only the role groups shown,
    so that no column holds a figure a consultant may not read.
    """
    minimum = settings.ROUND_GROUP_MIN_RESPONDENTS
    rounds = round_model.objects.filter(organization_id=organization_id).order_by(
        "-opened_on", "-pk"
    )
    for_consultants = Q(consultant_access=False) & shown_as_published(today, minimum) | Q(
        consultant_access=True, respondents__gt=0
    )
    fields = {*visibility.FACT_FIELDS, "position", "stage", "flags"}
    scored = []
    for row in rounds.filter(for_consultants).values(*fields)[:2]:
        view = visibility.round_view(visibility.facts_of(row, today), Viewer.CONSULTANT, minimum)
        seen = visibility.figures_seen(row, view)
        seen["groups"] = {group: seen["groups"][group] for group in view.groups}
        seen["consultant_access"] = row["consultant_access"]
        scored.append(seen)
    latest = scored[0] if scored else {}
    previous = scored[1]["position"] if len(scored) > 1 else None
    # The latest round's date and the open round's counts, in one statement.
    in_open_round = open_round(today)
    counts = (
        round_model.objects.filter(organization_id=organization_id)
        .order_by()
        .aggregate(
            last_round_on=Max("opened_on"),
            invited=Count("responses", filter=in_open_round),
            submitted=Count(
                "responses", filter=in_open_round & Q(responses__submitted_at__isnull=False)
            ),
        )
    )
    last_round_on, invited = counts["last_round_on"], counts["invited"]
    position = latest.get("position")
    return {
        "latest_position": position,
        "latest_stage": latest.get("stage"),
        "latest_flags": latest.get("flags") or [],
        "latest_groups": latest.get("groups") or {},
        "latest_respondents": latest.get("respondents") or 0,
        "latest_consultant_access": latest.get("consultant_access", False),
        "previous_position": previous,
        "change": None if position is None or previous is None else position - previous,
        "last_round_on": last_round_on,
        "open_round_invited": invited,
        "open_round_submitted": counts["submitted"],
        "response_rate": counts["submitted"] / invited if invited else None,
        "next_due_on": cadence.next_due(last_round_on, cadence_name),
    }


def _forget(organization_ids):
    """What deleting these organizations leaves outside their rows: the prepared exports."""
    organization_ids = list(organization_ids)
    export = apps.get_model("assessments", "PortfolioExport")
    export.objects.that_may_list(organization_ids).delete()


class Organization(models.Model):
    class Industry(models.TextChoices):
        SOFTWARE = "software", _("Software and IT services")
        MANUFACTURING = "manufacturing", _("Manufacturing and industry")
        PROFESSIONAL = "professional", _("Professional services")
        FINANCE = "finance", _("Finance and insurance")
        HEALTH = "health", _("Health and life sciences")
        RETAIL = "retail", _("Retail and consumer goods")
        OTHER = "other", _("Other")

    class Size(models.TextChoices):
        MICRO = "1-10", _("1–10 people")
        SMALL = "11-50", _("11–50 people")
        MEDIUM = "51-250", _("51–250 people")
        LARGE = "251-1000", _("251–1,000 people")
        ENTERPRISE = "1000+", _("More than 1,000 people")

    class Cadence(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        HALF_YEARLY = "half-yearly", _("Every six months")
        YEARLY = "yearly", _("Yearly")

    name = models.CharField(_("name"), max_length=200)
    industry = models.CharField(_("industry"), max_length=20, choices=Industry, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=Size, blank=True)
    cadence = models.CharField(
        _("cadence"),
        max_length=12,
        choices=Cadence,
        default=Cadence.QUARTERLY,
        help_text=_("How often the team revisits the assessment."),
    )
    # Kept up to date by refresh_summary() whenever a round opens or the cadence
    # changes, so lists can filter and sort on it in the database.
    next_due_on = models.DateField(_("next round due"), null=True, blank=True, editable=False)
    # The portfolio's columns, stored so that every sort, filter and page of the
    # consultants' dashboard reads one indexed table (docs/product.md "Consultants").
    # Written only by refresh_summary(), inside the transaction that changes a
    # round or its responses.
    latest_position = models.DecimalField(
        max_digits=5, decimal_places=4, null=True, blank=True, editable=False
    )
    latest_stage = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    latest_flags = models.JSONField(default=list, blank=True, editable=False)
    latest_groups = models.JSONField(default=dict, blank=True, editable=False)
    latest_respondents = models.PositiveIntegerField(default=0, editable=False)
    latest_consultant_access = models.BooleanField(default=False, editable=False)
    previous_position = models.DecimalField(
        max_digits=5, decimal_places=4, null=True, blank=True, editable=False
    )
    change = models.DecimalField(
        max_digits=5, decimal_places=4, null=True, blank=True, editable=False
    )
    last_round_on = models.DateField(null=True, blank=True, editable=False)
    open_round_invited = models.PositiveIntegerField(default=0, editable=False)
    open_round_submitted = models.PositiveIntegerField(default=0, editable=False)
    response_rate = models.FloatField(null=True, blank=True, editable=False)
    # Whether any CRM export of the organization was read: only then does
    # refresh_summary ask which indicators the latest round's evidence
    # contradicts (Evidence.objects.contradictions), stored for the portfolio's
    # flag and export as a consultant sees that round.
    has_evidence = models.BooleanField(default=False, editable=False)
    evidence_contradictions = models.JSONField(default=list, blank=True, editable=False)
    # The due date members were last told about, so the notice goes out once.
    due_notice_sent_for = models.DateField(null=True, blank=True, editable=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organizations"
    )
    consultants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="client_organizations",
        verbose_name=_("consultants"),
        help_text=_("Staff users of the Consultants group who follow this organization."),
    )
    # Consent to contribute the latest closed round to the peer benchmark:
    # off until a member turns it on, and who changed it when is kept.
    benchmark_opt_in = models.BooleanField(
        _("contributes to the benchmark"),
        default=False,
        editable=False,
        help_text=_("Set by the organization's members on their benchmark settings page."),
    )
    benchmark_changed_at = models.DateTimeField(
        _("benchmark choice changed"), null=True, blank=True, editable=False
    )
    benchmark_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("benchmark choice changed by"),
    )
    # Who created it: organizations of one account count as one contributor
    # to the peer benchmark (materialize_benchmark). Unknown before it was kept.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        permissions = [("view_dashboard", _("Can view the consultants' dashboard"))]
        # One per sort and filter of the portfolio, the primary key last as in
        # its ORDER BY, so a page is an index range scan. PostgreSQL also gets
        # the descending NULLS LAST twins (migration 0022), which SQLite lacks.
        indexes = [
            models.Index(fields=["name", "id"], name="org_name_idx"),
            models.Index(fields=["industry", "id"], name="org_industry_idx"),
            models.Index(fields=["latest_position", "id"], name="org_position_idx"),
            models.Index(fields=["latest_stage", "name", "id"], name="org_stage_idx"),
            models.Index(fields=["change", "id"], name="org_change_idx"),
            models.Index(fields=["last_round_on", "id"], name="org_last_round_idx"),
            models.Index(fields=["response_rate", "id"], name="org_rate_idx"),
            models.Index(fields=["next_due_on", "id"], name="org_due_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            # The form that saved may hold summary columns read before a round
            # changed them; the cadence may have moved the due date.
            self.refresh_summary()

    def get_absolute_url(self):
        return reverse("assessments:team", args=[self.pk])

    def delete(self, *args, **kwargs):
        """Delete with its rounds and responses, and the prepared exports listing it."""
        with transaction.atomic():
            _forget([self.pk])
            return super().delete(*args, **kwargs)

    def refresh_schedule(self):
        """Store the next due date after a round opened (with the rest of the summary)."""
        self.refresh_summary()

    def refresh_summary(self):
        """Recompute and store this organization's portfolio columns and next due date.

        The organization's row is locked first, so two transactions changing
        its rounds at once store their summaries one after the other, the
        second one reading what the first committed.
        """
        with transaction.atomic():
            self._store_summary()

    def _store_summary(self):
        row = (
            Organization.objects.select_for_update()
            .filter(pk=self.pk)
            .values_list("cadence", "has_evidence")
            .first()
        )
        if row is None:
            return
        cadence_name, has_evidence = row
        # Rounds and responses are defined on top of organizations (models/rounds.py).
        summary = portfolio_summary(
            apps.get_model("assessments", "Round"),
            self.pk,
            cadence_name,
            timezone.localdate(),
        )
        if has_evidence:
            summary["evidence_contradictions"] = self._evidence_contradictions()
        Organization.objects.filter(pk=self.pk).update(**summary)
        for name, value in summary.items():
            setattr(self, name, value)

    def evidence_read(self):
        """Note that a CRM export of the organization was read, and store what it contradicts."""
        Organization.objects.filter(pk=self.pk).update(has_evidence=True)
        self.has_evidence = True
        self.refresh_summary()

    def _evidence_contradictions(self):
        """What the CRM contradicts in the latest round a consultant sees, as they see it."""
        round_model = apps.get_model("assessments", "Round")
        latest = (
            round_model.objects.filter(organization_id=self.pk)
            .for_consultants()
            .order_by("-opened_on", "-pk")
            .first()
        )
        if latest is None:
            return []
        seen = latest.seen_by(visibility.Viewer.CONSULTANT)
        return list(apps.get_model("assessments", "Evidence").objects.contradictions(seen))

    @property
    def is_overdue(self):
        return cadence.is_overdue(self.next_due_on, timezone.localdate())

    def set_benchmark_opt_in(self, opted_in, user):
        """Record a member's choice; withdrawing removes the organization's entry at once."""
        with transaction.atomic():
            self.benchmark_opt_in = opted_in
            self.benchmark_changed_at = timezone.now()
            self.benchmark_changed_by = user
            self.save(
                update_fields=["benchmark_opt_in", "benchmark_changed_at", "benchmark_changed_by"]
            )
            if not opted_in:
                apps.get_model("assessments", "BenchmarkEntry").objects.filter(
                    organization=self
                ).delete()


class Membership(models.Model):
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role)
    language = models.CharField(_("language"), max_length=10, default="en")
    due_notices = models.BooleanField(
        _("due notices"), default=True, help_text=_("E-mail when the next round is due.")
    )
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["organization", "created_at"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="one_membership_per_user")
        ]

    def __str__(self):
        return f"{self.user} @ {self.organization}"


class MemberInvitationQuerySet(models.QuerySet):
    def by_token(self, token):
        return self.filter(token_digest=tokens.digest(token))


class MemberInvitation(models.Model):
    """An invitation for another leader to become a member; accepted once, within its validity.

    Only the digest of its token is stored: the link exists in the e-mail alone.
    """

    VALID_FOR = timedelta(days=14)

    organization = models.ForeignKey(Organization, models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=20, choices=Role)
    language = models.CharField(_("language"), max_length=10, default="en")
    message = models.TextField(_("personal message"), max_length=1000, blank=True)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    objects = MemberInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("member invitation")
        verbose_name_plural = _("member invitations")
        constraints = [
            # A second invitation to the same address renews the first, never doubles it.
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(accepted_at__isnull=True),
                name="one_pending_invitation_per_address",
            )
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        if not self.token_digest:
            self.new_token()
        super().save(*args, **kwargs)

    def new_token(self):
        """Set a new token, kept on this instance only (for the e-mail), and return it."""
        self.token = tokens.new_token()
        self.token_digest = tokens.digest(self.token)
        return self.token

    @property
    def expires_at(self):
        return self.created_at + self.VALID_FOR

    @property
    def is_usable(self):
        return self.accepted_at is None and timezone.now() < self.expires_at

    def accept(self, user, language):
        """Make USER a member, once: a replayed or simultaneous request adds nothing."""
        accepted = MemberInvitation.objects.filter(
            pk=self.pk, accepted_at__isnull=True, created_at__gt=timezone.now() - self.VALID_FOR
        ).update(accepted_at=timezone.now())
        if accepted:
            Membership.objects.get_or_create(
                organization=self.organization,
                user=user,
                defaults={"role": self.role, "language": language},
            )
        return self.organization
