from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.http import Http404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from .models import (
    Answer,
    Membership,
    MetricRule,
    Option,
    Organization,
    PlanItem,
    PortfolioExport,
    Question,
    Questionnaire,
    Response,
    Round,
    Section,
)
from .tasks import refresh_evidence_flags


def _questionnaire_of(obj):
    if isinstance(obj, Questionnaire):
        return obj
    if isinstance(obj, Question):
        return obj.section.questionnaire
    return None


class ReadOnlyOnceAnswered:
    """A questionnaire version with responses is never edited in place: clone it instead."""

    def _locked(self, obj):
        questionnaire = _questionnaire_of(obj)
        return questionnaire is not None and questionnaire.is_locked

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)


class LockedInline(ReadOnlyOnceAnswered):
    def has_add_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_add_permission(request, obj)


class SectionInline(LockedInline, TranslationStackedInline):
    model = Section
    extra = 0


class OptionInline(LockedInline, TranslationStackedInline):
    model = Option
    extra = 0


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyOnceAnswered, TranslationAdmin):
    list_display = ["version", "title", "is_active", "published_at", "created_at"]
    readonly_fields = ["is_active", "published_at"]
    inlines = [SectionInline]
    actions = ["clone_versions", "publish_version"]

    @admin.action(description=_("Create a new draft version from the selected one"))
    def clone_versions(self, request, queryset):
        for questionnaire in queryset:
            copy = questionnaire.clone()
            self.message_user(request, _("Created draft %(copy)s.") % {"copy": copy})

    @admin.action(description=_("Publish the selected version for new responses"))
    def publish_version(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one version to publish."), messages.ERROR)
            return
        questionnaire = queryset.get()
        questionnaire.publish()
        self.message_user(request, _("Version %(v)s is now active.") % {"v": questionnaire.version})


@admin.register(Question)
class QuestionAdmin(ReadOnlyOnceAnswered, TranslationAdmin):
    list_display = ["text", "indicator", "section", "weight"]
    list_filter = ["section__questionnaire", "indicator__stage"]
    list_select_related = ["indicator", "section__questionnaire"]
    search_fields = ["text_en", "text_es", "indicator__key"]
    autocomplete_fields = ["indicator"]
    inlines = [OptionInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            # New questions only go into versions nobody has answered yet.
            kwargs["queryset"] = Section.objects.filter(
                questionnaire__responses__isnull=True
            ).select_related("questionnaire")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class EstimatedCountPaginator(Paginator):
    """Django's paginator, counting a whole large PostgreSQL table from the planner's estimate.

    COUNT(*) of two million responses takes longer than the page itself; a
    superuser's unfiltered list shows "about" that many instead. Filtered
    lists, and every consultant's (scoped) list, are counted exactly.
    """

    ESTIMATE_ABOVE = 10_000

    @cached_property
    def count(self):
        queryset = self.object_list
        if connection.vendor == "postgresql" and not queryset.query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                estimate = cursor.fetchone()[0]
            if estimate > self.ESTIMATE_ABOVE:
                return estimate
        return super().count


class ConsultantScoped:
    """Show a consultant only what belongs to the organizations assigned to them.

    The same rule as the dashboard, applied to lists, change pages, autocomplete
    and related lookups alike (they all go through get_queryset). Superusers
    see everything.
    """

    # Large tables: pages of 50, and no second COUNT(*) of the whole table.
    list_per_page = 50
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    scope = None  # the lookup from this model to Organization.consultants

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return self.consultant_rows(queryset.filter(**{self.scope: request.user})).distinct()

    def consultant_rows(self, queryset):
        """What else a consultant's rows must satisfy, e.g. to belong to a round run with them."""
        return queryset

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index for a missing object; an object outside
        # the consultant's clients is a plain 404 instead, the same as a
        # nonexistent one, so its existence does not leak.
        raise Http404


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(ConsultantScoped, admin.ModelAdmin):
    scope = "consultants"
    list_display = ["name", "industry", "size", "cadence", "next_due_on", "dashboard_link"]
    list_filter = ["industry", "size", "cadence"]
    search_fields = ["name"]
    filter_horizontal = ["consultants"]
    # The benchmark choice belongs to the members: shown here, never changed here.
    readonly_fields = [
        "next_due_on",
        "created_at",
        "benchmark_opt_in",
        "benchmark_changed_at",
        "benchmark_changed_by",
    ]
    inlines = [MembershipInline]

    @admin.display(description=_("Dashboard"))
    def dashboard_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:dashboard_client", args=[obj.pk]), _("Open")
        )

    def save_related(self, request, form, formsets, change):
        """Save; a consultant taken off the client loses the prepared exports that may list it."""
        before = set(form.instance.consultants.values_list("pk", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        removed = before - set(form.instance.consultants.values_list("pk", flat=True))
        PortfolioExport.objects.filter(requested_by__in=removed).delete()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "consultants":
            from django.contrib.auth import get_user_model

            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Round)
class RoundAdmin(ConsultantScoped, admin.ModelAdmin):
    scope = "organization__consultants"
    # Its stored figures are the latest computed, every role group's, and its
    # responses are individual: only rounds whose individual answers Round.view
    # shows a consultant (the dashboard shows the others as published).

    def consultant_rows(self, queryset):
        return queryset.with_individuals_for_consultants()

    list_display = [
        "organization",
        "name",
        "opened_on",
        "closed_at",
        "respondents",
        "position",
        "stage",
    ]
    list_filter = ["opened_on"]
    list_select_related = ["organization"]
    search_fields = ["organization__name"]
    autocomplete_fields = ["organization"]
    readonly_fields = [
        "respondents",
        "position",
        "stage",
        "attainment",
        "indicator_scores",
        "flags",
        "coverage",
        "lowest",
        "highest",
        "groups",
        "responses_link",
    ]

    @admin.display(description=_("responses"))
    def responses_link(self, obj):
        """A link to the round's responses, a paginated list, rather than all of them inline."""
        url = reverse("admin:assessments_response_changelist") + f"?round__id__exact={obj.pk}"
        count = obj.responses.count()
        label = ngettext("%(count)s response", "%(count)s responses", count) % {"count": count}
        return format_html('<a href="{}">{}</a>', url, label)


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "option"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(ConsultantScoped, admin.ModelAdmin):
    scope = "round__organization__consultants"

    def consultant_rows(self, queryset):
        return queryset.filter(round__in=Round.objects.with_individuals_for_consultants())

    list_display = [
        "organization_name",
        "name",
        "role",
        "questionnaire",
        "created_at",
        "submitted_at",
        "position",
    ]
    list_filter = ["role", "questionnaire", ("submitted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["questionnaire"]
    search_fields = ["organization_name", "name", "email"]
    # A round's page links to its responses by this filter.
    declared_lookups = ["round__id__exact"]
    # Private links are stored as digests in another table that the admin never shows.
    readonly_fields = [f.name for f in Response._meta.fields]
    inlines = [AnswerInline]

    def has_add_permission(self, request):
        return False


@admin.register(PlanItem)
class PlanItemAdmin(ConsultantScoped, admin.ModelAdmin):
    scope = "round__organization__consultants"
    list_display = ["__str__", "round", "owner", "created_at"]
    list_select_related = ["round__organization", "step", "indicator"]
    raw_id_fields = ["round"]
    autocomplete_fields = ["indicator"]


@admin.register(MetricRule)
class MetricRuleAdmin(admin.ModelAdmin):
    """The thresholds that turn CRM evidence into verdicts: one row per metric, edited only.

    docs/evidence.md "Evidence beside opinion" states them; a metric's direction and unit
    are fixed in code (evidence.METRICS), so the form checks the thresholds'
    order against them (MetricRule.clean).
    """

    list_display = ["__str__", "in_place_at", "missing_at", "min_records", "indicators"]
    fields = ["explanation", "unit", "indicators", "in_place_at", "missing_at", "min_records"]
    readonly_fields = ["explanation", "unit", "indicators"]

    @admin.display(description=_("what it measures"))
    def explanation(self, obj):
        return obj.metric_info.explanation if obj.metric_info else ""

    @admin.display(description=_("unit"))
    def unit(self, obj):
        if obj.metric_info is None:
            return ""
        direction = (
            _("lower is better") if obj.metric_info.lower_is_better else _("higher is better")
        )
        unit = _("hours") if obj.metric_info.unit == "hours" else _("percent")
        return f"{unit} ({direction})"

    @admin.display(description=_("indicators it speaks to"))
    def indicators(self, obj):
        if obj.metric_info is None or not obj.metric_info.indicators:
            return _("none: context only, no verdict")
        return ", ".join(obj.metric_info.indicators)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The verdicts change with the thresholds: the portfolio's flags follow, off the request.
        transaction.on_commit(refresh_evidence_flags.enqueue)
