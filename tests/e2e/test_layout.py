"""Every page of the access matrix on a phone, as each persona that may see it.

At 320 and 390 px, in English and Spanish: the page never scrolls sideways, and every
visible button (and link drawn as one) is at least 44 px high, shows its whole label in its
middle, touches no other and is the element a finger lands on at its centre once scrolled
into view. A select box shows its chosen option whole, unless that option is longer than most
of the screen. The pages come
from tests/test_access_matrix.py, so a page is checked here as soon as the matrix knows it.
A public page whose content a logged-in persona gets exactly as a visitor does is laid out
once, for the visitor: the persona's own header is checked on each of its own pages.
"""

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from assessments.models import Response
from tests.helpers import lowest, submit_response
from tests.test_access_matrix import LOGGED_OUT, OK, PERSONAS, build_world, url_names, url_of

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [390, 320]
LANGUAGES = ["en", "es"]
# "respondent" holds no login: the same pages as "anonymous".
VISITORS = [persona for persona in PERSONAS if persona != "respondent"]
assert set(PERSONAS) - set(VISITORS) <= LOGGED_OUT

# A finger's target: buttons, links drawn as buttons, submit inputs (the admin's too).
PROBLEMS = """(minimum) => {
  const problems = [];
  const width = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  const name = (element) => (
    element.innerText || element.value || element.getAttribute("aria-label") || element.outerHTML
  ).trim().replace(/\\s+/g, " ").slice(0, 60);
  const describe = (element) => {
    if (!element) return "nothing";
    const classes = typeof element.className === "string" ? element.className.trim() : "";
    return `<${element.tagName.toLowerCase()}${element.id ? "#" + element.id : ""}`
      + `${classes ? "." + classes.split(/\\s+/).join(".") : ""}> "${name(element).slice(0, 30)}"`;
  };
  if (scrollWidth > width) {
    // Name the innermost boxes that reach past the right edge, outside any scrolling box.
    const past = (element) => element.getBoundingClientRect().right > width + 1;
    const loose = (element) => {
      for (let box = element.parentElement; box; box = box.parentElement) {
        if (getComputedStyle(box).overflowX !== "visible") return false;
      }
      return true;
    };
    const culprits = Array.from(document.body.querySelectorAll("*")).filter((element) =>
      past(element) && loose(element) && !Array.from(element.children).some(past));
    problems.push(`scrolls sideways: ${scrollWidth} px in ${width}, past the edge: `
      + culprits.slice(0, 3).map(describe).join(", "));
  }
  // Hidden from the eye: not rendered, invisible, or clipped to a pixel for screen readers.
  const shown = (element) => {
    if (!element.checkVisibility({ visibilityProperty: true, opacityProperty: true })) {
      return false;
    }
    const box = element.getBoundingClientRect();
    return box.width > 1 && box.height > 1
      && !element.closest(".visually-hidden, .visually-hidden-focusable:not(:focus-within)");
  };
  // The vertical extent of the text a reader sees in ELEMENT, or null.
  const textSpan = (element) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let top = Infinity, bottom = -Infinity;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim() || node.parentElement.closest(".visually-hidden")) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const rect of range.getClientRects()) {
        top = Math.min(top, rect.top);
        bottom = Math.max(bottom, rect.bottom);
      }
    }
    return top < bottom ? [top, bottom] : null;
  };
  const targets = Array.from(document.querySelectorAll(
    "button, .btn, .button, input[type=submit], input[type=button], input[type=reset]"))
    .filter(shown);
  // Where each target sits on the page, before anything scrolls: two that touch or overlap
  // make one tap land on either.
  const placed = targets.map((element) => {
    const box = element.getBoundingClientRect();
    return [name(element), box.left + scrollX, box.top + scrollY, box.right + scrollX,
      box.bottom + scrollY];
  });
  placed.forEach(([a, left, top, right, bottom], i) => {
    for (const [b, left2, top2, right2, bottom2] of placed.slice(i + 1)) {
      const apart = Math.max(left2 - right, left - right2, top2 - bottom, top - bottom2);
      if (apart < 2) problems.push(`"${a}" and "${b}" touch`);
    }
  });
  for (const element of targets) {
    element.scrollIntoView({ block: "center", inline: "center", behavior: "instant" });
    const box = element.getBoundingClientRect();
    if (box.height < minimum) {
      problems.push(`"${name(element)}" is ${Math.round(box.height)} px high`);
    }
    const text = textSpan(element);
    if (text && Math.abs(text[0] + text[1] - box.top - box.bottom) / 2 > 3) {
      problems.push(`"${name(element)}" has its label off the middle`);
    }
    // An icon button hides its name off to the side on purpose (the admin's selector arrows).
    const iconOnly = parseFloat(getComputedStyle(element).textIndent) < -100;
    if (!iconOnly && element.scrollWidth > element.clientWidth + 1) {
      problems.push(`"${name(element)}" cuts its label`);
    }
    // A disabled button takes no tap (Bootstrap turns its pointer events off).
    if (element.disabled) continue;
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (x < 0 || x > width || !hit || !(hit === element || element.contains(hit))) {
      problems.push(`"${name(element)}" is covered by ${describe(hit)}`);
    }
  }
  const context = document.createElement("canvas").getContext("2d");
  for (const select of document.querySelectorAll("select")) {
    if (!shown(select) || select.multiple || select.size > 1) continue;
    const style = getComputedStyle(select);
    context.font = style.font;
    const label = select.selectedOptions.length ? select.selectedOptions[0].text : "";
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const room = select.clientWidth - padding;
    // A sentence-long option may run past a select that spans most of the screen (the
    // phone's own list shows it whole); a narrower select must show its option.
    if (context.measureText(label).width > room + 1 && room < 0.6 * width) {
      problems.push(`the select ${describe(select)} cuts "${label}"`);
    }
  }
  window.scrollTo({ top: 0, left: 0, behavior: "instant" });
  return problems;
}"""


