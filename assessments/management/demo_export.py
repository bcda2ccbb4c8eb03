"""Generated CRM exports (no real people): HubSpot's and Salesforce's standard columns filled
from a seeded random generator, for the demo, the tests and `make bench`.

Every person-like cell (names, e-mail addresses, phones) is a made-up token such as
"Lead 000042" and "lead000042@example.invalid"; the metrics never read them.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import random
from dataclasses import dataclass

from assessments import evidence

HUBSPOT_LEADS = [
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Phone Number",
    "Company Name",
    "Job Title",
    "Contact owner",
    "Lifecycle Stage",
    "Lead Status",
    "Disqualification Reason",
    "Original Traffic Source",
    "Create Date",
    "Became a Marketing Qualified Lead Date",
    "Became a Sales Qualified Lead Date",
    "Date of first engagement",
    "Number of Sales Activities",
    "Last Contacted",
    "Became a Customer Date",
    "City",
    "Country/Region",
]
SALESFORCE_LEADS = [
    "Lead ID",
    "First Name",
    "Last Name",
    "Title",
    "Company / Account",
    "Email",
    "Phone",
    "Lead Owner",
    "Lead Status",
    "Lead Source",
    "Created Date",
    "Converted",
    "Converted Date",
    "First Call Date/Time",
    "First Email Date/Time",
    "Last Activity",
    "Rating",
    "City",
]
HUBSPOT_DEALS = [
    "Record ID",
    "Deal Name",
    "Deal owner",
    "Pipeline",
    "Deal Stage",
    "Amount",
    "Create Date",
    "Close Date",
    "Original Traffic Source",
    "Associated Company",
]
SALESFORCE_DEALS = [
    "Opportunity ID",
    "Opportunity Name",
    "Account Name",
    "Opportunity Owner",
    "Stage",
    "Amount",
    "Close Date",
    "Created Date",
    "Lead Source",
    "Probability (%)",
]


@dataclass(frozen=True)
class Profile:
    """How a generated company works its leads: the figures its export should show."""

    follow_up_hours: float = 20.0  # median, qualified to first sales activity
    never_worked: float = 0.05  # share of qualified leads nobody touched
    accepted: float = 0.6  # share of qualified leads sales accepted
    rejected_with_reason: float = 0.25
    rejected_without_reason: float = 0.05
    stage_set: float = 0.98
    won: float = 0.12
    source_set: float = 0.95
    marketing_sourced: float = 0.5  # share of deals from marketing's sources


def leads(count, seed=0, profile=Profile(), source=evidence.HUBSPOT, end=None, days=180):
    """Return (header, rows) of a leads export; dates are datetime objects, the rest text."""
    chance = random.Random(seed)
    end = end or datetime.datetime(2026, 6, 30, 18, 0)
    start = end - datetime.timedelta(days=days)
    header = HUBSPOT_LEADS if source == evidence.HUBSPOT else SALESFORCE_LEADS
    mu = math.log(max(profile.follow_up_hours, 0.1))
    rows = []
    for n in range(1, count + 1):
        created = start + datetime.timedelta(minutes=chance.randrange(days * 24 * 60))
        created = created.replace(second=0, microsecond=0)
        qualified = created + datetime.timedelta(hours=chance.uniform(0, 48))
        qualified = qualified.replace(second=0, microsecond=0)
        worked = chance.random() >= profile.never_worked
        first = None
        if worked:
            first = qualified + datetime.timedelta(hours=chance.lognormvariate(mu, 0.6))
            first = first.replace(second=0, microsecond=0)
        roll = chance.random()
        accepted = roll < profile.accepted
        rejected = not accepted and roll < (
            profile.accepted + profile.rejected_with_reason + profile.rejected_without_reason
        )
        reason = rejected and roll < profile.accepted + profile.rejected_with_reason
        won = accepted and chance.random() < profile.won / max(profile.accepted, 0.01)
        stage_set = chance.random() < profile.stage_set
        person = {
            "id": f"{n:06d}",
            "first": "Lead",
            "last": f"{n:06d}",
            "email": f"lead{n:06d}@example.invalid",
            "phone": f"+34 600 {n % 1000:03d} {n // 1000 % 1000:03d}",
            "company": f"Company {n % 997:03d}",
        }
        if source == evidence.HUBSPOT:
            stage = (
                "customer"
                if won
                else "salesqualifiedlead"
                if accepted
                else "marketingqualifiedlead"
            )
            status = "UNQUALIFIED" if rejected else ("OPEN_DEAL" if accepted else "OPEN")
            rows.append(
                [
                    person["id"],
                    person["first"],
                    person["last"],
                    person["email"],
                    person["phone"],
                    person["company"],
                    "Head of Operations",
                    f"Owner {n % 7}",
                    stage if stage_set else "",
                    status,
                    chance.choice(["No budget", "Not the buyer", "Too small"]) if reason else "",
                    chance.choice(["ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING"]),
                    created,
                    qualified,
                    qualified + datetime.timedelta(days=2) if accepted else None,
                    first,
                    str(chance.randrange(1, 9)) if worked else "0",
                    first + datetime.timedelta(days=3) if first else None,
                    qualified + datetime.timedelta(days=30) if won else None,
                    "Madrid",
                    "Spain",
                ]
            )
        else:
            status = (
                "Closed - Converted"
                if accepted
                else "Closed - Not Converted"
                if rejected
                else "Working - Contacted"
            )
            rows.append(
                [
                    person["id"],
                    person["first"],
                    person["last"],
                    "Head of Operations",
                    person["company"],
                    person["email"],
                    person["phone"],
                    f"Owner {n % 7}",
                    status if stage_set else "",
                    chance.choice(["Web", "Phone Inquiry", "Partner Referral", "Purchased List"]),
                    qualified,
                    "1" if accepted else "0",
                    qualified + datetime.timedelta(days=2) if accepted else None,
                    first,
                    None,
                    first.date() if first else None,
                    "Warm",
                    "Madrid",
                ]
            )
    return header, rows


def deals(count, seed=0, profile=Profile(), source=evidence.HUBSPOT, end=None, days=180):
    """Return (header, rows) of a deals or opportunities export."""
    chance = random.Random(seed)
    end = end or datetime.datetime(2026, 6, 30, 18, 0)
    start = end - datetime.timedelta(days=days)
    header = HUBSPOT_DEALS if source == evidence.HUBSPOT else SALESFORCE_DEALS
    marketing = (
        ["ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING"]
        if source == evidence.HUBSPOT
        else ["Web", "Purchased List", "Trade Show"]
    )
    other = ["OFFLINE"] if source == evidence.HUBSPOT else ["Partner Referral", "Phone Inquiry"]
    rows = []
    for n in range(1, count + 1):
        created = start + datetime.timedelta(minutes=chance.randrange(days * 24 * 60))
        closes = created + datetime.timedelta(days=chance.randrange(10, 90))
        source_value = ""
        if chance.random() < profile.source_set:
            pool = marketing if chance.random() < profile.marketing_sourced else other
            source_value = chance.choice(pool)
        amount = f"{chance.randrange(5, 200) * 100}"
        stage = chance.choice(["Closed Won", "Closed Lost", "Proposal"])
        if source == evidence.HUBSPOT:
            row = [f"{n:06d}", f"Deal {n:06d}", f"Owner {n % 7}", "Sales Pipeline", stage]
            rows.append([*row, amount, created, closes, source_value, f"Company {n % 997:03d}"])
        else:
            row = [f"{n:06d}", f"Opportunity {n:06d}", f"Company {n % 997:03d}", f"Owner {n % 7}"]
            rows.append([*row, stage, amount, closes.date(), created, source_value, "50"])
    return header, rows


DATE_STYLES = {
    "iso": ("%Y-%m-%d %H:%M", "%Y-%m-%d"),
    "us": ("%m/%d/%Y %I:%M %p", "%m/%d/%Y"),
    "eu": ("%d/%m/%Y %H:%M", "%d/%m/%Y"),
}
SPANISH_MONTHS = "ene feb mar abr may jun jul ago sept oct nov dic".split()


def cell_text(value, style="iso"):
    """A cell as the export's text: dates in STYLE ("iso", "us", "eu" or "es" month names)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        timed = isinstance(value, datetime.datetime)
        if style == "es":
            text = f"{value.day} {SPANISH_MONTHS[value.month - 1]} {value.year}"
            return f"{text} {value:%H:%M}" if timed else text
        with_time, day_only = DATE_STYLES[style]
        return value.strftime(with_time if timed else day_only)
    return str(value)


def to_csv(header, rows, style="iso", delimiter=",", encoding="utf-8"):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell_text(value, style) for value in row])
    return buffer.getvalue().encode(encoding)


def to_xlsx(header, rows):
    """An .xlsx workbook: dates as date cells, as HubSpot's and Salesforce's Excel exports are."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Export")
    sheet.append(header)
    for row in rows:
        sheet.append(["" if value is None else value for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
