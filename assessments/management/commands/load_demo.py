"""Load demo organizations, a member and a consultant, so a new user sees the product at once.

Idempotent: the organizations are created once; the two logins get a new,
generated password on every run, printed on the console (never a fixed one).
"""

import datetime
import random
import secrets
import unicodedata

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from assessments import evidence, tasks
from assessments.management import demo_export
from assessments.management.commands.materialize_benchmark import materialize
from assessments.models import (
    Answer,
    Evidence,
    Membership,
    Organization,
    PlanItem,
    Questionnaire,
    Response,
    Round,
    Workshop,
    WorkshopAnswer,
    WorkshopItem,
)
from assessments.workshops import item_questions, open_workshop
from stages.models import Indicator, NextStep

MEMBER_EMAIL = "demo@smarketing.example"
CONSULTANT_EMAIL = "consultant@smarketing.example"
DEMO_ORGANIZATION = "Northwind Demo"
WORKSHOP_IN_PROGRESS = "Lumen Health"

# Each client: name, industry, size, cadence, assigned to the consultant, and its
# rounds as (days ago, level per stage or per indicator key: 0 = least aligned ..
# 3 = most, the option worth level/3), optionally with who answered (the
# leadership team unless TEAM_SURVEY). Rounds older than LATEST_VERSION_SINCE days
# use the previous questionnaire version, as a team that has used the product a
# while would. The reporting line is a fact everyone answers alike: Northwind's
# marketing and sales report to the founder (level 1), Blue Harbor appointed a
# CRO (3), Lumen Health put both under its COO (2).
LATEST_VERSION_SINCE = 100
LEAD_DEFINITION = "strategic.lead-definition"
REVENUE_LEADER = "functional.revenue-leader"
# A leadership team's round is open (each side is one person: a confidential
# round would hide the gap it is for); a survey of the wider teams is confidential.
TEAM_SURVEY = "team-survey"
CLIENTS = [
    (
        DEMO_ORGANIZATION,
        "software",
        "51-250",
        "quarterly",
        True,
        [
            (360, {2: 1, 3: 0, 4: 0}),
            (270, {2: 2, 3: 0, 4: 0}),
            # The leaders asked their teams once: enough people per side to publish both.
            (180, {2: 3, 3: 1, 4: 0}, TEAM_SURVEY),
            (60, {2: 3, 3: 2, 4: 1}),
        ],
    ),
    (
        "Acme Robotics",
        "manufacturing",
        "251-1000",
        "quarterly",
        True,
        [
            (400, {2: 1, 3: 0, 4: 0}),
            (200, {2: 2, 3: 1, 4: 0}),
        ],
    ),
    # The article's warning: a revenue leader on the org chart, nothing built underneath.
    (
        "Blue Harbor Insurance",
        "finance",
        "1000+",
        "half-yearly",
        True,
        [
            (30, {2: 1, 3: 0, 4: 0, REVENUE_LEADER: 3}),
        ],
    ),
    (
        "Lumen Health",
        "health",
        "11-50",
        "quarterly",
        True,
        [
            (250, {2: 2, 3: 1, 4: 0}),
            (160, {2: 3, 3: 2, 4: 1}),
            (70, {2: 3, 3: 3, 4: 2}),
        ],
    ),
    (
        "Private Client Ltd",
        "retail",
        "51-250",
        "yearly",
        False,
        [
            (90, {2: 2, 3: 1, 4: 0}),
        ],
    ),
]
# Peers that contribute to the benchmark, so that every benchmark view has
# groups to show: (industry, size, how many). With the demo clients that opt in
# (all but "Private Client Ltd"), Northwind Demo and Acme Robotics are compared
# with their industry and size; Blue Harbor Insurance and Lumen Health, with too
# few peers of theirs, fall back to all organizations. No combination of the
# groups isolates fewer than five organizations (assessments/benchmark.py).
PEERS = [
    ("software", "51-250", 4),
    ("manufacturing", "251-1000", 4),
    ("health", "11-50", 3),
]
# Three people on each side, so that both sides show even in a confidential round.
PEER_PEOPLE = [
    ("marketing", "Ana Marín"),
    ("marketing", "Bea Molina"),
    ("marketing", "Carla Mora"),
    ("sales", "Darío Sanz"),
    ("sales", "Elena Soto"),
    ("sales", "Félix Serra"),
]
# Marketing sees things a notch rosier than sales, above all the lead definition.
ROLE_BIAS = {"marketing": 1, "sales": -1, "ceo": 0}
PEOPLE = [("marketing", "Marta Ruiz"), ("sales", "Sergio Gil"), ("ceo", "Carmen Vidal")]
# Northwind's survey of its wider teams: four from marketing, three from sales (and
# nobody left over outside the two sides, who could be singled out).
TEAM_PEOPLE = [
    ("marketing", "Marta Ruiz"),
    ("marketing", "Nora Pons"),
    ("marketing", "Óscar Vega"),
    ("marketing", "Paula Ríos"),
    ("sales", "Sergio Gil"),
    ("sales", "Tomás Lara"),
    ("sales", "Úrsula Peña"),
]


