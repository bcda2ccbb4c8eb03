"""docs/verdicts.md, written by tests/verdicts.py, says what the code gives today."""

import pytest
from django.utils import translation

from tests import verdicts

pytestmark = pytest.mark.django_db


def test_the_after_half_of_the_verdicts_page_is_what_the_code_gives():
    with translation.override("en"):
        fresh = verdicts.after_rows()
    written = verdicts.after_cells(verdicts.OUTPUT.read_text())
    assert written == fresh, "run .venv/bin/python tests/verdicts.py"


def test_the_verdicts_page_covers_the_cases_of_the_issue():
    names = {profile.name for profile in verdicts.PROFILES}
    assert len(verdicts.PROFILES) >= 12
    assert {
        "No agreed lead definition",
        "No leaders' meetings",
        "Lead definition unknown",
        "Functional without one leader",
        "Marketing under the head of sales",
        "The article's case",
        "An optimistic CRO",
    } <= names
    assert {profile.who for profile in verdicts.PROFILES} == {"one leader", "team of 3"}
