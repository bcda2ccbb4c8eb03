"""Evidence beside opinion: the aggregates read from a round's CRM export, the columns an
organization chose for its exports, and the rules that turn a metric into a verdict."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import evidence, tokens
from .organizations import Organization
from .rounds import Round

UPLOAD_PURPOSE = "smarketing.evidence-upload"


class Kind(models.TextChoices):
    LEADS = evidence.LEADS, _("Leads or contacts")
    DEALS = evidence.DEALS, _("Deals or opportunities")


class EvidenceQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(status__in=Evidence.UNFINISHED)

    def current(self, round):
        """What a round's pages show: each kind's latest ready evidence, and the latest upload.

        One query over the round's uploads (a handful); returns (ready by kind,
        latest upload or None).
        """
        uploads = list(self.filter(round=round).select_related("created_by"))
        ready = {}
        for upload in uploads:
            if upload.status == Evidence.Status.READY:
                ready.setdefault(upload.kind, upload)
        return ready, (uploads[0] if uploads else None)

    def ready_by_round(self, rounds):
        """Round id -> {kind: its latest ready evidence}, for many rounds in one query."""
        found = {}
        ready = self.filter(round__in=rounds, status=Evidence.Status.READY).only(
            "round_id", "kind", "metrics"
        )
        for record in ready:
            found.setdefault(record.round_id, {}).setdefault(record.kind, record)
        return found

    def contradictions(self, round):
        """What ROUND's evidence contradicts as the round is seen (contradictions); 1–2 queries."""
        ready = self.ready_by_round([round.pk]).get(round.pk)
        if not ready:
            return {}
        return contradictions(round, ready, MetricRule.objects.as_rules())


def judgements(round, ready, rules):
    """What READY ({kind: Evidence}) says of each indicator of ROUND (evidence.judgements).

    ROUND as its reader sees it (Round.seen): the verdicts lean on the team's
    figures, so they are judged on the figures that reader may see, and on
    none when the round shows them no figures (or was not read through a view).
    """
    return evidence.judgements(*_inputs(round, ready), rules=rules)


def contradictions(round, ready, rules):
    """Indicator key -> metric keys: what READY contradicts in ROUND as seen (judgements)."""
    return evidence.contradicted(*_inputs(round, ready), rules=rules)


def _inputs(round, ready):
    view = getattr(round, "shown_view", None)
    measures = {kind: record.measures() for kind, record in ready.items()}
    return measures, round.indicator_scores or {}, view.figures if view is not None else False


class Evidence(models.Model):
    """What one uploaded export said: aggregates only, never a row of the file.

    The file itself waits, encrypted, in an EvidenceUpload row that the worker
    deletes as soon as it has read it (tasks.read_evidence).
    """

    class Status(models.TextChoices):
        MAPPING = "mapping", _("Waiting for its columns")
        PENDING = "pending", _("Waiting to be read")
        PARSING = "parsing", _("Being read")
        READY = "ready", _("Read")
        FAILED = "failed", _("Could not be read")

    UNFINISHED = [Status.MAPPING, Status.PENDING, Status.PARSING]

    round = models.ForeignKey(
        Round, models.CASCADE, related_name="evidence", verbose_name=_("round")
    )
    kind = models.CharField(_("what the file holds"), max_length=8, choices=Kind)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.PENDING)
    # The name of the uploaded file and how it was read; never its content.
    filename = models.CharField(_("file"), max_length=200)
    file_format = models.CharField(max_length=4)
    encoding = models.CharField(max_length=20, blank=True)
    source = models.CharField(_("export recognised"), max_length=12, blank=True)
    # Field -> [[column index, column name], ...]: the header names the metrics read.
    columns = models.JSONField(default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    rows_read = models.PositiveIntegerField(_("records read"), default=0)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    # Metric key -> evidence.Measure.as_json().
    metrics = models.JSONField(default=dict, blank=True)
    # [[code, params], ...] for evidence.note_message.
    notes = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=40, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("CRM evidence")
        verbose_name_plural = _("CRM evidence")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="evidence_progress_0_to_100"
            ),
            # One file at a time per round: a second would race the first for "latest".
            models.UniqueConstraint(
                fields=["round"],
                condition=Q(status__in=["mapping", "pending", "parsing"]),
                name="one_unfinished_evidence_per_round",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "-created_at"], name="evidence_round_idx"),
            # The daily sweep looks for uploads left unread: only unfinished ones are indexed.
            models.Index(
                fields=["created_at"],
                condition=Q(status__in=["mapping", "pending", "parsing"]),
                name="evidence_unfinished_idx",
            ),
        ]

    def __str__(self):
        return f"{self.filename} ({self.get_kind_display()})"

    def delete(self, *args, **kwargs):
        """Delete, and store again what its organization's evidence contradicts without it."""
        with transaction.atomic():
            deleted = super().delete(*args, **kwargs)
            Organization.objects.get(pk=self.round.organization_id).refresh_summary()
        return deleted

    @property
    def is_unfinished(self):
        return self.status in self.UNFINISHED

    @property
    def progress_message(self):
        if self.status == self.Status.PENDING:
            return str(_("Waiting for its turn to be read."))
        return ngettext(
            "%(count)s record read so far.", "%(count)s records read so far.", self.rows_read
        ) % {"count": number_format(self.rows_read, force_grouping=True)}

    @property
    def error_message(self):
        return evidence.error_message(self.error, self.error_params)

    def note_messages(self):
        return [evidence.note_message(code, params) for code, params in self.notes]

    def measures(self):
        return {key: evidence.Measure.from_json(data) for key, data in self.metrics.items()}

    def column_names(self):
        """(field label, column names) for each field read, in the fields' order."""
        return [
            (spec.label, [name for _index, name in self.columns[spec.key]])
            for spec in evidence.fields(self.kind)
            if self.columns.get(spec.key)
        ]

    def column_choice(self):
        """Field -> column name, as an organization's remembered choice (EvidenceMapping)."""
        return {key: pairs[0][1] for key, pairs in self.columns.items() if pairs}

    def store(self, result):
        """Keep what evidence.read() found: its aggregates and how the file was read."""
        self.rows_read = result.rows
        self.period_start, self.period_end = result.period or (None, None)
        self.metrics = {key: m.as_json() for key, m in result.measures.items()}
        self.notes = [[code, params] for code, params in result.notes()]
        self.status = self.Status.READY
        self.progress = 100