def ascii_name(person):
    """The first name as an address's local part: "Darío Sanz" -> "dario"."""
    first = unicodedata.normalize("NFKD", person.split()[0].lower())
    return first.encode("ascii", "ignore").decode()


class Command(BaseCommand):
    help = "Create the demo organizations and print fresh demo logins."

    def handle(self, *args, **options):
        member_password = secrets.token_urlsafe(12)
        consultant_password = secrets.token_urlsafe(12)
        with transaction.atomic():
            member = self.user(MEMBER_EMAIL, member_password)
            consultant = self.user(CONSULTANT_EMAIL, consultant_password, staff=True)
            consultant.groups.add(Group.objects.get(name="Consultants"))
            if not Organization.objects.filter(name=DEMO_ORGANIZATION).exists():
                chance = random.Random(2026)
                for client in CLIENTS:
                    self.create_client(client, member, consultant, chance)
                self.create_peers(chance)
            if not Evidence.objects.filter(round__organization__name=DEMO_ORGANIZATION).exists():
                self.add_evidence(member)
        materialize()
        for label, email, password in [
            ("Demo login", MEMBER_EMAIL, member_password),
            ("Consultant login (/admin/dashboard/)", CONSULTANT_EMAIL, consultant_password),
        ]:
            self.stdout.write(self.style.SUCCESS(f"{label}: {email} / {password}"))
        self.stdout.write("(new passwords are generated each time this command runs)")

    def user(self, email, password, staff=False):
        user, _ = get_user_model().objects.get_or_create(
            username=email, defaults={"email": email, "is_staff": staff}
        )
        user.set_password(password)
        user.save()
        # The demo addresses count as confirmed, so the printed logins work at once.
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def create_peers(self, chance):
        labels = dict(Organization.Industry.choices)
        for industry, size, count in PEERS:
            for n in range(1, count + 1):
                name = f"{labels[industry]} peer {size} #{n}"
                levels = {2: chance.choice([1, 2, 3]), 3: chance.choice([0, 1, 2]), 4: 0}
                levels[4] = chance.choice([0, levels[3] - 1]) if levels[3] > 0 else 0
                days_ago = chance.randrange(20, 300)
                client = (name, industry, size, "quarterly", False, [(days_ago, levels)])
                self.create_client(client, None, None, chance, peers=True)

    def create_client(self, client, member, consultant, chance, peers=False):
        name, industry, size, cadence, assigned, rounds = client
        # Every demo organization but the one no consultant follows shares its figures.
        organization = Organization.objects.create(
            name=name,
            industry=industry,
            size=size,
            cadence=cadence,
            benchmark_opt_in=name != "Private Client Ltd",
            benchmark_changed_at=timezone.now(),
        )
        if name == DEMO_ORGANIZATION:
            Membership.objects.create(organization=organization, user=member, role="marketing")
        if assigned:
            organization.consultants.add(consultant)
        latest = Questionnaire.objects.active()
        previous = Questionnaire.objects.filter(version__lt=latest.version).first() or latest
        today = timezone.localdate()
        domain = name.split()[0].lower()
        for number, (days_ago, levels, *kind) in enumerate(rounds, start=1):
            opened = today - datetime.timedelta(days=days_ago)
            questionnaire = previous if days_ago > LATEST_VERSION_SINCE else latest
            pages = questionnaire.pages()
            survey = peers or kind == [TEAM_SURVEY]
            people = PEER_PEOPLE if peers else TEAM_PEOPLE if survey else PEOPLE
            round = Round.objects.create(
                organization=organization,
                questionnaire=questionnaire,
                opened_on=opened,
                visibility=Round.Visibility.CONFIDENTIAL if survey else Round.Visibility.OPEN,
                consultant_access=assigned,
            )
            for role, person in people:
                response = Response.objects.create(
                    round=round,
                    questionnaire=questionnaire,
                    organization_name=name,
                    role=role,
                    name=person,
                    email=f"{ascii_name(person)}@{domain}.example",
                )
                Answer.objects.bulk_create(
                    Answer(
                        response=response,
                        question=question,
                        option=option_at(question, self.level(question, role, levels, chance)),
                    )
                    for section in pages
                    for question in section.questions.all()
                )
                tasks.submit_response(response)
            when = timezone.make_aware(datetime.datetime.combine(opened, datetime.time(10)))
            Response.objects.filter(round=round).update(
                invited_at=when, created_at=when, submitted_at=when + datetime.timedelta(days=2)
            )
            # Every demo round is closed: a confidential round shows its figures then.
            Round.objects.filter(pk=round.pk).update(closed_at=when + datetime.timedelta(days=14))
            # Recomputed here, not by the worker, so the demo shows its figures at once
            # (and the portfolio's columns follow the closing).
            round.refresh_from_db()
            round.refresh_result()
            if number == len(rounds) - 1:
                self.commit_plan(round, member)
        # Northwind's latest round had its workshop; another client is in the middle of one.
        if name == DEMO_ORGANIZATION:
            self.run_workshop(round, levels, member, finished=True)
        elif name == WORKSHOP_IN_PROGRESS:
            self.run_workshop(round, levels, consultant, finished=False)

    def add_evidence(self, member):
        """Northwind's CRM exports for its latest round, generated (no real people).

        Its leaders rate the lead definition highly, but its CRM says qualified
        leads wait about four days for sales and a third are never worked: the
        evidence contradicts that answer. Read here, as the worker would, and
        never stored as a file.
        """
        round = Round.objects.filter(organization__name=DEMO_ORGANIZATION).first()
        end = datetime.datetime.combine(round.opened_on, datetime.time(9))
        profile = demo_export.Profile(
            follow_up_hours=96, never_worked=0.33, accepted=0.45, rejected_with_reason=0.1,
            rejected_without_reason=0.25, stage_set=0.88, won=0.08, source_set=0.8,
            marketing_sourced=0.55,
        )  # fmt: skip
        exports = [
            (
                evidence.LEADS,
                "northwind-contacts.csv",
                demo_export.leads(900, 2026, profile, end=end),
            ),
            (evidence.DEALS, "northwind-deals.csv", demo_export.deals(240, 2026, profile, end=end)),
        ]
        for kind, filename, (header, rows) in exports:
            table = evidence.open_table(demo_export.to_csv(header, rows, "us"), 2**30)
            recognition = evidence.recognise(table.header, kind)
            result = evidence.read(table, kind, recognition.columns, recognition.source)
            record = Evidence(
                round=round,
                kind=kind,
                filename=filename,
                file_format=evidence.CSV,
                encoding=table.encoding,
                source=recognition.source,
                columns={
                    key: [[i, table.header[i]] for i in indexes]
                    for key, indexes in recognition.columns.items()
                },
                created_by=member,
                finished_at=timezone.now(),
            )
            record.store(result)
            record.save()
        round.organization.evidence_read()

    def run_workshop(self, round, levels, user, finished):
        """Agree on the middle ground (the base level) item by item; three only if unfinished."""
        round.refresh_from_db()
        workshop, _created = open_workshop(round, user)
        items = list(workshop.items.select_related("indicator__stage"))
        decided = items if finished else items[:3]
        now = timezone.now()
        for item in decided:
            level = levels.get(item.indicator.key, levels[item.indicator.stage.number])
            WorkshopAnswer.objects.bulk_create(
                WorkshopAnswer(item=item, question=question, option=option_at(question, level))
                for question in item_questions(round, item)
            )
            item.decided_at, item.decided_by, item.version = now, user, 2
        first = decided[0]
        first.note = "Marketing counted every form fill as a lead; sales only meetings booked."
        first.plan_item, _ = PlanItem.objects.get_or_create(
            round=round,
            indicator=first.indicator,
            defaults={
                "owner": PlanItem.Owner.BOTH,
                "due_on": timezone.localdate() + datetime.timedelta(days=30),
                "note": "Write one lead definition together and publish it to both teams.",
                "created_by": user,
            },
        )
        WorkshopItem.objects.bulk_update(
            decided, ["decided_at", "decided_by", "version", "note", "plan_item"]
        )
        if finished:
            workshop.status, workshop.finished_at = Workshop.Status.FINISHED, now
        else:
            workshop.current_item = items[len(decided)]
        workshop.save(update_fields=["status", "finished_at", "current_item"])
        workshop.refresh_result()

    def commit_plan(self, round, user):
        """The plan made after the second-to-last round, which the latest round checks."""
        round.refresh_from_db()
        PlanItem.objects.create(
            round=round,
            step=NextStep.objects.filter(stage__number=round.stage).first(),
            owner=PlanItem.Owner.BOTH,
            note="Draft the plan at the next leadership off-site.",
            created_by=user,
        )
        for key, owner in [
            ("operational.revenue-council", PlanItem.Owner.BOTH),
            (LEAD_DEFINITION, PlanItem.Owner.SALES),
        ]:
            PlanItem.objects.create(
                round=round, indicator=Indicator.objects.get(key=key), owner=owner, created_by=user
            )

    def level(self, question, role, levels, chance):
        key = question.indicator.key
        base = levels.get(key, levels[question.indicator.stage.number])
        if key == REVENUE_LEADER:
            return base
        # Until the lead definition is agreed and used, sales and marketing see it far apart.
        bias = ROLE_BIAS[role] * (2 if key == LEAD_DEFINITION and base < 3 else 1)
        wobble = chance.choice([-1, 0, 0, 1])
        return max(0, min(3, base + bias + wobble))


def option_at(question, level):
    """The option worth LEVEL/3; of two worth the same, the later (the more common case)."""
    options = list(question.options.all())
    target = level / 3
    return min(reversed(options), key=lambda option: abs(option.value - target))
