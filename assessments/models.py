from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import (
    Count,
    F,
    Max,
    Q,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from stages.models import Indicator, NextStep

from . import cadence, results, scoring, tokens


class Role(models.TextChoices):
    MARKETING = "marketing", _("Marketing leader (CMO)")
    SALES = "sales", _("Sales leader (CSO)")
    CEO = "ceo", _("CEO / general manager")
    REVENUE = "revenue", _("Revenue or commercial leader (CRO / CCO)")
    OTHER = "other", _("Other")


class RoleGroup(models.TextChoices):
    MARKETING = "marketing", _("Marketing side")
    SALES = "sales", _("Sales side")
    LEADERSHIP = "leadership", _("Leadership")


# "Other" respondents count in the round's position but in no role group.
ROLE_GROUPS = {
    Role.MARKETING: RoleGroup.MARKETING,
    Role.SALES: RoleGroup.SALES,
    Role.CEO: RoleGroup.LEADERSHIP,
    Role.REVENUE: RoleGroup.LEADERSHIP,
}


class QuestionnaireQuerySet(models.QuerySet):
    def active(self):
        """Return the version new responses use, or None while none is published."""
        return self.filter(is_active=True).first()


class Questionnaire(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    is_active = models.BooleanField(
        _("active"), default=False, help_text=_("New responses use the active version.")
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_questionnaire"
            ),
        ]

    def __str__(self):
        return f"v{self.version} · {self.title}"

    @property
    def is_locked(self):
        """A version that has responses is never edited in place."""
        return self.responses.exists()

    def publish(self):
        """Make this the one version that new responses use."""
        with transaction.atomic():
            Questionnaire.objects.filter(is_active=True).exclude(pk=self.pk).update(is_active=False)
            self.is_active = True
            self.published_at = self.published_at or timezone.now()
            self.save(update_fields=["is_active", "published_at"])

    @transaction.atomic
    def clone(self):
        """Copy this version, its pages, questions and options, as a new draft version."""
        next_version = (Questionnaire.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        copy = Questionnaire.objects.create(
            version=next_version, **_translations(self, "title"), is_active=False
        )
        for section in self.sections.prefetch_related("questions__options"):
            new_section = Section.objects.create(
                questionnaire=copy, order=section.order, **_translations(section, "title")
            )
            for question in section.questions.all():
                new_question = Question.objects.create(
                    section=new_section,
                    indicator_id=question.indicator_id,
                    order=question.order,
                    weight=question.weight,
                    **_translations(question, "text"),
                )
                Option.objects.bulk_create(
                    Option(
                        question=new_question,
                        order=option.order,
                        value=option.value,
                        **_translations(option, "text"),
                    )
                    for option in question.options.all()
                )
        return copy

    def indicator_keys(self):
        """Return the keys of the indicators this version asks about, in stage order."""
        return list(
            Indicator.objects.filter(questions__section__questionnaire=self)
            .order_by("stage__number", "order", "pk")
            .values_list("key", flat=True)
            .distinct()
        )

    def answered_pages(self):
        """Return pages() of a version that has responses, kept per process.

        Such a version is read-only (see is_locked), so its pages never change;
        the key includes the creation time so a reused primary key (tests, a
        restored database) never serves another version's pages.
        """
        key = (self.pk, self.created_at)
        if key not in _ANSWERED_PAGES:
            _ANSWERED_PAGES[key] = self.pages()
        return _ANSWERED_PAGES[key]

    def pages(self):
        """Return the sections with their questions, options and indicators loaded."""
        return list(
            self.sections.prefetch_related(
                models.Prefetch(
                    "questions",
                    queryset=Question.objects.select_related("indicator__stage").prefetch_related(
                        "options"
                    ),
                )
            )
        )


_ANSWERED_PAGES = {}


def _translations(obj, field):
    return {name: getattr(obj, name) for name in (field, f"{field}_en", f"{field}_es")}


class Section(models.Model):
    """One page of the questionnaire, grouping questions by theme."""

    questionnaire = models.ForeignKey(Questionnaire, models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["questionnaire", "order"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "order"], name="unique_section_order")
        ]

    def __str__(self):
        return self.title


class Question(models.Model):
    section = models.ForeignKey(Section, models.CASCADE, related_name="questions")
    indicator = models.ForeignKey(
        Indicator, models.PROTECT, related_name="questions", verbose_name=_("indicator")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("text"), max_length=400)
    weight = models.FloatField(_("weight"), default=1.0)

    class Meta:
        ordering = ["section__order", "order"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["section", "order"], name="unique_question_order"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="question_weight_positive"),
        ]

    def __str__(self):
        return self.text

    @property
    def field_name(self):
        return f"q{self.pk}"


class Option(models.Model):
    """One behaviourally anchored answer; options run from least to most aligned."""

    question = models.ForeignKey(Question, models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("text"), max_length=400)
    value = models.FloatField(_("value"), help_text=_("0 = least aligned, 1 = most aligned."))

    class Meta:
        ordering = ["question", "order"]
        verbose_name = _("option")
        verbose_name_plural = _("options")
        constraints = [
            models.UniqueConstraint(fields=["question", "order"], name="unique_option_order"),
            models.CheckConstraint(
                condition=Q(value__gte=0, value__lte=1), name="option_value_0_to_1"
            ),
        ]

    def __str__(self):
        return self.text


