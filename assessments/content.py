"""Read the reviewed content files and refuse a malformed one with a clear message.

Content that people read and scoring depends on (a questionnaire version)
lives in data files, both languages side by side, reviewed like code and
loaded by a data migration. Pure: a YAML file in, frozen dataclasses out, no
Django; the migration that loads a file writes the rows.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

LANGUAGES = ("en", "es")
KEY = re.compile(r"^[a-z]+\.[a-z0-9-]+$")
# The database's column lengths (assessments.models), so a long text fails here, by name.
TITLE_LENGTH = 200
TEXT_LENGTH = 400


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
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ContentError(f"{path.name}: cannot be read: {error}") from error
    return parse_questionnaire(data, path.name, indicators)


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
        if len(text) > length:
            raise ContentError(f"{where}: the {lang!r} text is longer than {length} characters")
        texts[lang] = text.strip()
    return texts


def _number(value, where):
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ContentError(f"{where} must be a number, not {value!r}")
    return float(value)
