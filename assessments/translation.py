from modeltranslation.translator import TranslationOptions, register

from .models import Option, Question, Questionnaire, Section


@register(Questionnaire)
class QuestionnaireTranslationOptions(TranslationOptions):
    fields = ("title",)
    required_languages = ("en", "es")


@register(Section)
class SectionTranslationOptions(TranslationOptions):
    fields = ("title",)
    required_languages = ("en", "es")


@register(Question)
class QuestionTranslationOptions(TranslationOptions):
    fields = ("text",)
    required_languages = ("en", "es")


@register(Option)
class OptionTranslationOptions(TranslationOptions):
    fields = ("text",)
    required_languages = ("en", "es")