CHARTS_FIT = """() => Array.from(document.querySelectorAll(".js-plotly-plot")).every((chart) =>
  chart.querySelector(".main-svg").getBoundingClientRect().width <= chart.clientWidth + 1)"""


@pytest.fixture
def world(questionnaire, make_leader, make_consultant, superuser, settings):
    """The access matrix's world, with what a team's pages show on a real day."""
    world = build_world(questionnaire, make_leader, make_consultant, superuser, settings)
    # A second member with a long name and address: role selects, Remove and Leave show.
    colleague = make_leader(
        "maria-fernanda.castellanos-villalobos@northwind-industries.example",
        world.org_a,
        role="sales",
    )
    colleague.first_name, colleague.last_name = "María Fernanda", "Castellanos Villalobos"
    colleague.save()
    # Invited people who have and have not answered: their reminders and resends show.
    submit_response(
        world.round_a, "sales", lowest, email=colleague.email, name="María Fernanda Castellanos"
    )
    Response.objects.create(
        round=world.round_a,
        questionnaire=questionnaire,
        organization_name=world.org_a.name,
        role="ceo",
        email="chief-executive.officer@northwind-industries.example",
    )
    return world


def pages_for(world, persona):
    """The pages PERSONA may see (200 to a GET in the access matrix)."""
    pages = []
    for name in url_names():
        rule = world.rule(name)
        if rule.method == "get" and rule.expected[persona] == OK:
            pages.append(url_of(world, name))
    return pages


