from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from .models import Option, Question, Questionnaire, Response, Section


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


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = [
        "organization_name",
        "role",
        "questionnaire",
        "created_at",
        "submitted_at",
        "position",
    ]
    list_filter = ["role", "questionnaire", ("submitted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["questionnaire"]
    search_fields = ["organization_name", "name", "email"]
    readonly_fields = [field.name for field in Response._meta.fields]

    def has_add_permission(self, request):
        return False