class EvidenceUpload(models.Model):
    """An uploaded export, encrypted, until the worker has read it.

    Deleted in the transaction that stores the evidence's aggregates (or its
    failure); one waiting for its columns is deleted after
    EVIDENCE_MAPPING_MINUTES. Encrypted with a key derived from SECRET_KEY, so
    a backup taken in those minutes holds no readable personal data.
    """

    evidence = models.OneToOneField(
        Evidence, models.CASCADE, primary_key=True, related_name="upload"
    )
    content = models.BinaryField()
    # The header row, for the mapping step: column names only.
    header = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("uploaded export")
        verbose_name_plural = _("uploaded exports")

    def __str__(self):
        return str(self.evidence_id)

    @classmethod
    def seal(cls, evidence, data, header):
        return cls(evidence=evidence, content=tokens.seal(data, UPLOAD_PURPOSE), header=header)

    def data(self):
        return tokens.unseal(bytes(self.content), UPLOAD_PURPOSE)


class EvidenceMapping(models.Model):
    """The columns an organization chose for its exports of one kind, offered again next time."""

    organization = models.ForeignKey(Organization, models.CASCADE, related_name="evidence_mappings")
    kind = models.CharField(max_length=8, choices=Kind)
    # Field key -> column name.
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("export columns")
        verbose_name_plural = _("export columns")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind"], name="one_evidence_mapping_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.organization} · {self.get_kind_display()}"


class MetricRuleQuerySet(models.QuerySet):
    def as_rules(self):
        """Every metric's evidence.Rule, in one query."""
        return {rule.metric: rule.as_rule() for rule in self}


class MetricRule(models.Model):
    """When a metric shows its practice in place or missing, and how many records a verdict needs.

    One row per metric, loaded by a migration and edited in the admin; the
    thresholds are in the unit the pages show (hours, or whole percent).
    """

    metric = models.CharField(
        _("metric"),
        max_length=30,
        unique=True,
        choices=[(key, metric.label) for key, metric in evidence.METRICS.items()],
        editable=False,
    )
    in_place_at = models.FloatField(
        _("in place at"),
        null=True,
        blank=True,
        help_text=_(
            "At this figure or better, the data shows the practice in place (hours, or percent)."
        ),
    )
    missing_at = models.FloatField(
        _("missing at"),
        null=True,
        blank=True,
        help_text=_(
            "At this figure or worse, the data shows the practice missing; between the two, "
            "partly in place."
        ),
    )
    min_records = models.PositiveIntegerField(
        _("fewest records"),
        default=30,
        help_text=_("A metric resting on fewer records gives no verdict."),
    )

    objects = MetricRuleQuerySet.as_manager()

    class Meta:
        ordering = ["metric"]
        verbose_name = _("evidence rule")
        verbose_name_plural = _("evidence rules")
        constraints = [
            models.CheckConstraint(condition=Q(min_records__gte=1), name="metric_rule_min_records"),
            models.CheckConstraint(
                condition=Q(in_place_at__isnull=True, missing_at__isnull=True)
                | Q(in_place_at__isnull=False, missing_at__isnull=False),
                name="metric_rule_both_thresholds_or_none",
            ),
        ]

    def __str__(self):
        return str(self.get_metric_display())

    def clean(self):
        metric = evidence.METRICS.get(self.metric)
        if metric is None:
            return
        if not metric.indicators:
            if self.in_place_at is not None or self.missing_at is not None:
                raise ValidationError(
                    _("This metric is context only: it gives no verdict, so it has no thresholds.")
                )
            return
        if self.in_place_at is None or self.missing_at is None:
            raise ValidationError(_("Set both thresholds."))
        for name in ("in_place_at", "missing_at"):
            value = getattr(self, name)
            if value < 0 or (metric.unit == evidence.SHARE and value > 100):
                raise ValidationError(
                    {name: _("Use a figure from 0 to 100 (percent).")}
                    if metric.unit == evidence.SHARE
                    else {name: _("Use a figure of 0 hours or more.")}
                )
        if metric.lower_is_better and not self.in_place_at < self.missing_at:
            message = _("Lower is better here: “missing at” must be above “in place at”.")
            raise ValidationError({"missing_at": message})
        if not metric.lower_is_better and not self.in_place_at > self.missing_at:
            message = _("Higher is better here: “missing at” must be below “in place at”.")
            raise ValidationError({"missing_at": message})

    @property
    def metric_info(self):
        return evidence.METRICS.get(self.metric)

    def as_rule(self):
        return evidence.Rule(self.in_place_at, self.missing_at, self.min_records)
