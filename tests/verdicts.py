"""Write docs/verdicts.md: realistic profiles read before and after issue 20, by real code.

    .venv/bin/python tests/verdicts.py [--before GIT-REF]

"Before" is the scoring and the wording of the code at GIT-REF (by default the
commit issue 20 started from) with questionnaire version 2, active then;
"after" is this checkout's code with version 3. Each profile says what the
people would answer, in words both questionnaires ask about; it is turned into
each version's answers, scored and summarized exactly as a submitted response
(one person) or a round (a team) is. Nothing in the table is typed by hand.
tests/test_verdicts.py checks that the "after" half of the page is current.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

BASE = Path(__file__).resolve().parents[1]
OUTPUT = BASE / "docs" / "verdicts.md"
# main when issue 20 started: the code whose verdicts the consultant refused.
BEFORE = "6432ad7539447bfd6914213f6058db27fed51d5e"

NAMED = ("lead", "meetings", "dashboard", "council", "leader")
KEYS = {
    "priority": "strategic.shared-priority",
    "meetings": "strategic.leadership-meetings",
    "plan": "strategic.implementation-plan",
    "audience": "strategic.joint-audience",
    "lead": "strategic.lead-definition",
    "workflow": "operational.single-workflow",
    "dashboard": "operational.shared-dashboard",
    "council": "operational.revenue-council",
}
STAGE_2 = ("priority", "meetings", "plan", "audience", "lead")
STAGE_3 = ("workflow", "dashboard", "council")
# The reporting line, as each version offers it (option index, least aligned first).
REPORTING_LINE = {
    "separate": {2: 0, 3: 0},
    "under-sales": {2: 2, 3: 1},  # v2: "one executive whose main job is something else"
    "ceo": {2: 1, 3: 2},
    "coo": {2: 2, 3: 3},
    "cro": {2: 3, 3: 4},
}
LINE_WORDS = {
    "separate": "separate executives",
    "under-sales": "marketing under the head of sales",
    "ceo": "both under the CEO",
    "coo": "both under a COO",
    "cro": "a CRO over both",
}


@dataclass
class Person:
    """What one person would answer: a level 0–3 per practice (None: "I don't know")."""

    role: str
    levels: dict[str, int | None]
    line: str = "ceo"
    budget: int = 1  # v2 only: 0 separate .. 3 one revenue budget

    def level(self, name):
        return self.levels.get(name, self.levels.get("stage2" if name in STAGE_2 else "stage3"))


@dataclass
class Profile:
    name: str
    story: str
    people: list[Person] = field(default_factory=list)

    @property
    def who(self):
        return "one leader" if len(self.people) == 1 else f"team of {len(self.people)}"


def levels(stage2, stage3, **practices):
    return {"stage2": stage2, "stage3": stage3, **practices}


PROFILES = [
    Profile(
        "No agreed lead definition",
        "The leaders meet, share priorities and wrote a plan; marketing has a lead definition "
        "that sales never agreed to.",
        [Person("marketing", levels(3, 1, lead=1), "ceo")],
    ),
    Profile(
        "No leaders' meetings",
        "Every answer at the top, a CRO over both and one budget, but the two leaders never "
        "meet about alignment.",
        [Person("revenue", levels(3, 3, meetings=0), "cro", budget=3)],
    ),
    Profile(
        "Lead definition unknown",
        "Every answer at the top, but the respondent does not know whether a lead definition "
        "was agreed.",
        [Person("ceo", levels(3, 3, lead=None), "cro", budget=3)],
    ),
    Profile(
        "Functional without one leader",
        "Everything in place, one revenue budget, both teams reporting to the CEO.",
        [Person("ceo", levels(3, 3), "ceo", budget=3)],
    ),
    Profile(
        "Marketing under the head of sales",
        "Early collaboration; marketing reports to the head of sales.",
        [Person("sales", levels(1, 0), "under-sales")],
    ),
    Profile(
        "Founder-led, collaboration under way",
        "Both teams report to the founder; stage 2 practices mostly established, little of "
        "stage 3 yet.",
        [Person("ceo", levels(2, 1), "ceo")],
    ),
    Profile(
        "The article's case",
        "A CRO appointed over both; the teams' shared practices barely started, nothing "
        "built underneath.",
        [Person("revenue", levels(1, 1), "cro", budget=0)],
    ),
    Profile(
        "No revenue council",
        "Strategic alignment in place, one workflow and one scorecard, but no revenue council.",
        [Person("marketing", levels(3, 3, council=0), "ceo")],
    ),
    Profile(
        "The whole continuum",
        "Everything in place under a CRO, one revenue budget.",
        [Person("revenue", levels(3, 3), "cro", budget=3)],
    ),
    Profile(
        "Sides apart on the lead definition",
        "Marketing sees an agreed definition, sales sees none, the CEO sees a patchy one; "
        "everything else of stage 2 in place, stage 3 starting.",
        [
            Person("marketing", levels(3, 1, lead=3), "ceo"),
            Person("sales", levels(3, 1, lead=0), "ceo"),
            Person("ceo", levels(3, 1, lead=2), "ceo"),
        ],
    ),
    Profile(
        "An optimistic CRO",
        "The CRO sees everything in place; marketing and sales see collaboration only starting.",
        [
            Person("marketing", levels(1, 1), "cro", budget=3),
            Person("sales", levels(1, 0), "cro", budget=3),
            Person("revenue", levels(3, 3), "cro", budget=3),
        ],
    ),
    Profile(
        "Founder-led team climbing stage 3",
        "Stage 2 in place, stage 3 well under way, both teams under the CEO.",
        [
            Person("marketing", levels(3, 2), "ceo"),
            Person("sales", levels(3, 2), "ceo"),
            Person("ceo", levels(3, 2), "ceo"),
        ],
    ),
    Profile(
        "Nobody knows the council",
        "Stage 2 in place, one workflow and one scorecard; none of the three knows whether a "
        "revenue council meets.",
        [
            Person("marketing", levels(3, 3, council=None), "coo", budget=2),
            Person("sales", levels(3, 3, council=None), "coo", budget=2),
            Person("ceo", levels(3, 3, council=None), "coo", budget=2),
        ],
    ),
    Profile(
        "A team just starting",
        "Each side has begun to talk to the other: shared priorities and a first meeting, "
        "nothing written or agreed yet.",
        [
            Person("marketing", levels(1, 0, priority=2, meetings=2), "separate"),
            Person("sales", levels(1, 0, priority=2, meetings=1), "separate"),
            Person("ceo", levels(1, 0, priority=2, meetings=2), "separate"),
        ],
    ),
]


def v2_structure(person, question_order):
    """Version 2's stage-4 structure questions, answered from the person's practices."""
    if question_order == 0:  # which of lead definition, scorecard, council are in use
        used = [person.level(name) for name in ("lead", "dashboard", "council")]
        if any(level is None for level in used):
            return None
        return sum(level >= 2 for level in used)
    if question_order == 1:  # how the teams work below the leaders
        return person.level("workflow")
    return person.budget


def option_index(person, question, position, version):
    """The option PERSON would choose on QUESTION, the POSITION-th of its indicator."""
    key = question.indicator.key
    if key == "functional.revenue-leader":
        return REPORTING_LINE[person.line][min(version, 3)]
    if key == "functional.structure-in-place":
        return v2_structure(person, position)
    name = next(name for name, k in KEYS.items() if k == key)
    return person.level(name)


def answers_of(person, pages, version):
    """(question, option or None) for every question of a version, as PERSON answers it."""
    asked = {}
    chosen = []
    for section in pages:
        for question in section.questions.all():
            position = asked.setdefault(question.indicator.key, [])
            index = option_index(person, question, len(position), version)
            position.append(question)
            options = list(question.options.all())
            chosen.append((question, None if index is None else options[index]))
    return chosen


def scoring_answers(module, chosen, named=True):
    kwargs = {}
    result = []
    for question, option in chosen:
        indicator = question.indicator
        if named:
            kwargs = {"named": indicator.defines_stage}
        result.append(
            module.Answer(
                indicator.stage.number,
                None if option is None else option.value,
                question.weight,
                indicator.key,
                **kwargs,
            )
        )
    return result


def scored(result):
    """A stored result, as a Response or Round holds it."""
    return SimpleNamespace(
        position=Decimal(str(result.position)),
        stage=result.stage,
        attainment={str(k): v for k, v in result.attainment.items()},
        indicator_scores=result.indicators,
        flags=list(result.flags),
        coverage=result.coverage,
    )


def role_groups(scoring, profile, answers):
    """A team's results per role group, as Round.refresh_result stores them."""
    from assessments.roles import ROLE_GROUPS

    members = {}
    for person, own in zip(profile.people, answers, strict=True):
        members.setdefault(str(ROLE_GROUPS[person.role]), []).append(own)
    groups = {}
    for group, people in members.items():
        result = scoring.aggregate(people)
        groups[group] = {
            "count": len(people),
            "position": result.position,
            "stage": result.stage,
            "flags": list(result.flags),
            "attainment": {str(k): v for k, v in result.attainment.items()},
            "indicator_scores": result.indicators,
        }
    return groups


