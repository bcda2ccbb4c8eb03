"""The alignment workshop (docs/product.md "The alignment workshop"): the meeting where the
leaders turn a round's perception gap into a consensus and decisions."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stages.models import Indicator

from .. import agenda, scoring
from .questionnaire import Option, Question
from .rounds import PlanItem, Round, Scored, score_answers

# A meeting of a quarter of an hour at least, a working day at most.
TIME_BOX_MIN, TIME_BOX_MAX = 15, 480


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
    time_box = models.PositiveSmallIntegerField(
        _("time box (minutes)"),
        default=agenda.DEFAULT_TIME_BOX,
        validators=[MinValueValidator(TIME_BOX_MIN), MaxValueValidator(TIME_BOX_MAX)],
        help_text=_("How long the meeting lasts; the agenda's minutes are shared out to fit it."),
    )
    # How many of the indicators have a consensus answer, of how many: a consensus
    # with undecided indicators is partial, and every page says so.
    items_decided = models.PositiveSmallIntegerField(_("indicators decided"), default=0)
    items_to_decide = models.PositiveSmallIntegerField(_("indicators to decide"), default=0)

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
            models.CheckConstraint(
                condition=Q(time_box__gte=TIME_BOX_MIN, time_box__lte=TIME_BOX_MAX),
                name="workshop_time_box_15_to_480",
            ),
            models.CheckConstraint(
                condition=Q(items_decided__lte=F("items_to_decide")),
                name="workshop_decided_at_most_all",
            ),
        ]

    def __str__(self):
        return _("Workshop of %(round)s") % {"round": self.round}

    def get_absolute_url(self):
        return reverse("assessments:workshop", args=[self.round_id])

    @property
    def is_finished(self):
        return self.status == self.Status.FINISHED

    def refresh_result(self):
        """Score the consensus as one response would be scored, and store it.

        The answers agreed on decided indicators count; every other question of
        the round counts as unknown ("I don't know"), so a partial consensus is
        held to the same coverage and lower-bound rules as any result.
        """
        questions = [
            question
            for section in self.round.questionnaire.answered_pages()
            for question in section.questions.all()
        ]
        agreed = {
            answer.question_id: answer
            for answer in WorkshopAnswer.objects.filter(
                item__workshop=self, item__decided_at__isnull=False
            ).select_related("option")
        }
        answers = []
        for question in questions:
            answer = agreed.get(question.pk) or WorkshopAnswer(question=question)
            answer.question = question  # with its indicator and stage loaded
            answers.append(answer)
        result, indicator_scores = score_answers(answers)
        self.store(result, indicator_scores)
        indicators = self.items.filter(indicator__isnull=False)
        self.items_to_decide = indicators.count()
        self.items_decided = indicators.filter(decided_at__isnull=False).count()
        self.save(update_fields=[*Scored.RESULT_FIELDS, "items_decided", "items_to_decide"])

    @property
    def has_consensus(self):
        return self.is_finished and self.position is not None

    @property
    def is_partial(self):
        """Whether some indicators have no consensus answer (they count as unknown)."""
        return self.items_decided < self.items_to_decide


class WorkshopItem(models.Model):
    """One agenda item: an indicator of the round, or a topic the facilitator added.

    An indicator's consensus is one WorkshopAnswer per question of it; the item
    is decided (``decided_at``) once every question has one. ``version`` counts
    saves: a save names the version it was edited from and is refused when
    another facilitator saved in the meantime.
    """

    workshop = models.ForeignKey(Workshop, models.CASCADE, related_name="items")
    indicator = models.ForeignKey(
        Indicator,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indicator"),
    )
    # The indicator's stable key, to compare with the round's figures across versions.
    indicator_key = models.CharField(max_length=80, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"))
    # Put off to the next meeting by the facilitator.
    skipped = models.BooleanField(_("skipped"), default=False)
    # Skipped, or past the time box: listed under "Next time", not presented.
    next_time = models.BooleanField(_("next time"), default=False)
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    # The share the agenda was ranked by (None: the disagreement could not be shown).
    disagreement = models.FloatField(null=True, blank=True)
    # Ranked up because the round's CRM evidence contradicted the team's answers on it
    # when the agenda was made (agenda.order).
    contradicted = models.BooleanField(_("contradicted by the CRM"), default=False)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    plan_item = models.ForeignKey(
        PlanItem, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
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
                fields=["workshop", "indicator"],
                condition=Q(indicator__isnull=False),
                name="one_workshop_item_per_indicator",
            ),
            models.CheckConstraint(
                condition=Q(indicator__isnull=False) | ~Q(title=""),
                name="workshop_item_is_an_indicator_or_titled",
            ),
            models.CheckConstraint(
                condition=Q(indicator__isnull=False) | Q(decided_at__isnull=True),
                name="workshop_item_decision_needs_an_indicator",
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=120),
                name="workshop_item_minutes_1_to_120",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return self.title or (self.indicator.name if self.indicator_id else "")

    @property
    def is_decided(self):
        return self.decided_at is not None

    @property
    def disagreement_points(self):
        return None if self.disagreement is None else scoring.percent(self.disagreement)


class WorkshopAnswer(models.Model):
    """The team's agreed answer to one question of an agenda item's indicator.

    Named like Answer's fields, so that the consensus is scored by
    score_answers exactly as a response is; no option means "we don't know".
    """

    item = models.ForeignKey(WorkshopItem, models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, models.PROTECT, related_name="+")
    option = models.ForeignKey(Option, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("consensus answer")
        verbose_name_plural = _("consensus answers")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "question"], name="one_consensus_answer_per_question"
            ),
        ]

    def __str__(self):
        return f"{self.question_id}: {self.option or '?'}"
