"""The alignment workshop (README "The alignment workshop"): the meeting where the
leaders turn a round's perception gap into a consensus and decisions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import scoring
from .questionnaire import Option, Question
from .rounds import PlanItem, Round, Scored, score_answers


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
