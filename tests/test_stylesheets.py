"""Each style rule has one home: a selector styled in two stylesheets belongs in shared.css."""

import re
from collections import defaultdict
from pathlib import Path

CSS = Path(__file__).resolve().parent.parent / "static" / "css"


def selectors(text):
    """Yield (at-rules around it, selector) for each rule of TEXT, comments removed."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    stack = []
    for match in re.finditer(r"([^{};]*)\{|\}", text):
        if match.group(0) == "}":
            stack.pop()
            continue
        head = " ".join(match.group(1).split())
        if not head.startswith("@"):
            at_rules = " ".join(h for h in stack if h.startswith("@"))
            for selector in head.split(","):
                yield at_rules, selector.strip()
        stack.append(head)


def test_no_selector_is_styled_in_two_stylesheets():
    homes = defaultdict(set)
    for path in CSS.glob("*.css"):
        for media, selector in selectors(path.read_text()):
            if selector and not selector.startswith("@"):
                homes[(media, selector)].add(path.name)
    shared = {key: sorted(files) for key, files in homes.items() if len(files) > 1}
    assert not shared, shared


def test_the_shared_rules_reach_the_site_and_the_dashboard():
    base = (CSS.parent.parent / "templates" / "base.html").read_text()
    dashboard = (CSS.parent.parent / "templates" / "admin" / "dashboard" / "base.html").read_text()
    assert "css/shared.css" in base
    assert "css/shared.css" in dashboard
