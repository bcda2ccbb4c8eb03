from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #rrggbb."))


class StageQuerySet(models.QuerySet):
    def with_content(self):
        """Load indicators and next steps along with the stages."""
        return self.prefetch_related("indicators", "next_steps")


class Stage(models.Model):
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=80)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"))
    colour = models.CharField(_("colour"), max_length=7, validators=[hex_colour])

    objects = StageQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=4), name="stage_number_1_to_4"
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"

    def get_absolute_url(self):
        return reverse("stages:detail", args=[self.slug])

    @property
    def label(self):
        """Name the stage inside a sentence, where a bare capitalised name reads wrong."""
        return _("stage %(number)s, “%(name)s”") % {"number": self.number, "name": self.name}

    @property
    def defining_indicators(self):
        """The indicators that make this stage (from with_content()'s prefetch)."""
        return [indicator for indicator in self.indicators.all() if indicator.defines_stage]

    @property
    def other_indicators(self):
        return [indicator for indicator in self.indicators.all() if not indicator.defines_stage]


class Indicator(models.Model):
    stage = models.ForeignKey(Stage, models.CASCADE, related_name="indicators")
    key = models.CharField(
        _("key"),
        max_length=80,
        unique=True,
        help_text=_("Stable identifier that questionnaires refer to; never change it."),
        validators=[RegexValidator(r"^[a-z]+\.[a-z0-9-]+$", _("Use stage-slug.indicator-name."))],
    )
    name = models.CharField(
        _("name"),
        max_length=60,
        help_text=_("A few words that head a column of the heatmap or a line of an export."),
    )
    text = models.CharField(_("text"), max_length=300)
    action = models.CharField(
        _("action"),
        max_length=300,
        help_text=_("What a team does to put this indicator in place."),
    )
    defines_stage = models.BooleanField(
        _("defines its stage"),
        default=False,
        help_text=_(
            "One of the practices the article names as what makes this stage: the stage "
            "counts as reached only once each of them is known and established. Results "
            "are scored with it, so it cannot change once answers refer to the indicator."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["stage__number", "order"]
        verbose_name = _("key indicator")
        verbose_name_plural = _("key indicators")

    def __str__(self):
        return self.key

    def clean(self):
        # Stored scores, round comparisons and plans are keyed by it, and the
        # stored positions were placed with the stage it defines.
        if self.pk is None:
            return
        old = Indicator.objects.filter(pk=self.pk).values("key", "defines_stage").first()
        if old is None or not self.is_referenced():
            return
        if old["key"] != self.key:
            raise ValidationError(
                {
                    "key": _(
                        "Answers or plans already refer to “%(key)s”, so its key cannot "
                        "change any more. Add a new indicator instead."
                    )
                    % {"key": old["key"]}
                }
            )
        if old["defines_stage"] != self.defines_stage:
            raise ValidationError(
                {
                    "defines_stage": _(
                        "Stored results were placed on the continuum with this setting, so it "
                        "cannot change while answers or plans refer to “%(key)s”."
                    )
                    % {"key": old["key"]}
                }
            )

    def is_referenced(self):
        """Tell whether submitted answers or committed plan items refer to this indicator."""
        return self.questions.filter(answers__isnull=False).exists() or self.plan_items.exists()


class NextStep(models.Model):
    stage = models.ForeignKey(Stage, models.CASCADE, related_name="next_steps")
    text = models.CharField(_("text"), max_length=400)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["stage__number", "order"]
        verbose_name = _("step to the next stage")
        verbose_name_plural = _("steps to the next stage")

    def __str__(self):
        return self.text
