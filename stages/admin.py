from django.contrib import admin
from django.core.cache import caches
from django.utils.translation import gettext as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .models import Indicator, NextStep, Stage


class RefreshesPublicPages:
    """Drop the cached public pages once content changes, so the editor sees the edit at once.

    Other processes serve their copy until it expires (PAGE_CACHE_SECONDS).
    """

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        caches["pages"].clear()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        caches["pages"].clear()


class ExplainsRefusedDeletion:
    """Say why content that results or plans use cannot go, instead of citing permissions."""

    def deletion_refusals(self, obj):
        return []

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        reasons = [reason for obj in objs for reason in self.deletion_refusals(obj)]
        if reasons or protected:
            # Locked questions also lack the delete permission; the reason is what they protect.
            return deleted, counts, set(), [*reasons, *protected]
        return deleted, counts, perms_needed, protected


class IndicatorInline(TranslationTabularInline):
    model = Indicator
    extra = 0


class NextStepInline(TranslationTabularInline):
    model = NextStep
    extra = 0


@admin.register(Stage)
class StageAdmin(RefreshesPublicPages, ExplainsRefusedDeletion, TranslationAdmin):
    list_display = ["number", "name", "slug", "colour"]
    search_fields = ["name_en", "name_es", "slug"]
    inlines = [IndicatorInline, NextStepInline]

    def deletion_refusals(self, stage):
        return [
            _(
                "%(stage)s is one of the four stages every result is placed on; edit it "
                "instead of deleting it."
            )
            % {"stage": stage}
        ]


@admin.register(Indicator)
class IndicatorAdmin(RefreshesPublicPages, ExplainsRefusedDeletion, TranslationAdmin):
    list_display = ["key", "name", "stage", "defines_stage", "order"]
    list_filter = ["stage", "defines_stage"]
    list_select_related = ["stage"]
    search_fields = ["key", "name_en", "name_es", "text_en", "text_es"]

    def deletion_refusals(self, indicator):
        if not indicator.questions.exists() and not indicator.plan_items.exists():
            return []
        return [
            _(
                "Questions or plans refer to “%(key)s”; results and plans keep their history "
                "through it."
            )
            % {"key": indicator.key}
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_referenced():
            return [*super().get_readonly_fields(request, obj), "key", "defines_stage"]
        return super().get_readonly_fields(request, obj)
