"""Read the reviewed content files and refuse a malformed one with a clear message.

Content that people read and scoring depends on (the continuum, each
questionnaire version) lives in data files, both languages side by side,
reviewed like code: stages/content/continuum.yaml and
assessments/content/questionnaire-v<N>.yaml. Pure: a YAML file in, frozen
dataclasses out, no Django; assessments/content_rows.py writes the rows for
the data migrations, and `manage.py check_content` runs the same checks.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from assessments.scoring import SCORED_STAGES

LANGUAGES = ("en", "es")
KEY = re.compile(r"^[a-z]+\.[a-z0-9-]+$")
SLUG = re.compile(r"^[a-z]+$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
STAGE_NUMBERS = (1, 2, 3, 4)
# The database's column lengths (assessments.models, stages.models), so a long
# text fails here, by name; tests/stages/test_content.py holds them to the models.
TITLE_LENGTH = 200
TEXT_LENGTH = 400
SLUG_LENGTH = 50
STAGE_NAME_LENGTH = 80
STAGE_SUMMARY_LENGTH = 300
INDICATOR_KEY_LENGTH = 80
INDICATOR_NAME_LENGTH = 60
INDICATOR_TEXT_LENGTH = 300
STEP_LENGTH = 400
# Texts that read the same in both languages on purpose; any other Spanish text
# identical to the English is a translation someone forgot.
SAME_IN_BOTH_LANGUAGES = frozenset({"CRM", "KPI", "CEO", "CMO", "CSO", "CRO", "CCO"})

# libyaml's loader when PyYAML was built with it: the same documents, ten times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ROOT = Path(__file__).resolve().parent.parent
CONTINUUM_FILE = ROOT / "stages" / "content" / "continuum.yaml"
QUESTIONNAIRE_FOLDER = ROOT / "assessments" / "content"
QUESTIONNAIRE_NAME = re.compile(r"^questionnaire-v([0-9]+)\.yaml$")


def questionnaire_file(version: int) -> Path:
    return QUESTIONNAIRE_FOLDER / f"questionnaire-v{version}.yaml"


def questionnaire_versions() -> list[int]:
    """Return the number of every questionnaire version that has a file, oldest first."""
    return sorted(
        int(match[1])
        for path in QUESTIONNAIRE_FOLDER.iterdir()
        if (match := QUESTIONNAIRE_NAME.match(path.name))
    )


def questionnaire_files() -> list[Path]:
    return [questionnaire_file(version) for version in questionnaire_versions()]


class ContentError(ValueError):
    """A content file that cannot be loaded; the message says where and why."""


@dataclass(frozen=True)
class OptionContent:
    value: float
    text: dict[str, str]


@dataclass(frozen=True)
class QuestionContent:
    indicator: str
    weight: float
    text: dict[str, str]
    options: tuple[OptionContent, ...]


@dataclass(frozen=True)
class PageContent:
    title: dict[str, str]
    questions: tuple[QuestionContent, ...]


@dataclass(frozen=True)
class QuestionnaireContent:
    version: int
    title: dict[str, str]
    pages: tuple[PageContent, ...]

    def indicator_keys(self) -> set[str]:
        return {q.indicator for page in self.pages for q in page.questions}


def load_questionnaire(
    path: str | Path, indicators: set[str] | None = None
) -> QuestionnaireContent:
    """Load and validate a questionnaire file; raise ContentError on the first problem.

    INDICATORS, when given, are the keys that exist: a question must probe one
    of them.
    """
    path = Path(path)
    questionnaire = parse_questionnaire(read(path), path.name, indicators)
    named = QUESTIONNAIRE_NAME.match(path.name)
    if named and int(named[1]) != questionnaire.version:
        raise ContentError(
            f"{path.name}: version {questionnaire.version} does not match the file's name"
        )
    return questionnaire


def read(path: str | Path):
    """Return a content file's parsed YAML, or raise ContentError naming the file."""
    path = Path(path)
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        place = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ContentError(f"{path.name}: cannot be read: {place}{error.problem}") from error
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ContentError(f"{path.name}: cannot be read: {error}") from error


def parse_questionnaire(data, where="questionnaire", indicators=None) -> QuestionnaireContent:
    """Validate already-parsed data (see load_questionnaire)."""
    _keys(data, {"version", "title", "pages"}, where)
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ContentError(f"{where}: version must be a whole number from 1, not {version!r}")
    pages = data["pages"]
    if not isinstance(pages, list) or not pages:
        raise ContentError(f"{where}: pages must be a non-empty list")
    return QuestionnaireContent(
        version=version,
        title=_texts(data["title"], f"{where}: title", TITLE_LENGTH),
        pages=tuple(
            _page(page, f"{where}: pages[{n}]", indicators) for n, page in enumerate(pages)
        ),
    )


def _page(data, where, indicators):
    _keys(data, {"title", "questions"}, where)
    questions = data["questions"]
    if not isinstance(questions, list) or not questions:
        raise ContentError(f"{where}: questions must be a non-empty list")
    return PageContent(
        title=_texts(data["title"], f"{where}.title", TITLE_LENGTH),
        questions=tuple(
            _question(q, f"{where}.questions[{n}]", indicators) for n, q in enumerate(questions)
        ),
    )


