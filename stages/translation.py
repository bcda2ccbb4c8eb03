from modeltranslation.translator import TranslationOptions, register

from .models import Indicator, NextStep, Stage


@register(Stage)
class StageTranslationOptions(TranslationOptions):
    fields = ("name", "summary", "description")
    required_languages = ("en", "es")


@register(Indicator)
class IndicatorTranslationOptions(TranslationOptions):
    fields = ("name", "text", "action")
    required_languages = ("en", "es")


@register(NextStep)
class NextStepTranslationOptions(TranslationOptions):
    fields = ("text",)
    required_languages = ("en", "es")
