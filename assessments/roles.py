"""The roles people answer in, and the groups a round's figures are shown by."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MARKETING = "marketing", _("Marketing leader (CMO)")
    SALES = "sales", _("Sales leader (CSO)")
    CEO = "ceo", _("CEO / general manager")
    REVENUE = "revenue", _("Revenue or commercial leader (CRO / CCO)")
    OTHER = "other", _("Other")


class RoleGroup(models.TextChoices):
    MARKETING = "marketing", _("Marketing side")
    SALES = "sales", _("Sales side")
    LEADERSHIP = "leadership", _("Leadership")


# "Other" respondents count in the round's position but in no role group.
ROLE_GROUPS = {
    Role.MARKETING: RoleGroup.MARKETING,
    Role.SALES: RoleGroup.SALES,
    Role.CEO: RoleGroup.LEADERSHIP,
    Role.REVENUE: RoleGroup.LEADERSHIP,
}
