"""The peer benchmark as materialize_benchmark last computed it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .organizations import Organization
from .rounds import Round


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
    # Independent contributors among them (benchmark.contributors): what every
    # minimum counts.
    contributors = models.PositiveIntegerField(_("independent contributors"), default=0)
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
