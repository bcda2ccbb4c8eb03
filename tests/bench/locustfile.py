"""The people of `make bench`'s live event: each answers the assessment once through a shared link.

Run by tests/bench/live_event.py (locust, headless), which sets:

    BENCH_LIVE_SHARE_PATH  the round's shared link, /join/<token>/
    BENCH_LIVE_THINK       seconds a person spends on a page before saving it: "low,high"
    BENCH_LIVE_TIMINGS     where to write every request's name, time and outcome (JSON)

Each person opens the link, starts without an e-mail address (the private link
comes back at once, as on a phone at an event), reads and answers every page,
saves it, submits on the last one, looks at the result and leaves. The server
sees what a browser sends: the CSRF cookie and token, the redirects followed
by hand so that a save is timed on its own.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re

import gevent
from locust import HttpUser, constant, events, task
from locust.exception import StopUser

SHARE_PATH = os.environ.get("BENCH_LIVE_SHARE_PATH", "/")
THINK = tuple(float(s) for s in os.environ.get("BENCH_LIVE_THINK", "5,20").split(","))
TIMINGS = os.environ.get("BENCH_LIVE_TIMINGS")

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
OPTION = re.compile(r'type="radio" name="(q\d+)" value="([^"]+)"')
PAGE = re.compile(r"^/r/[^/]+/page/(\d+)/$")
RESULT = re.compile(r"^/r/[^/]+/result/$")
ROLES = ["marketing", "sales", "ceo", "revenue", "other"]

timings: list[tuple[str, float, int | str, bool]] = []
people = {"started": 0, "submitted": 0, "refused": 0, "failed": 0}


class Failed(Exception):
    """A response the person could not go on from; the reason is the message."""


class Attendee(HttpUser):
    wait_time = constant(0)  # the pauses are the reading, inside the task

    def on_start(self):
        # The production settings mark cookies Secure; a browser sends them over
        # HTTPS. Over the bench's plain HTTP they are sent by hand.
        self.cookies = {}

    def call(self, method, path, name, expected, **kwargs):
        with self.client.request(
            method,
            path,
            name=name,
            cookies=self.cookies,
            allow_redirects=False,
            catch_response=True,
            **kwargs,
        ) as response:
            self.cookies.update(response.cookies.get_dict())
            if response.status_code == 429:
                response.failure("refused (429)")
                raise Failed("refused")
            if response.status_code != expected:
                response.failure(f"status {response.status_code}")
                raise Failed(f"{name}: {response.status_code}")
            response.success()
            return response

    def think(self):
        gevent.sleep(random.uniform(*THINK))

    @task
    def take_the_assessment(self):
        """Once per person: whatever happens, they leave afterwards (and are counted)."""
        outcome = "failed"
        try:
            self.answer()
            outcome = "submitted"
        except Failed as failure:
            outcome = "refused" if str(failure) == "refused" else "failed"
        except Exception:  # a page the person could not read; counted as failed
            logging.exception("an attendee gave up")
        people[outcome] += 1
        raise StopUser

    def answer(self):
        joined = self.call("GET", SHARE_PATH, "join: open the shared link", 200)
        self.think()
        started = self.call(
            "POST",
            SHARE_PATH,
            "join: start",
            302,
            data={
                "csrfmiddlewaretoken": CSRF.search(joined.text).group(1),
                "role": random.choice(ROLES),
                "name": f"Attendee {random.randrange(10**6)}",
            },
        )
        people["started"] += 1
        location = started.headers["Location"]
        while PAGE.match(location):
            page = self.call("GET", location, "page: open", 200)
            options = {}
            for question, value in OPTION.findall(page.text):
                options.setdefault(question, []).append(value)
            if not options:
                raise Failed(f"no questions on {location}")
            self.think()
            last = "Submit and see my result" in page.text
            saved = self.call(
                "POST",
                location,
                "page: save and submit" if last else "page: save",
                302,
                data={
                    "csrfmiddlewaretoken": CSRF.search(page.text).group(1),
                    "next": "1",
                    **{question: random.choice(values) for question, values in options.items()},
                },
            )
            location = saved.headers["Location"]
        if not RESULT.match(location):
            raise Failed(f"ended at {location}")
        self.call("GET", location, "result", 200)


@events.request.add_listener
def record(request_type, name, response_time, response_length, response=None, exception=None, **_):
    status = getattr(response, "status_code", 0)
    timings.append((name, response_time, status or exception.__class__.__name__, bool(exception)))


@events.test_start.add_listener
def count_the_leavers(environment, **_):
    """Stop the run once every person has left: the event is over, not a time."""

    def watch():
        expected = environment.parsed_options.num_users
        while True:
            gevent.sleep(1)
            if sum(people.values()) - people["started"] >= expected:
                environment.runner.quit()
                return

    gevent.spawn(watch)


@events.quitting.add_listener
def write_timings(environment, **_):
    if TIMINGS:
        with open(TIMINGS, "w") as out:
            json.dump({"people": people, "requests": timings}, out)
