"""The questionnaire: versions, pages, questions and their anchored options."""

from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stages.models import Indicator


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
