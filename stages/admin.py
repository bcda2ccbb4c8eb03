from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .models import Indicator, NextStep, Stage


class IndicatorInline(TranslationTabularInline):
    model = Indicator
    extra = 0


class NextStepInline(TranslationTabularInline):
    model = NextStep
    extra = 0


@admin.register(Stage)
class StageAdmin(TranslationAdmin):
    list_display = ["number", "name", "slug", "colour"]
    search_fields = ["name_en", "name_es", "slug"]
    inlines = [IndicatorInline, NextStepInline]


@admin.register(Indicator)
class IndicatorAdmin(TranslationAdmin):
    list_display = ["key", "text", "stage", "order"]
    list_filter = ["stage"]
    list_select_related = ["stage"]
    search_fields = ["key", "text_en", "text_es"]