def _question(data, where, indicators):
    _keys(data, {"indicator", "weight", "text", "options"}, where)
    key = data["indicator"]
    if not isinstance(key, str) or not KEY.match(key):
        raise ContentError(f"{where}: indicator must be a key such as stage.name, not {key!r}")
    if indicators is not None and key not in indicators:
        raise ContentError(f"{where}: no indicator has the key {key!r}")
    weight = _number(data["weight"], f"{where}.weight")
    if not weight > 0:
        raise ContentError(f"{where}.weight must be positive, not {weight!r}")
    options = data["options"]
    if not isinstance(options, list) or len(options) < 2:
        raise ContentError(f"{where}: options must be a list of at least two")
    parsed = tuple(_option(o, f"{where}.options[{n}]") for n, o in enumerate(options))
    values = [o.value for o in parsed]
    if values != sorted(values):
        raise ContentError(
            f"{where}: options must run from least to most aligned (values {values})"
        )
    # All answers at their lowest place a team at 1.0, all at their highest at 4.0.
    if values[0] != 0 or values[-1] != 1:
        raise ContentError(
            f"{where}: the least aligned option must be worth 0 and the most aligned 1 "
            f"(values {values})"
        )
    return QuestionContent(
        indicator=key,
        weight=weight,
        text=_texts(data["text"], f"{where}.text", TEXT_LENGTH),
        options=parsed,
    )


def _option(data, where):
    _keys(data, {"value", *LANGUAGES}, where)
    value = _number(data["value"], f"{where}.value")
    if not 0 <= value <= 1:
        raise ContentError(f"{where}.value must be within [0, 1], not {value!r}")
    return OptionContent(
        value=value,
        text=_texts({lang: data[lang] for lang in LANGUAGES}, where, TEXT_LENGTH),
    )


@dataclass(frozen=True)
class IndicatorContent:
    key: str
    name: dict[str, str]
    defines_stage: bool
    text: dict[str, str]
    action: dict[str, str]


@dataclass(frozen=True)
class StageContent:
    number: int
    slug: str
    colour: str
    name: dict[str, str]
    summary: dict[str, str]
    description: dict[str, str]
    indicators: tuple[IndicatorContent, ...]
    next_steps: tuple[dict[str, str], ...]


@dataclass(frozen=True)
class ContinuumContent:
    stages: tuple[StageContent, ...]

    def indicators(self) -> dict[str, tuple[int, IndicatorContent]]:
        """Return each indicator by key, with its stage's number."""
        return {i.key: (s.number, i) for s in self.stages for i in s.indicators}

    def check(
        self, questionnaire: QuestionnaireContent, where: str = "questionnaire", current=True
    ) -> None:
        """Refuse a questionnaire that scoring could not place on this continuum.

        CURRENT: the version new responses would use, which must ask about
        every indicator that makes its stage; an older version is history,
        scored with what it asked.
        """
        indicators = self.indicators()
        for n, page in enumerate(questionnaire.pages):
            for m, question in enumerate(page.questions):
                place = f"{where}: pages[{n}].questions[{m}]"
                if question.indicator not in indicators:
                    raise ContentError(f"{place}: no indicator has the key {question.indicator!r}")
                stage, _ = indicators[question.indicator]
                if stage not in SCORED_STAGES:
                    raise ContentError(
                        f"{place}: {question.indicator!r} is an indicator of stage {stage}, "
                        f"which is not scored (only stages {_listed(SCORED_STAGES)} are)"
                    )
        if not current:
            return
        # A named indicator nobody is asked about could never hold its stage back.
        asked = questionnaire.indicator_keys()
        unasked = [
            key
            for key, (_, indicator) in indicators.items()
            if indicator.defines_stage and key not in asked
        ]
        if unasked:
            raise ContentError(
                f"{where}: no question asks about these indicators that make their stage: "
                + ", ".join(unasked)
            )


def load_continuum(path: str | Path = CONTINUUM_FILE) -> ContinuumContent:
    """Load and validate the continuum file; raise ContentError on the first problem."""
    path = Path(path)
    return parse_continuum(read(path), path.name)


def parse_continuum(data, where="continuum") -> ContinuumContent:
    """Validate already-parsed data (see load_continuum)."""
    _keys(data, {"stages"}, where)
    stages = data["stages"]
    if not isinstance(stages, list):
        raise ContentError(f"{where}: stages must be a list")
    parsed = tuple(_stage(stage, f"{where}: stages[{n}]") for n, stage in enumerate(stages))
    numbers = tuple(stage.number for stage in parsed)
    if numbers != STAGE_NUMBERS:
        raise ContentError(
            f"{where}: the stages must be numbered {_listed(STAGE_NUMBERS)} in order, "
            f"not {_listed(numbers)}"
        )
    for kind, values in (
        ("slug", [stage.slug for stage in parsed]),
        ("indicator key", [i.key for stage in parsed for i in stage.indicators]),
    ):
        repeated = sorted({value for value in values if values.count(value) > 1})
        if repeated:
            raise ContentError(f"{where}: the {kind} {', '.join(repeated)} is used more than once")
    return ContinuumContent(stages=parsed)


