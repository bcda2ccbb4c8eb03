import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Cast, NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stages.models import Indicator, NextStep

from . import cadence, results, scoring


def new_token():
    """Return an unguessable, URL-safe key (256 bits of randomness)."""
    return secrets.token_urlsafe(32)


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
        """Annotate each organization with its latest results, in one query.

        The latest and previous scored rounds and the open round's response
        counts come from correlated subqueries on stored results, so the list
        costs one query whatever the number of clients.
        """
        scored = Round.objects.filter(organization=OuterRef("pk"), respondents__gt=0).order_by(
            "-opened_on", "-pk"
        )
        latest_round = Round.objects.filter(organization=OuterRef("pk")).order_by(
            "-opened_on", "-pk"
        )
        open_responses = (
            Response.objects.filter(round__organization=OuterRef("pk"))
            .filter(open_round(today, prefix="round__"))
            .order_by()
            .values("round__organization")
        )
        count = Count("pk")
        return self.annotate(
            latest_position=Subquery(scored.values("position")[:1]),
            latest_stage=Subquery(scored.values("stage")[:1]),
            latest_flags=Subquery(scored.values("flags")[:1]),
            latest_groups=Subquery(scored.values("groups")[:1]),
            previous_position=Subquery(scored.values("position")[1:2]),
            change=F("latest_position") - F("previous_position"),
            last_round_on=Subquery(latest_round.values("opened_on")[:1]),
            invited=Subquery(open_responses.annotate(n=count).values("n")),
            submitted=Subquery(
                open_responses.filter(submitted_at__isnull=False).annotate(n=count).values("n")
            ),
            response_rate=ExpressionWrapper(
                Cast("submitted", FloatField()) / NullIf(F("invited"), 0), output_field=FloatField()
            ),
        )


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
    # Kept up to date by refresh_schedule() whenever a round opens or the cadence
    # changes, so lists can filter and sort on it in the database.
    next_due_on = models.DateField(_("next round due"), null=True, blank=True, editable=False)
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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        permissions = [("view_dashboard", _("Can view the consultants' dashboard"))]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.pk:
            self.next_due_on = self._next_due()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("assessments:team", args=[self.pk])

    def refresh_schedule(self):
        """Store the next due date after a round opened."""
        self.next_due_on = self._next_due()
        Organization.objects.filter(pk=self.pk).update(next_due_on=self.next_due_on)

    def _next_due(self):
        last = self.rounds.aggregate(last=Max("opened_on"))["last"]
        return cadence.next_due(last, self.cadence)

    @property
    def is_overdue(self):
        return cadence.is_overdue(self.next_due_on, timezone.localdate())


class Membership(models.Model):
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role)
    language = models.CharField(_("language"), max_length=10, default="en")
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


class MemberInvitation(models.Model):
    """An invitation for another leader to become a member; accepted once, within its validity."""

    VALID_FOR = timedelta(days=14)

    organization = models.ForeignKey(Organization, models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=20, choices=Role)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("member invitation")
        verbose_name_plural = _("member invitations")

    def __str__(self):
        return self.email

    @property
    def is_usable(self):
        return self.accepted_at is None and timezone.now() < self.created_at + self.VALID_FOR


class RoundQuerySet(models.QuerySet):
    def for_member(self, user):
        return self.filter(organization__memberships__user=user)

    def scored(self):
        return self.filter(respondents__gt=0)

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


class Round(Scored):
    """One assessment of one organization at one point in time, on one questionnaire version."""

    organization = models.ForeignKey(Organization, models.CASCADE, related_name="rounds")
    questionnaire = models.ForeignKey(Questionnaire, models.PROTECT, related_name="rounds")
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    share_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # The round's result, refreshed whenever one of its responses is submitted.
    respondents = models.PositiveIntegerField(_("respondents"), default=0)
    lowest = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    highest = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    groups = models.JSONField(_("results per role group"), default=dict, blank=True)

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
        ]

    def __str__(self):
        return f"{self.organization} · {self.opened_on}"

    def save(self, *args, update_fields=None, **kwargs):
        super().save(*args, update_fields=update_fields, **kwargs)
        if update_fields is None or "opened_on" in update_fields:
            self.organization.refresh_schedule()

    def get_absolute_url(self):
        return reverse("assessments:round", args=[self.pk])

    def get_share_url(self):
        return reverse("assessments:join", args=[self.share_token])

    @property
    def is_open(self):
        """Open until closed by hand or past its closing date (see open_round for the query)."""
        if self.closed_at is not None:
            return False
        return self.closes_on is None or timezone.localdate() <= self.closes_on

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
                Answer.objects.filter(
                    response__round=self, response__submitted_at__isnull=False
                ).select_related("question__indicator__stage", "option")
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
        self.save(
            update_fields=[*Scored.RESULT_FIELDS, "respondents", "lowest", "highest", "groups"]
        )


class ResponseQuerySet(models.QuerySet):
    @transaction.atomic
    def delete(self):
        """Delete, then refresh the result of every round that lost a submitted response."""
        rounds = set(
            self.filter(submitted_at__isnull=False, round__isnull=False).values_list(
                "round_id", flat=True
            )
        )
        deleted = super().delete()
        for round in Round.objects.select_for_update().filter(pk__in=rounds):
            round.refresh_result()
        return deleted


class Response(Scored):
    Role = Role

    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
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

    def get_absolute_url(self):
        return reverse("assessments:resume", args=[self.token])

    @transaction.atomic
    def delete(self, *args, **kwargs):
        """Delete, and take a submitted response out of its round's result."""
        deleted = super().delete(*args, **kwargs)
        if self.round_id and self.is_submitted:
            Round.objects.select_for_update().get(pk=self.round_id).refresh_result()
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
        """Score the saved answers and store the result once; the caller holds the row lock."""
        result, indicator_scores = score_answers(
            self.answers.select_related("question__indicator__stage", "option")
        )
        self.store(result, indicator_scores)
        self.submitted_at = timezone.now()
        self.save()
        if self.round_id:
            # Lock the round so concurrent submits refresh it one after the other.
            Round.objects.select_for_update().get(pk=self.round_id).refresh_result()


def score_answers(answers):
    """Score one respondent's Answer rows; also return each indicator's score (None if unknown)."""
    result = scoring.score(_scoring_answer(answer) for answer in answers)
    return result, result.indicators


def scored_answers(answers):
    """Group Answer rows by response as scoring.Answer lists: {response id: [answer, ...]}."""
    grouped = {}
    for answer in answers:
        grouped.setdefault(answer.response_id, []).append(_scoring_answer(answer))
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