def main_content(client, url):
    """The <main> of URL as CLIENT gets it, without the values that change on each request."""
    answer = client.get(url)
    if answer.status_code != 200 or not answer["Content-Type"].startswith("text/html"):
        return None
    match = re.search(r"<main\b.*?</main>", answer.content.decode(), re.DOTALL)
    return match and re.sub(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"', "", match.group(0))


def laid_out_for_visitors(world, persona, language):
    """The pages PERSONA gets exactly as a logged-out visitor does, who is checked on them."""
    if world.user(persona) is None:
        return set()
    visitor, member = world.client("anonymous"), world.client(persona)
    for client in (visitor, member):
        client.cookies["django_language"] = language
    same = set()
    for url in set(pages_for(world, persona)) & set(pages_for(world, "anonymous")):
        content = main_content(visitor, url)
        if content is not None and main_content(member, url) == content:
            same.add(url)
    return same


def context_for(browser, live_server, world, persona):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800})
    if world.user(persona) is not None:
        host = urlparse(live_server.url).hostname
        session = world.client(persona).cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "domain": host, "path": "/"}])
    return context


def charts_fit(page):
    """Give the charts drawn so far the moment plotly takes to redraw them at a new width."""
    if page.evaluate(CHARTS_FIT):
        return  # nothing to wait for (most pages have no chart)
    try:
        page.wait_for_function(CHARTS_FIT, timeout=2_000)
    except PlaywrightTimeoutError:
        pass  # a chart wider than its box: the check names it


def set_language(context, live_server, language):
    host = urlparse(live_server.url).hostname
    context.add_cookies(
        [{"name": "django_language", "value": language, "domain": host, "path": "/"}]
    )


# One test per persona and language, so the parallel workers share the pages out evenly.
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("persona", VISITORS)
def test_no_page_scrolls_sideways_or_hides_a_button_on_a_phone(
    browser, live_server, world, persona, language
):
    same = laid_out_for_visitors(world, persona, language)
    pages = [url for url in pages_for(world, persona) if url not in same]
    assert pages, persona
    context = context_for(browser, live_server, world, persona)
    set_language(context, live_server, language)
    page = context.new_page()
    found = []
    checked = 0
    widths = list(WIDTHS)
    for url in pages:
        try:
            answer = page.goto(url)
        except PlaywrightError as error:
            # A download (an export) is a page of the matrix too, but nothing to lay out.
            assert "Download is starting" in error.message, (url, error.message)
            continue
        assert answer.ok and answer.request.redirected_from is None, (url, answer.status)
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue  # JSON, JavaScript
        assert page.evaluate("document.documentElement.lang") == language, url
        # Each page opens at the width the last one ended with: no extra resize.
        for width in widths:
            if page.viewport_size["width"] != width:
                page.set_viewport_size({"width": width, "height": 800})
            charts_fit(page)
            found += [f"{url} {width}: {problem}" for problem in page.evaluate(PROBLEMS, 44)]
            checked += 1
        widths.reverse()
    context.close()
    assert checked >= 4, pages  # something was laid out
    assert not found, "\n".join(found)


def test_the_check_finds_each_problem(page):
    page.set_viewport_size({"width": 320, "height": 600})
    page.set_content(
        """<!doctype html><meta name="viewport" content="width=device-width">
        <style>body { margin: 0 } button { height: 50px }</style>
        <p><button>Whole</button></p>
        <p><button style="height: 30px">Short</button></p>
        <p style="position: relative"><button>Covered</button>
          <span style="position: absolute; inset: 0; background: #fff">Banner</span></p>
        <p><button style="width: 40px; white-space: nowrap; overflow: hidden">Cut label</button>
        <p><a class="btn" href="#" style="display: inline-block; height: 60px">Top</a></p>
        <p><button>Left</button><button>Right</button></p>
        <p><select style="width: 60px"><option>A long option</option></select></p>
        <p><a class="btn" href="#" style="display: inline-block; width: 30px; height: 44px;
          visibility: hidden">Hidden</a></p>
        <div style="width: 400px">Wide</div>"""
    )
    problems = page.evaluate(PROBLEMS, 44)
    assert problems[0].startswith("scrolls sideways: 400 px in 320, past the edge: <div>")
    assert problems[1:] == [
        '"Left" and "Right" touch',
        '"Short" is 30 px high',
        '"Covered" is covered by <span> "Banner"',
        '"Cut label" cuts its label',
        '"Top" has its label off the middle',
        'the select <select> "A long option" cuts "A long option"',
    ]
