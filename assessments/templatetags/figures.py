"""Figures in templates, by the one rule for displayed numbers (scoring, "Displayed figures").

{% load figures %}, then {{ entry.position|position }} reads a stored 2.97 as
"2.9" (2,9 in Spanish) and {{ share|percent }} a 0..1 share as whole percent,
exactly as the pages' own figures, the e-mails and the exports read them.
"""

from django import template
from django.utils import formats

from .. import scoring

register = template.Library()


@register.filter
def position(value):
    """A position cut to one decimal, in the active language's number format; "" for None."""
    if value is None or value == "":
        return ""
    return formats.number_format(scoring.one_decimal(value), 1)


@register.filter
def percent(value):
    """A 0..1 share as whole percent, cut (a number, without the sign); "" for None."""
    if value is None or value == "":
        return ""
    return scoring.percent(value)