class Scored(models.Model):
    """A stored result on the continuum, computed once and read by the pages."""

    position = models.DecimalField(
        _("position"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    stage = models.PositiveSmallIntegerField(_("stage"), null=True, blank=True)
    attainment = models.JSONField(_("attainment per stage"), default=dict, blank=True)
    indicator_scores = models.JSONField(_("score per indicator"), default=dict, blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    coverage = models.FloatField(_("coverage"), null=True, blank=True)

    RESULT_FIELDS = ["position", "stage", "attainment", "indicator_scores", "flags", "coverage"]

    class Meta:
        abstract = True

    @property
    def reading(self):
        return results.reading(self)

    @property
    def position_display(self):
        """The position as every list shows it: "2.4", "≥ 2.0" (a lower bound) or "–"."""
        return self.reading

    @property
    def progress_percent(self):
        return self.reading.progress_percent

    @property
    def coverage_percent(self):
        return None if self.coverage is None else scoring.percent(self.coverage)

    def store(self, result, indicator_scores=None):
        self.position = Decimal(str(result.position))
        self.stage = result.stage
        self.attainment = {str(k): v for k, v in result.attainment.items()}
        self.indicator_scores = result.indicators if indicator_scores is None else indicator_scores
        self.flags = list(result.flags)
        self.coverage = result.coverage


def open_round(today, prefix=""):
    """The condition Round.is_open checks, as a Q, through PREFIX from a related model."""
    return Q(**{f"{prefix}closed_at__isnull": True}) & (
        Q(**{f"{prefix}closes_on__isnull": True}) | Q(**{f"{prefix}closes_on__gte": today})
    )


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

    def refresh_summaries(self):
        """Recompute the stored portfolio columns of these organizations; return how many."""
        count = 0
        for organization in self.only("pk", "cadence").iterator(chunk_size=500):
            with transaction.atomic():
                organization.refresh_summary()
            count += 1
        return count


def portfolio_summary(round_model, response_model, organization_id, cadence_name, today):
    """Compute one organization's portfolio columns; the one home of their rules.

    Takes the models so that the migration filling the columns uses the same
    code with its historical models. The latest and previous rounds are those
    whose figures consultants may see (RoundQuerySet.for_consultants).
    """
    rounds = round_model.objects.filter(organization_id=organization_id).order_by(
        "-opened_on", "-pk"
    )
    closed = ~open_round(today)
    enough = Q(respondents__gte=settings.ROUND_GROUP_MIN_RESPONDENTS, result_stale=False)
    published = (closed & enough) | Q(consultant_access=True, respondents__gt=0)
    scored = list(
        rounds.filter(published).values(
            "position", "stage", "flags", "groups", "respondents", "consultant_access"
        )[:2]
    )
    latest = scored[0] if scored else {}
    previous = scored[1]["position"] if len(scored) > 1 else None
    last_round_on = rounds.values_list("opened_on", flat=True).first()
    counts = (
        response_model.objects.filter(round__organization_id=organization_id)
        .filter(open_round(today, prefix="round__"))
        .aggregate(invited=Count("pk"), submitted=Count("pk", filter=Q(submitted_at__isnull=False)))
    )
    invited = counts["invited"]
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
    # consultants' dashboard reads one indexed table (README "Consultants").
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
        cadence_name = (
            Organization.objects.select_for_update()
            .filter(pk=self.pk)
            .values_list("cadence", flat=True)
            .first()
        )
        if cadence_name is None:
            return
        summary = portfolio_summary(Round, Response, self.pk, cadence_name, timezone.localdate())
        Organization.objects.filter(pk=self.pk).update(**summary)
        for name, value in summary.items():
            setattr(self, name, value)

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
                BenchmarkEntry.objects.filter(organization=self).delete()


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


class RoundQuerySet(models.QuerySet):
    def for_member(self, user):
        return self.filter(organization__memberships__user=user)

    def close_lapsed(self, organization):
        """Set closed_at on ORGANIZATION's rounds whose closing date has passed."""
        return self.filter(
            organization=organization,
            closed_at__isnull=True,
            closes_on__lt=timezone.localdate(),
        ).update(closed_at=timezone.now())

    def scored(self):
        return self.filter(respondents__gt=0)

    def published(self):
        """Rounds whose figures the organization's members may see (Round.is_published)."""
        return self.filter(_published())

    def for_consultants(self):
        """Rounds whose figures consultants may see (Round.shows_figures_to_consultants)."""
        return self.filter(
            _published_as_confidential() | Q(consultant_access=True, respondents__gt=0)
        )

    def by_share_token(self, token):
        return self.filter(pk=tokens.share_token_pk(token))

    def before(self, round):
        """Rounds of the same organization opened before ROUND, latest first."""
        earlier = Q(opened_on__lt=round.opened_on) | Q(opened_on=round.opened_on, pk__lt=round.pk)
        return self.filter(earlier, organization_id=round.organization_id).order_by(
            "-opened_on", "-pk"
        )

    def after(self, round):
        """Rounds of the same organization opened after ROUND, earliest first."""
        later = Q(opened_on__gt=round.opened_on) | Q(opened_on=round.opened_on, pk__gt=round.pk)
        return self.filter(later, organization_id=round.organization_id).order_by("opened_on", "pk")


def visible_groups(groups, respondents, confidential):
    """The role groups of a published round whose figures may be shown.

    In a confidential round a group shows with at least the minimum number of
    people, and only while the people outside the groups shown number none or
    at least that minimum: otherwise the team's figures minus the groups'
    would give away the answers of the one or two left over.
    """
    counts = {group: data["count"] for group, data in groups.items() if data.get("count")}
    if not confidential:
        return set(counts)
    minimum = settings.ROUND_GROUP_MIN_RESPONDENTS
    shown = {group for group, count in counts.items() if count >= minimum}
    while shown and 0 < respondents - sum(counts[g] for g in shown) < minimum:
        shown.remove(min(shown, key=lambda group: (counts[group], group)))
    return shown


def _published_as_confidential():
    closed = ~open_round(timezone.localdate())
    enough = Q(respondents__gte=settings.ROUND_GROUP_MIN_RESPONDENTS, result_stale=False)
    return closed & enough


def _published():
    return Q(visibility=Round.Visibility.OPEN, respondents__gt=0) | (
        Q(visibility=Round.Visibility.CONFIDENTIAL) & _published_as_confidential()
    )


class Round(Scored):
    """One assessment of one organization at one point in time, on one questionnaire version.

    Who sees what (the privacy model, README "Who sees the answers"): in a
    confidential round the members see no figure until the round is closed
    with at least ROUND_GROUP_MIN_RESPONDENTS submitted, and a role group only
    when showing it cannot expose anyone (visible_groups); in an open round
    they see everything, each person's answers by name. The organization's
    consultants see individual responses only of rounds run with them
    (consultant_access), which respondents are told before they answer.
    """

    class Visibility(models.TextChoices):
        CONFIDENTIAL = "confidential", _("Confidential")
        OPEN = "open", _("Open")

    organization = models.ForeignKey(Organization, models.CASCADE, related_name="rounds")
    questionnaire = models.ForeignKey(Questionnaire, models.PROTECT, related_name="rounds")
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    visibility = models.CharField(
        _("who sees the answers"),
        max_length=12,
        choices=Visibility,
        default=Visibility.CONFIDENTIAL,
        help_text=_(
            "Confidential: members see combined figures only, once the round closes with "
            "enough answers. Open: members see each person's answers, with their name."
        ),
    )
    # Set when a member opens the round (the organization has consultants then)
    # and never changed, so what respondents were told stays true.
    consultant_access = models.BooleanField(
        _("run with a consultant"),
        default=False,
        editable=False,
        help_text=_("The organization's consultants see individual responses of this round."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What a shared link passed around too widely can write (views.respondents.join);
    # high enough by default for a room of people answering together.
    starts_per_hour = models.PositiveIntegerField(
        _("starts per hour through the shared link"),
        default=500,
        validators=[MinValueValidator(1), MaxValueValidator(5000)],
        help_text=_(
            "At most this many people can start answering through the round's shared link "
            "in any one hour; anyone beyond that is asked to try again a little later."
        ),
    )

    # The round's result, refreshed whenever one of its responses is submitted.
    respondents = models.PositiveIntegerField(_("respondents"), default=0)
    lowest = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    highest = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    groups = models.JSONField(_("results per role group"), default=dict, blank=True)
    # Set at a submit until the worker has recomputed the result (see
    # result_changed); a stale confidential round publishes nothing.
    result_stale = models.BooleanField(default=False, editable=False)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True) | Q(closes_on__gte=models.F("opened_on")),
                name="round_closes_after_opening",
            ),
            # A round is open until closed_at is set; a second open round would
            # hide the first one's invitees from the team page.
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(closed_at__isnull=True),
                name="one_open_round_per_organization",
            ),
            models.CheckConstraint(
                condition=Q(starts_per_hour__gte=1, starts_per_hour__lte=5000),
                name="round_starts_per_hour_1_to_5000",
            ),
        ]
        indexes = [
            # The admin's round list, and an organization's rounds latest first
            # (Organization.refresh_summary, the team page).
            models.Index(fields=["-opened_on", "-id"], name="round_opened_idx"),
            models.Index(fields=["organization", "-opened_on", "-id"], name="round_org_opened_idx"),
            # The daily sweep closes lapsed rounds: only open ones are indexed.
            models.Index(
                fields=["closes_on"],
                condition=Q(closed_at__isnull=True),
                name="round_open_closes_idx",
            ),
        ]

    def __str__(self):
        return f"{self.organization} · {self.opened_on}"

    def save(self, *args, update_fields=None, **kwargs):
        with transaction.atomic():
            super().save(*args, update_fields=update_fields, **kwargs)
            self.organization.refresh_summary()

    def get_absolute_url(self):
        return reverse("assessments:round", args=[self.pk])

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            deleted = super().delete(*args, **kwargs)
            Organization(pk=self.organization_id).refresh_summary()
        return deleted

    @property
    def share_token(self):
        """The round's shared link is derived, never stored (see tokens.share_token)."""
        return tokens.share_token(self.pk)

    def get_share_url(self):
        return reverse("assessments:join", args=[self.share_token])

    @property
    def is_open(self):
        """Open until closed by hand or past its closing date (see open_round for the query)."""
        if self.closed_at is not None:
            return False
        return self.closes_on is None or timezone.localdate() <= self.closes_on

    @property
    def is_confidential(self):
        return self.visibility == self.Visibility.CONFIDENTIAL

    def close(self):
        """Close the round now; return False when it was closed already."""
        with transaction.atomic():
            closed = Round.objects.filter(pk=self.pk, closed_at__isnull=True).update(
                closed_at=timezone.now()
            )
            if closed:
                locked = Round.objects.select_for_update().get(pk=self.pk)
                if locked.result_stale:
                    # Published now: recomputed here rather than after the worker's turn.
                    locked.refresh_result()
                else:
                    Organization(pk=self.organization_id).refresh_summary()
        self.refresh_from_db(fields=["closed_at", *Scored.RESULT_FIELDS, *Round.REFRESHED])
        return bool(closed)

    def reopen_refusal(self):
        """Why the round cannot be reopened, or None when it can.

        A published confidential round stays closed: reopening it would let
        members compare its figures before and after the new answers and so
        single out the people who answered late.
        """
        if self.is_open:
            return _("This round is open already.")
        if Round.objects.after(self).exists():
            return _("A later round has opened, so this one stays closed.")
        if self.is_confidential and self.is_published:
            return _(
                "This confidential round has published its figures, so it stays closed: "
                "figures compared before and after new answers would give those answers away."
            )
        return None

    def reopen(self):
        """Open the closed round again, with no closing date; the caller checked reopen_refusal."""
        self.closed_at = None
        if self.closes_on and self.closes_on < timezone.localdate():
            self.closes_on = None
        self.save(update_fields=["closed_at", "closes_on"])

    @property
    def is_published(self):
        """Whether members may see the round's figures.

        A confidential round publishes once, when it closes with enough
        answers, so figures that change after each submission can never be
        compared to single out one person. An open round shows everything.
        """
        if not self.is_confidential:
            return self.respondents > 0
        return self.published_as_confidential

    @property
    def published_as_confidential(self):
        # A result the worker has not recomputed yet is never published: it
        # would change once recomputed, and two versions could be compared.
        return (
            not self.is_open
            and self.respondents >= settings.ROUND_GROUP_MIN_RESPONDENTS
            and not self.result_stale
        )

    @property
    def shows_figures_to_consultants(self):
        """Everything of a round run with them; of any other round, what a confidential one shows.

        An open round's respondents were told their team sees their answers,
        not a consultant: its figures reach consultants only as a confidential
        round's would, so that a round of one is never one person's answers.
        """
        if self.consultant_access:
            return self.respondents > 0
        return self.published_as_confidential

    def shows_spread(self, to_consultants=False):
        """Whether the lowest and highest individual positions may be shown.

        They are two people's positions: only where answers are shown one by one
        anyway, in an open round, or to the consultants of a round run with them.
        """
        return not self.is_confidential or (to_consultants and self.consultant_access)

    def visible_groups(self, to_consultants=False):
        """The role groups whose figures may be shown (see visible_groups below).

        Members see none before the round is published; a round's consultants
        see every group of a round run with them, as they see each response.
        """
        if to_consultants:
            if not self.shows_figures_to_consultants:
                return set()
            return visible_groups(self.groups, self.respondents, not self.consultant_access)
        if not self.is_published:
            return set()
        return visible_groups(self.groups, self.respondents, self.is_confidential)

    def privacy_notice(self):
        """What respondents are told, before they answer, about who sees their answers."""
        minimum = settings.ROUND_GROUP_MIN_RESPONDENTS
        if self.is_confidential:
            sentences = [
                ngettext(
                    "Your answers are confidential. Your team sees only combined figures, "
                    "published when the round closes if at least %(count)s person answered, "
                    "and a role's figures only when at least %(count)s person of that role "
                    "answered.",
                    "Your answers are confidential. Your team sees only combined figures, "
                    "published when the round closes if at least %(count)s people answered, "
                    "and a role's figures only when at least %(count)s people of that role "
                    "answered.",
                    minimum,
                )
                % {"count": minimum}
            ]
        else:
            sentences = [
                _(
                    "This is an open round: the members of your team see each person's "
                    "answers, with their name and role, so that you can discuss them together."
                )
            ]
        if self.consultant_access:
            sentences.append(
                _(
                    "This round is run with a consultant, who also sees individual responses "
                    "in order to advise your team."
                )
            )
        return sentences

    @property
    def consensus(self):
        """The finished workshop, whose consensus result shows beside the mean; else None."""
        workshop = getattr(self, "workshop", None)
        return workshop if workshop is not None and workshop.has_consensus else None

    @property
    def lowest_display(self):
        return results.position_text(self.lowest)

    @property
    def highest_display(self):
        return results.position_text(self.highest)

    def refresh_result(self):
        """Recompute the stored result from the submitted responses' answers.

        Called at each submit and when a submitted response is deleted. The team
        is scored from the answers themselves, through the same path as one
        respondent, so a round of one reads exactly like its response.
        """
        submitted = list(
            self.responses.filter(submitted_at__isnull=False).values_list("pk", "role", "position")
        )
        self.respondents = len(submitted)
        if not submitted:
            for name in [*Scored.RESULT_FIELDS, "lowest", "highest"]:
                setattr(self, name, self._meta.get_field(name).get_default())
            self.groups = {}
        else:
            answers = scored_answers(
                Answer.objects.filter(response__round=self, response__submitted_at__isnull=False)
            )
            result = scoring.aggregate(answers[pk] for pk, _, _ in submitted)
            self.store(result)
            positions = [position for _, _, position in submitted]
            self.lowest, self.highest = min(positions), max(positions)
            self.groups = {}
            for group in RoleGroup:
                members = [pk for pk, role, _ in submitted if ROLE_GROUPS.get(role) == group]
                if members:
                    group_result = scoring.aggregate(answers[pk] for pk in members)
                    self.groups[group] = {
                        "count": len(members),
                        "position": group_result.position,
                        "stage": group_result.stage,
                        "flags": list(group_result.flags),
                        "attainment": {str(k): v for k, v in group_result.attainment.items()},
                        "indicator_scores": group_result.indicators,
                    }
        self.result_stale = False
        self.save(update_fields=[*Scored.RESULT_FIELDS, *Round.REFRESHED])

    REFRESHED = ["respondents", "lowest", "highest", "groups", "result_stale"]

    def result_changed(self):
        """Have the worker recompute the result after a submit, once for a burst of submits.

        Recomputing reads every answer of the round, so it would make each
        submit cost more the bigger the round; it runs as a task instead
        (tasks.refresh_round_result). Until it has run the result is stale,
        and a stale confidential round publishes nothing; closing the round
        recomputes it at once. The portfolio's counts are refreshed here.
        """
        from . import tasks

        Organization(pk=self.organization_id).refresh_summary()
        if Round.objects.filter(pk=self.pk, result_stale=False).update(result_stale=True):
            self.result_stale = True
            tasks.refresh_round_result.enqueue(self.pk)


class ResponseQuerySet(models.QuerySet):
    def reminder_due(self, now):
        """Invitees of open rounds due a reminder at NOW, in the database (cadence.reminder_due)."""
        since = now - cadence.REMINDER_SPACING
        return (
            self.filter(
                invited_at__isnull=False,
                submitted_at__isnull=True,
                reminders_stopped_at__isnull=True,
                reminders_sent__lt=cadence.MAX_REMINDERS,
            )
            .exclude(email="")
            .filter(open_round(timezone.localdate(now), prefix="round__"))
            .filter(
                Q(last_reminded_at__lte=since)
                | Q(last_reminded_at__isnull=True, invited_at__lte=since)
            )
        )

    def by_token(self, token):
        """The response a private link points to (any of its links)."""
        return self.filter(links__digest=tokens.digest(token))

    @transaction.atomic
    def delete(self):
        """Delete, then refresh the result of every round that lost a submitted response."""
        rounds = set(
            self.filter(submitted_at__isnull=False, round__isnull=False).values_list(
                "round_id", flat=True
            )
        )
        organizations = set(
            self.filter(round__isnull=False).values_list("round__organization_id", flat=True)
        )
        deleted = super().delete()
        for round in Round.objects.select_for_update().filter(pk__in=rounds):
            round.refresh_result()
        for pk in organizations:
            # The open round's invited count, when no submitted response left it.
            Organization(pk=pk).refresh_summary()
        return deleted


class Response(Scored):
    """One person's answers; reached only through a private link (see PrivateLink)."""

    Role = Role

    questionnaire = models.ForeignKey(
        Questionnaire, models.PROTECT, related_name="responses", verbose_name=_("questionnaire")
    )
    round = models.ForeignKey(
        Round,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("round"),
    )
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    reminders_stopped_at = models.DateTimeField(
        _("asked for no more reminders"), null=True, blank=True
    )
    last_reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    organization_name = models.CharField(_("organization"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Role)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [
            # The admin's response list is ordered by -created_at.
            models.Index(fields=["-created_at", "-id"], name="response_created_idx"),
            # Invitees who may still get a reminder, per round: the daily sweep
            # reads these of the open rounds only.
            models.Index(
                fields=["round"],
                condition=Q(
                    invited_at__isnull=False,
                    submitted_at__isnull=True,
                    reminders_stopped_at__isnull=True,
                    reminders_sent__lt=cadence.MAX_REMINDERS,
                ),
                name="response_awaiting_reminder_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True)
                | Q(position__isnull=False, stage__isnull=False, coverage__isnull=False),
                name="submitted_response_has_result",
            ),
            models.CheckConstraint(
                condition=Q(position__isnull=True) | Q(position__gte=1, position__lte=4),
                name="response_position_1_to_4",
            ),
            models.UniqueConstraint(
                fields=["round", "email"],
                condition=Q(round__isnull=False) & ~Q(email=""),
                name="one_response_per_email_and_round",
            ),
        ]

    def __str__(self):
        return f"{self.organization_name} · {self.get_role_display()}"

    def save(self, *args, **kwargs):
        with transaction.atomic():
            adding = self._state.adding
            super().save(*args, **kwargs)
            if adding:
                self.issue_link()
                if self.round_id:
                    # One more invitee or shared-link start in the portfolio's response rate.
                    Organization(pk=self.round.organization_id).refresh_summary()

    def claim_reminder(self, now):
        """Count a reminder before it goes out; False if another run counted it first.

        The conditional UPDATE is what lets the daily command and "Remind now"
        run at the same time without sending anything twice.
        """
        return bool(
            Response.objects.filter(pk=self.pk, reminders_sent=self.reminders_sent).update(
                reminders_sent=F("reminders_sent") + 1, last_reminded_at=now
            )
        )

    def file_as_round(self, organization):
        """File this anonymous, submitted response as a closed round of ORGANIZATION.

        Return the new round, or None when the response was filed already (by a
        simultaneous request); the caller holds a transaction.
        """
        unfiled = Response.objects.select_for_update().filter(pk=self.pk, round=None)
        if not unfiled.values_list("pk", flat=True):
            return None
        # The person filing it keeps their own answers: the members see them.
        round = Round.objects.create(
            organization=organization,
            questionnaire=self.questionnaire,
            opened_on=timezone.localdate(self.created_at),
            closed_at=self.submitted_at,
            visibility=Round.Visibility.OPEN,
            # Its respondent was never told about a consultant.
            consultant_access=False,
        )
        Response.objects.filter(pk=self.pk).update(round=round, organization_name=organization.name)
        round.refresh_result()
        return round

    def issue_link(self):
        """Store a new private link and return its token; earlier links keep working.

        The token is kept on this instance only, for the page or e-mail that
        hands it out; the database holds its digest.
        """
        self.token = tokens.new_token()
        PrivateLink.objects.create(response=self, digest=tokens.digest(self.token))
        return self.token

    @transaction.atomic
    def delete(self, *args, **kwargs):
        """Delete, and take a submitted response out of its round's result."""
        deleted = super().delete(*args, **kwargs)
        if self.round_id and self.is_submitted:
            Round.objects.select_for_update().get(pk=self.round_id).refresh_result()
        elif self.round_id:
            Organization(pk=self.round.organization_id).refresh_summary()
        return deleted

    @property
    def is_submitted(self):
        return self.submitted_at is not None

    @property
    def accepts_answers(self):
        return not self.is_submitted and (self.round is None or self.round.is_open)

    def answered_question_ids(self):
        return set(self.answers.values_list("question_id", flat=True))

    def submit(self):
        """Score the saved answers and store the result once; the caller holds the row lock.

        Return False, storing nothing, when the round closed in the meantime:
        the round is locked and checked first, so a submit in flight can never
        change the figures of a round that has closed (and published them).
        """
        round = None
        if self.round_id:
            # Locked, so concurrent submits refresh it one after the other.
            round = Round.objects.select_for_update().get(pk=self.round_id)
            if not round.is_open:
                return False
        result, indicator_scores = score_answers(
            self.answers.select_related("question__indicator__stage", "option")
        )
        self.store(result, indicator_scores)
        self.submitted_at = timezone.now()
        self.save()
        if round is not None:
            round.result_changed()
        return True


class PrivateLink(models.Model):
    """One private link to a response. Only the digest of its token is stored."""

    response = models.ForeignKey(Response, models.CASCADE, related_name="links")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("private link")
        verbose_name_plural = _("private links")

    def __str__(self):
        return f"{self.response_id} · {self.created_at:%Y-%m-%d}"


def private_url(token):
    """The absolute address of a private link, for e-mails."""
    return settings.SITE_URL + reverse("assessments:resume", args=[token])


def issue_links(responses):
    """Response.issue_link() for many responses in one INSERT; each keeps its token."""
    for response in responses:
        response.token = tokens.new_token()
    PrivateLink.objects.bulk_create(
        PrivateLink(response=response, digest=tokens.digest(response.token))
        for response in responses
    )


def score_answers(answers):
    """Score one respondent's Answer rows; also return each indicator's score (None if unknown)."""
    result = scoring.score(_scoring_answer(answer) for answer in answers)
    return result, result.indicators


def scored_answers(answers):
    """Group an Answer queryset by response as scoring.Answer lists: {response id: [answer, ...]}.

    Read as plain values: a round's recompute reads every answer of the round,
    and building model instances for them took most of its time (0.7 s of
    0.9 s at 300 respondents, while submits waited on the round's lock).
    """
    grouped = {}
    rows = answers.values_list(
        "response_id",
        "question__indicator__stage__number",
        "option__value",
        "question__weight",
        "question__indicator__key",
    )
    for response_id, stage, value, weight, indicator in rows:
        grouped.setdefault(response_id, []).append(
            scoring.Answer(stage=stage, value=value, weight=weight, indicator=indicator)
        )
    return grouped


def _scoring_answer(answer):
    question = answer.question
    return scoring.Answer(
        stage=question.indicator.stage.number,
        value=answer.option.value if answer.option_id else None,
        weight=question.weight,
        indicator=question.indicator.key,
    )


class PlanItem(models.Model):
    """A step the members commit to before the next round: a stage's next step or an indicator."""

    class Owner(models.TextChoices):
        MARKETING = "marketing", _("Marketing")
        SALES = "sales", _("Sales")
        BOTH = "both", _("Marketing and sales")

    round = models.ForeignKey(Round, models.CASCADE, related_name="plan")
    # PROTECT: a plan and its check are history; the content they point to stays.
    step = models.ForeignKey(
        NextStep,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_items",
        verbose_name=_("step"),
    )
    indicator = models.ForeignKey(
        Indicator,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_items",
        verbose_name=_("indicator"),
    )
    owner = models.CharField(_("owner"), max_length=10, choices=Owner, blank=True)
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person responsible"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("committed"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        constraints = [
            models.CheckConstraint(
                condition=Q(step__isnull=True, indicator__isnull=False)
                | Q(step__isnull=False, indicator__isnull=True),
                name="plan_item_is_a_step_or_an_indicator",
            ),
            models.UniqueConstraint(
                fields=["round", "step"], condition=Q(step__isnull=False), name="one_item_per_step"
            ),
            models.UniqueConstraint(
                fields=["round", "indicator"],
                condition=Q(indicator__isnull=False),
                name="one_item_per_indicator",
            ),
        ]

    def __str__(self):
        return _("Plan of %(organization)s after the round of %(date)s: %(text)s") % {
            "organization": self.round.organization,
            "date": self.round.opened_on,
            "text": self.text,
        }

    @property
    def text(self):
        return self.step.text if self.step_id else self.indicator.action

    @property
    def is_done(self):
        return self.done_at is not None

    @property
    def is_overdue(self):
        return not self.is_done and self.due_on is not None and self.due_on < timezone.localdate()


class Answer(models.Model):
    response = models.ForeignKey(Response, models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, models.PROTECT, related_name="answers")
    # No option means the respondent chose "I don't know".
    option = models.ForeignKey(Option, models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self):
        return f"{self.question_id}: {self.option or '?'}"


# The alignment workshop (README "The alignment workshop"): the meeting where
# the two leaders turn a round's perception gap into a consensus and decisions.


class Workshop(Scored):
    """A round's workshop; its stored result scores the consensus answers like a response."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in-progress", _("In progress")
        FINISHED = "finished", _("Finished")

    round = models.OneToOneField(
        Round, models.CASCADE, related_name="workshop", verbose_name=_("round")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.IN_PROGRESS
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # What the presenter shows now, followed by everyone else's screen.
    current_item = models.ForeignKey(
        "WorkshopItem", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    timer_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="in-progress", finished_at__isnull=True)
                | Q(status="finished", finished_at__isnull=False),
                name="workshop_finished_when_finished_at",
            ),
            models.CheckConstraint(
                condition=Q(position__isnull=True) | Q(position__gte=1, position__lte=4),
                name="workshop_position_1_to_4",
            ),
        ]

    def __str__(self):
        return _("Workshop of %(round)s") % {"round": self.round}

    def get_absolute_url(self):
        return reverse("assessments:workshop", args=[self.round_id])

    @property
    def is_finished(self):
        return self.status == self.Status.FINISHED

    def decided_items(self):
        """The question items with a consensus answer (an option or "we don't know")."""
        return self.items.filter(question__isnull=False).filter(
            Q(option__isnull=False) | Q(dont_know=True)
        )

    def refresh_result(self):
        """Score the consensus answers through the same path as one response, and store it."""
        decided = self.decided_items().select_related("question__indicator__stage", "option")
        result, indicator_scores = score_answers(decided)
        self.store(result, indicator_scores)
        self.save(update_fields=Scored.RESULT_FIELDS)

    @property
    def has_consensus(self):
        return self.is_finished and self.position is not None


class WorkshopItem(models.Model):
    """One agenda item: a question of the round, or a topic the facilitator added.

    ``option`` and ``question`` carry the names of Answer's fields, so that the
    consensus answers are scored by score_answers exactly like a response's.
    ``version`` counts saves: a save names the version it was edited from and is
    refused when another facilitator saved in the meantime.
    """

    workshop = models.ForeignKey(Workshop, models.CASCADE, related_name="items")
    question = models.ForeignKey(
        Question,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("question"),
    )
    # The indicator's stable key, to compare with the round's figures across versions.
    indicator_key = models.CharField(max_length=80, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"))
    skipped = models.BooleanField(_("skipped"), default=False)
    minutes = models.PositiveSmallIntegerField(_("suggested minutes"))
    # The share the agenda was ranked by (None: the disagreement could not be shown).
    disagreement = models.FloatField(null=True, blank=True)
    option = models.ForeignKey(
        Option,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consensus answer"),
    )
    dont_know = models.BooleanField(_("we don't know"), default=False)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    plan_item = models.ForeignKey(
        PlanItem, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("saved"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["workshop", "position", "pk"]
        verbose_name = _("workshop item")
        verbose_name_plural = _("workshop items")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "question"],
                condition=Q(question__isnull=False),
                name="one_workshop_item_per_question",
            ),
            models.CheckConstraint(
                condition=Q(question__isnull=False) | ~Q(title=""),
                name="workshop_item_is_a_question_or_titled",
            ),
            models.CheckConstraint(
                condition=~Q(option__isnull=False, dont_know=True),
                name="workshop_item_one_consensus_answer",
            ),
            models.CheckConstraint(
                condition=Q(question__isnull=False) | Q(option__isnull=True, dont_know=False),
                name="workshop_item_consensus_needs_a_question",
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=120),
                name="workshop_item_minutes_1_to_120",
            ),
        ]

    def __str__(self):
        return self.label

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.option_id and self.option.question_id != self.question_id:
            raise ValidationError({"option": _("Choose one of this question's options.")})

    @property
    def label(self):
        return self.title or (self.question.text if self.question_id else "")

    @property
    def is_decided(self):
        return self.option_id is not None or self.dont_know

    @property
    def disagreement_points(self):
        return None if self.disagreement is None else scoring.percent(self.disagreement)


class BenchmarkGroup(models.Model):
    """One peer group's distributions, as materialize_benchmark last computed them.

    Only groups that may be shown (benchmark.shown_groups) are ever stored.
    """

    class Kind(models.TextChoices):
        ALL = "all", _("All contributing organizations")
        INDUSTRY = "industry", _("Same industry")
        SIZE = "size", _("Same size")
        INDUSTRY_SIZE = "industry-size", _("Same industry and size")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    industry = models.CharField(
        _("industry"), max_length=20, choices=Organization.Industry, blank=True
    )
    size = models.CharField(_("size"), max_length=10, choices=Organization.Size, blank=True)
    organizations = models.PositiveIntegerField(_("organizations"))
    # Percentiles of the position ({"10": 1.8, "25": ..., "90": ...}).
    positions = models.JSONField(_("positions"), default=dict)
    # Quartiles of each scored stage's attainment ({"2": {"25": .., "50": .., "75": ..}}).
    attainment = models.JSONField(_("attainment per stage"), default=dict)
    # Organizations per stage ({"1": 12, "2": null, ...}): null below the minimum.
    stages = models.JSONField(_("organizations per stage"), default=dict)
    # Quartiles of the marketing–sales gap in points, with how many it covers; {} when hidden.
    gap = models.JSONField(_("marketing–sales gap"), default=dict)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["kind", "industry", "size"]
        verbose_name = _("benchmark group")
        verbose_name_plural = _("benchmark groups")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "industry", "size"], name="one_benchmark_group_per_key"
            )
        ]

    def __str__(self):
        return str(self.label)

    @property
    def label(self):
        if self.kind == self.Kind.INDUSTRY:
            return _("Organizations in %(industry)s") % {"industry": self.get_industry_display()}
        if self.kind == self.Kind.SIZE:
            return _("Organizations of %(size)s") % {"size": self.get_size_display()}
        if self.kind == self.Kind.INDUSTRY_SIZE:
            return _("Organizations in %(industry)s with %(size)s") % {
                "industry": self.get_industry_display(),
                "size": self.get_size_display(),
            }
        return _("All contributing organizations")


class BenchmarkEntry(models.Model):
    """Where one contributing organization stands in its shown group."""

    organization = models.OneToOneField(
        Organization, models.CASCADE, related_name="benchmark", verbose_name=_("organization")
    )
    group = models.ForeignKey(
        BenchmarkGroup, models.CASCADE, related_name="entries", verbose_name=_("group")
    )
    round = models.ForeignKey(Round, models.CASCADE, related_name="+", verbose_name=_("round"))
    # The narrowest group the organization belongs to (its industry and size):
    # when it differs from group, the page says it fell back to a wider one.
    narrowest = models.CharField(max_length=16, choices=BenchmarkGroup.Kind)
    position = models.DecimalField(_("position"), max_digits=5, decimal_places=4)
    stage = models.PositiveSmallIntegerField(_("stage"))
    percentile = models.PositiveSmallIntegerField(_("percentile"))
    attainment = models.JSONField(_("attainment per stage"), default=dict)
    attainment_percentiles = models.JSONField(default=dict)
    gap = models.PositiveSmallIntegerField(_("marketing–sales gap"), null=True, blank=True)
    # The gap has fewer contributors (both sides must be shown), so its group
    # can be a wider one than the position's.
    gap_group = models.ForeignKey(
        BenchmarkGroup, models.CASCADE, null=True, blank=True, related_name="+"
    )
    gap_percentile = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("benchmark entry")
        verbose_name_plural = _("benchmark entries")

    def __str__(self):
        return f"{self.organization_id} · {self.percentile}"

    @property
    def fell_back(self):
        return self.narrowest != self.group.kind


class PortfolioExport(models.Model):
    """A large portfolio export, prepared by the worker and downloaded by whoever asked.

    The file is kept in the database, so any app server can serve it, and only
    for EXPORT_KEEP_HOURS: the daily sweep deletes older ones.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

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
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

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