def verdict(profile, scoring, results, questionnaire, stages, after):
    """(position, headline, first advice, flags) as the result or team page shows them.

    A team reads as an open round of its people, where the members see every
    role group: its flags include those of the gaps between role groups, and
    (after) a disputed first advice reads as each side's figure.
    """
    pages = questionnaire.pages()
    chosen = [answers_of(person, pages, questionnaire.version) for person in profile.people]
    answers = [scoring_answers(scoring, c, named=after) for c in chosen]
    groups = {}
    if len(answers) == 1:
        result = scoring.score(answers[0])
    else:
        result = scoring.aggregate(answers)
        groups = role_groups(scoring, profile, answers)
    stored = scored(result)
    if after:
        quotes = (
            results.answer_quotes(SimpleNamespace(question=q, option=o) for q, o in chosen[0])
            if len(chosen) == 1
            else results.team_quotes(pages, stored.indicator_scores)
        )
        summary = results.summarize(stored, stages, quotes)
        title = summary.headline.title if summary.headline else "Not enough answers"
    else:
        summary = results.summarize(stored, stages)
        title = str(summary.stage.name) if summary.reading.placed else "Not enough answers"
    disputes = results.disputed(groups, set(groups)) if after else {}
    advice = "–"
    if summary.weakest:
        first = summary.weakest[0]
        key = first.indicator.key
        figure = (
            str(results.Dispute(first.indicator, disputes[key]))
            if key in disputes
            else f"{first.percent}%"
        )
        advice = f"{first.indicator.name} ({figure})"
    labels = results.flag_labels()
    codes = results.round_flags(stored.flags, groups, set(groups))
    flags = ", ".join(str(labels.get(code, code)) for code in codes) or "–"
    return str(summary.reading), title, advice, flags