def _stage(data, where):
    _keys(
        data,
        {"number", "slug", "colour", "name", "summary", "description", "indicators", "next_steps"},
        where,
    )
    number, slug, colour = data["number"], data["slug"], data["colour"]
    if not isinstance(number, int) or isinstance(number, bool) or number not in STAGE_NUMBERS:
        raise ContentError(
            f"{where}.number must be one of {_listed(STAGE_NUMBERS)}, not {number!r}"
        )
    if not isinstance(slug, str) or not SLUG.match(slug) or len(slug) > SLUG_LENGTH:
        raise ContentError(
            f"{where}.slug must be lower-case letters (at most {SLUG_LENGTH}), not {slug!r}"
        )
    if not isinstance(colour, str) or not COLOUR.match(colour):
        raise ContentError(f"{where}.colour must be a colour as #rrggbb, not {colour!r}")
    indicators, steps = data["indicators"], data["next_steps"]
    if not isinstance(indicators, list) or not indicators:
        raise ContentError(f"{where}: indicators must be a non-empty list")
    if not isinstance(steps, list) or not steps:
        raise ContentError(f"{where}: next_steps must be a non-empty list")
    parsed = tuple(
        _indicator(indicator, f"{where}.indicators[{n}]", slug)
        for n, indicator in enumerate(indicators)
    )
    named = [indicator.key for indicator in parsed if indicator.defines_stage]
    # Scoring gates stages 2 to 4 on their named indicators; stage 1 is where
    # everyone starts, so nothing can define it.
    if number in SCORED_STAGES and not named:
        raise ContentError(
            f"{where}: stage {number} needs at least one indicator with defines_stage: true"
        )
    if number not in SCORED_STAGES and named:
        raise ContentError(
            f"{where}: stage {number} is not scored, so no indicator can define it "
            f"({', '.join(named)})"
        )
    return StageContent(
        number=number,
        slug=slug,
        colour=colour,
        name=_texts(data["name"], f"{where}.name", STAGE_NAME_LENGTH),
        summary=_texts(data["summary"], f"{where}.summary", STAGE_SUMMARY_LENGTH),
        description=_texts(data["description"], f"{where}.description", None),
        indicators=parsed,
        next_steps=tuple(
            _texts(step, f"{where}.next_steps[{n}]", STEP_LENGTH) for n, step in enumerate(steps)
        ),
    )


def _indicator(data, where, slug):
    _keys(data, {"key", "name", "defines_stage", "text", "action"}, where)
    key, defines_stage = data["key"], data["defines_stage"]
    if not isinstance(key, str) or not KEY.match(key) or len(key) > INDICATOR_KEY_LENGTH:
        raise ContentError(
            f"{where}.key must be a key such as {slug}.name (at most "
            f"{INDICATOR_KEY_LENGTH} characters), not {key!r}"
        )
    if not key.startswith(f"{slug}."):
        raise ContentError(f"{where}.key {key!r} must start with its stage's slug, {slug}.")
    if not isinstance(defines_stage, bool):
        raise ContentError(f"{where}.defines_stage must be true or false, not {defines_stage!r}")
    return IndicatorContent(
        key=key,
        name=_texts(data["name"], f"{where}.name", INDICATOR_NAME_LENGTH),
        defines_stage=defines_stage,
        text=_texts(data["text"], f"{where}.text", INDICATOR_TEXT_LENGTH),
        action=_texts(data["action"], f"{where}.action", INDICATOR_TEXT_LENGTH),
    )


def _listed(numbers):
    return ", ".join(str(n) for n in numbers)


def _keys(data, expected, where):
    if not isinstance(data, dict):
        raise ContentError(f"{where}: expected a mapping with {sorted(expected)}")
    missing, unknown = expected - data.keys(), data.keys() - expected
    if missing:
        raise ContentError(f"{where}: missing {sorted(missing)}")
    if unknown:
        raise ContentError(f"{where}: unknown {sorted(unknown)}")


def _texts(data, where, length):
    _keys(data, set(LANGUAGES), where)
    texts = {}
    for lang in LANGUAGES:
        text = data[lang]
        if not isinstance(text, str) or not text.strip():
            raise ContentError(f"{where}: the {lang!r} text is empty")
        if length is not None and len(text) > length:
            raise ContentError(f"{where}: the {lang!r} text is longer than {length} characters")
        texts[lang] = text.strip()
    if texts["es"] == texts["en"] and texts["en"] not in SAME_IN_BOTH_LANGUAGES:
        raise ContentError(f"{where}: the 'es' text is the English one, not a translation")
    return texts


def _number(value, where):
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ContentError(f"{where} must be a number, not {value!r}")
    return float(value)
