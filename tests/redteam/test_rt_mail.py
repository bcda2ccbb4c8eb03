"""Red team: making the server mail one mailbox more than the limits say.

"Any e-mail sent to one address on someone's request: 5 per hour, 10 per day"
(docs/security.md, Security). The limit is keyed on the typed string; SMTP delivers many
different strings to the same mailbox.
"""

import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.mail.message import sanitize_address
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

VICTIM = "victim@example.com"

# Each is accepted by Django's EmailField and leaves the server, through Django's
# SMTP backend (sanitize_address: IDNA with nameprep), addressed to VICTIM.
SAME_MAILBOX = [
    "victim@ｅxample.com",  # fullwidth e
    "victim@ex\u00adample.com",  # soft hyphen: mapped to nothing
    "victim@exa\u200bmple.com",  # zero-width space: mapped to nothing
    "victim@exam\u2060ple.com",  # word joiner
    '"victim"@example.com',  # quoted local part
    "victim@e\u00adx\u00adample.com",
    "victim@\ufeffexample.com",
    "victim@examp\u00adle.com",
]


def envelope(address):
    """The recipient as Django's SMTP backend writes it on the wire."""
    return sanitize_address(address, "utf-8").lower()


def test_the_variants_are_one_mailbox():
    assert {envelope(address) for address in SAME_MAILBOX} == {VICTIM}


def test_one_mailbox_gets_no_more_than_five_private_links_an_hour(questionnaire):
    for n, address in enumerate(SAME_MAILBOX):
        Client(REMOTE_ADDR=f"10.0.0.{n}").post(
            reverse("assessments:start"),
            {"organization_name": "Acme", "role": "ceo", "email": address},
        )
    delivered = [m for m in mail.outbox if envelope(m.to[0]) == VICTIM]
    assert len(delivered) <= 5, f"{len(delivered)} private links reached {VICTIM} in an hour"


def test_one_mailbox_gets_no_more_than_five_confirmation_mails_from_one_account(client, leader):
    """allauth's e-mail management: 10 additions a minute per account, each mailed."""
    client.force_login(leader)
    for address in SAME_MAILBOX + ["victim@exampl\u00ade.com", "victim@\u00adexample.com"]:
        client.post(reverse("account_email"), {"action_add": "", "email": address})
    delivered = [m for m in mail.outbox if envelope(m.to[0]) == VICTIM]
    assert EmailAddress.objects.filter(user=leader).count() <= 3  # ACCOUNT_MAX_EMAIL_ADDRESSES
    assert len(delivered) <= 5, f"{len(delivered)} confirmation mails reached {VICTIM}"


def test_one_account_cannot_mail_hundreds_of_strangers_an_hour(client, leader):
    """Every endpoint that sends e-mail is limited per client address too (issue 10, item 3)."""
    client.force_login(leader)
    start = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    n = 0
    for minute in range(6):
        with time_machine.travel(start + datetime.timedelta(minutes=minute), tick=False):
            for _ in range(12):
                n += 1
                client.post(
                    reverse("account_email"), {"action_add": "", "email": f"x{n}@example.net"}
                )
    # allauth's default for manage_email, 10 a minute per account, is 600 an hour.
    sent = len(mail.outbox)
    assert sent <= 30, f"one account, one client address, {sent} e-mails to strangers in 6 minutes"


def test_a_strangers_confirmation_mail_carries_no_text_the_sender_chose(client):
    """allauth names the account's user in the mail it sends to an address being added; the
    username is made from the sign-up address's local part, and the name is typed at sign-up:
    the sender chose both."""
    spam = "claim.your.prize.now.at.spam-example.com"
    client.post(
        reverse("account_signup"),
        {
            "first_name": f"Visit {spam}",
            "email": f"{spam}@attacker.example",
            "password1": "a-Long-pass-phrase-9",
            "password2": "a-Long-pass-phrase-9",
        },
    )
    address = EmailAddress.objects.get(email=f"{spam}@attacker.example")
    address.verified = True
    address.save()
    client.force_login(address.user)
    mail.outbox.clear()
    client.post(reverse("account_email"), {"action_add": "", "email": "stranger@example.org"})
    [message] = mail.outbox
    assert message.to == ["stranger@example.org"]
    assert spam not in message.body, message.body


def test_one_address_gets_no_more_than_ten_mails_a_day_whatever_the_endpoint(leader):
    """README: "any e-mail sent to one address on someone's request: 5 per hour, 10 per day".
    Password resets have their own bucket (3 per address per hour), so 72 a day."""
    start = datetime.datetime(2026, 12, 1, 0, 0, tzinfo=datetime.UTC)
    for hour in range(6):
        with time_machine.travel(start + datetime.timedelta(hours=hour), tick=False):
            for n in range(3):
                Client(REMOTE_ADDR=f"10.3.{hour}.{n}").post(
                    reverse("account_reset_password"), {"email": "ana@acme.example"}
                )
    received = [m for m in mail.outbox if m.to == ["ana@acme.example"]]
    assert len(received) <= 10, f"{len(received)} e-mails to one address in 6 hours"
