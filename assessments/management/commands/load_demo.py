"""Load a demo organization so a new user sees the product at once (idempotent)."""

import datetime
import random
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from assessments.models import (
    Answer,
    Membership,
    Organization,
    PlanItem,
    Questionnaire,
    Response,
    Round,
)
from stages.models import Indicator, NextStep

DEMO_ORGANIZATION = "Northwind Demo"
DEMO_EMAIL = "demo@smarketing.example"

# Option index (0 = least aligned .. 3 = most) per stage, per round: the team
# climbs from siloed functions towards operational alignment over a year.
ROUNDS = [
    (360, {2: 1, 3: 0, 4: 0}),
    (270, {2: 2, 3: 0, 4: 0}),
    (180, {2: 3, 3: 1, 4: 0}),
    (60, {2: 3, 3: 2, 4: 1}),
]
# Marketing sees things a notch rosier than sales, above all the lead definition.
ROLE_BIAS = {"marketing": 1, "sales": -1, "ceo": 0}
LEAD_DEFINITION = "strategic.lead-definition"
PEOPLE = [
    ("marketing", "Marta Ruiz", "marta@northwind.example"),
    ("sales", "Sergio Gil", "sergio@northwind.example"),
    ("ceo", "Carmen Vidal", "carmen@northwind.example"),
]


class Command(BaseCommand):
    help = "Create the demo organization with its rounds, and print a fresh demo login."

    def handle(self, *args, **options):
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            user = self.demo_user(password)
            if not Organization.objects.filter(name=DEMO_ORGANIZATION).exists():
                self.create_organization(user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo login: {DEMO_EMAIL} / {password} "
                "(a new password is generated each time this command runs)"
            )
        )

    def demo_user(self, password):
        User = get_user_model()
        user, _ = User.objects.get_or_create(username=DEMO_EMAIL, defaults={"email": DEMO_EMAIL})
        user.set_password(password)
        user.save()
        return user

    def create_organization(self, user):
        organization = Organization.objects.create(
            name=DEMO_ORGANIZATION,
            industry=Organization.Industry.SOFTWARE,
            size=Organization.Size.MEDIUM,
        )
        Membership.objects.create(organization=organization, user=user, role="marketing")
        questionnaire = Questionnaire.objects.active()
        pages = questionnaire.pages()
        chance = random.Random(2026)
        today = timezone.localdate()
        for number, (days_ago, levels) in enumerate(ROUNDS, start=1):
            opened = today - datetime.timedelta(days=days_ago)
            last = number == len(ROUNDS)
            round = Round.objects.create(
                organization=organization,
                questionnaire=questionnaire,
                opened_on=opened,
                created_by=user,
            )
            for role, name, email in PEOPLE:
                response = Response.objects.create(
                    round=round,
                    questionnaire=questionnaire,
                    organization_name=organization.name,
                    role=role,
                    name=name,
                    email=email,
                    invited_at=timezone.now(),
                )
                Answer.objects.bulk_create(
                    Answer(
                        response=response,
                        question=question,
                        option=question.options.all()[self.level(question, role, levels, chance)],
                    )
                    for section in pages
                    for question in section.questions.all()
                )
                response.submit()
            when = timezone.make_aware(datetime.datetime.combine(opened, datetime.time(10)))
            Response.objects.filter(round=round).update(
                invited_at=when, created_at=when, submitted_at=when + datetime.timedelta(days=2)
            )
            if not last:
                Round.objects.filter(pk=round.pk).update(
                    closed_at=when + datetime.timedelta(days=14)
                )
            if number == len(ROUNDS) - 1:
                self.commit_plan(round, user)

    def commit_plan(self, round, user):
        """The plan made after the third round, which the latest round checks."""
        round.refresh_from_db()
        step = NextStep.objects.filter(stage__number=round.stage).first()
        PlanItem.objects.create(
            round=round,
            step=step,
            owner=PlanItem.Owner.BOTH,
            note="Draft the plan in the next leadership off-site.",
            created_by=user,
        )
        for key, owner in [
            ("operational.revenue-council", PlanItem.Owner.BOTH),
            ("strategic.lead-definition", PlanItem.Owner.SALES),
        ]:
            PlanItem.objects.create(
                round=round, indicator=Indicator.objects.get(key=key), owner=owner, created_by=user
            )

    def level(self, question, role, levels, chance):
        stage = question.indicator.stage.number
        bias = ROLE_BIAS[role] * (2 if question.indicator.key == LEAD_DEFINITION else 1)
        wobble = chance.choice([-1, 0, 0, 1])
        return max(0, min(3, levels[stage] + bias + wobble))