def load_before(ref):
    """Import scoring.py and results.py as they were at REF, as the package verdicts_before."""
    folder = Path(tempfile.mkdtemp(prefix="verdicts-before-")) / "verdicts_before"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    for name in ("scoring", "results"):
        source = subprocess.run(
            ["git", "show", f"{ref}:assessments/{name}.py"],
            cwd=BASE,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        (folder / f"{name}.py").write_text(source)
    sys.path.insert(0, str(folder.parent))
    return (
        importlib.import_module("verdicts_before.scoring"),
        importlib.import_module("verdicts_before.results"),
    )


def after_rows():
    """The "after" cells of every profile, with this checkout's code (database ready)."""
    from assessments import results, scoring
    from assessments.models import Questionnaire
    from stages.models import Stage

    stages = list(Stage.objects.with_content())
    version_3 = Questionnaire.objects.get(version=3)
    return [verdict(p, scoring, results, version_3, stages, after=True) for p in PROFILES]


def before_rows(ref):
    from assessments.models import Questionnaire
    from stages.models import Stage

    scoring, results = load_before(ref)
    stages = list(Stage.objects.with_content())
    version_2 = Questionnaire.objects.get(version=2)
    return [verdict(p, scoring, results, version_2, stages, after=False) for p in PROFILES]


HEADER = """# Verdicts before and after: named indicators, one leader, the climb

Generated by `tests/verdicts.py` (do not edit by hand: run
`.venv/bin/python tests/verdicts.py`). Each profile says in words what the
people would answer; the script turns it into answers to questionnaire
version 2 (before, with the scoring and wording of commit `{ref}`, where
issue 20 started) and version 3 (after, this code), scores them as a
submitted response (one leader) or a round (a team of three: the mean per
indicator), and writes what the result or team page shows: the position,
the headline and the first point of "Where to start" (an indicator's short
name and how far it is in place), with the flags raised. A team reads as
an open round of three, where the members see every role group: its flags
include the gaps between role groups (the marketing–sales perception gap,
judged before on stage fills half a stage apart and after on figures 50
points apart; after, also the leadership against both teams), and after, a
first advice on an indicator the groups dispute gives each side's figure.
`tests/test_verdicts.py` fails when the "after" half is not what the code
gives.

Levels below are per practice, 0 (none) to 3 (fully in place); "?" is
"I don't know".
"""


def describe(profile):
    people = []
    for person in profile.people:
        practices = ", ".join(
            f"{name} {'?' if value is None else value}"
            for name, value in person.levels.items()
            if name not in ("stage2", "stage3")
        )
        base = f"stage 2 at {person.levels['stage2']}, stage 3 at {person.levels['stage3']}"
        people.append(
            f"{person.role}: {base}{'; ' + practices if practices else ''}; "
            f"{LINE_WORDS[person.line]}"
        )
    return "; ".join(people)


def render(ref, before, after):
    lines = [HEADER.format(ref=ref[:7]), ""]
    lines.append(
        "| # | Profile | Who | Before: position | Before: headline | Before: first advice | "
        "Before: flags | After: position | After: headline | After: first advice | "
        "After: flags |"
    )
    lines.append("|" + "---|" * 11)
    for number, (profile, old, new) in enumerate(zip(PROFILES, before, after, strict=True), 1):
        cells = [str(number), profile.name, profile.who, *old, *new]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## The profiles", ""]
    for number, profile in enumerate(PROFILES, start=1):
        lines.append(f"{number}. **{profile.name}** ({profile.who}). {profile.story} ")
        lines.append(f"   Answers: {describe(profile)}.")
    return "\n".join(lines) + "\n"


def after_cells(text):
    """The "after" cells of each row of a written page, to compare with after_rows()."""
    rows = [line for line in text.splitlines() if line.startswith("| ") and line[2].isdigit()]
    return [tuple(cell.strip() for cell in row.strip("|").split("|"))[7:] for row in rows]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="git ref of the code before")
    arguments = parser.parse_args()
    sys.path.insert(0, str(BASE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    import django
    from django.core.management import call_command
    from django.utils import translation

    django.setup()
    call_command("migrate", verbosity=0)
    with translation.override("en"):
        text = render(arguments.before, before_rows(arguments.before), after_rows())
    OUTPUT.write_text(text)
    print(f"Wrote {OUTPUT.relative_to(BASE)} ({len(PROFILES)} profiles).")


if __name__ == "__main__":
    main()
