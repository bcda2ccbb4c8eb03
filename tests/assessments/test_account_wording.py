"""Every account page and e-mail speaks the app's words, in English and in formal Spanish.

django-allauth's own templates, labels and messages say "Sign Up", "Remember Me" and
"for user lead.en", and its Spanish mixes "tú" and "usted": the app replaces them all.
"""

import html
import re
from pathlib import Path

import allauth
import polib
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

CATALOGUE = Path(__file__).resolve().parents[2] / "locale/es/LC_MESSAGES/django.po"

# Forms of "tú" (and "vosotros") that never mean anything else in the app's Spanish.
TU = {
    *"tu tus ti te contigo eres estás puedes quieres has tienes haz introduce elige pulsa".split(),
    *"revisa comprueba olvidaste tuyo tuya tuyos tuyas asegúrate recuerda regístrate".split(),
    *"introdúcelo confírmala vosotros vuestro vuestra".split(),
}


def tu_forms(text):
    """The words of TEXT that address someone as "tú" (acronyms such as "TI" are not words)."""
    return [word for word in re.findall(r"\w+", text) if word.lower() in TU and not word.isupper()]


# The library's English wording that the app replaced (case matters: "Sign up" is ours).
LIBRARY_ENGLISH = [
    "Sign Up",
    "Sign In",
    "Signup",
    "Sign Out",
    "Remember Me",
    "Forgot Password",
    "Password (again)",
    "Email Address",
    "Email Addresses",
    "Confirm Email Address",
    "Verify Your Email Address",
    "Change Password",
    "Set Password",
    "Password Reset",
    "Add Email",
    "Make Primary",
    "Re-send Verification",
    "Two-Factor Authentication",
    "Authenticator App",
    "Recovery Codes",
    "Confirm Access",
    "Account Inactive",
    "Bad Token",
    "for user",
    "Please ",
    "Successfully",
    "We have sent",
    "Hello from",
    "Thank you for using",
    "Incorrect code",
    "You must type the same",
    "and/or password",
    "Use your password",
]


def allauth_spanish():
    """allauth's own Spanish for the English it says on these pages: none of it may show."""
    catalogue = polib.pofile(str(Path(allauth.__file__).parent / "locale/es/LC_MESSAGES/django.po"))
    replaced = [
        "Sign Up",
        "Sign In",
        "Remember Me",
        "Password (again)",
        "Email",
        "Email address",
        "Forgot your password?",
        "Verify Your Email Address",
        "Confirm Email Address",
        "Change Password",
        "You must type the same password each time.",
        "The email address and/or password you specified are not correct.",
        "Two-Factor Authentication",
        "Authenticator App",
        "Recovery Codes",
        "Incorrect code.",
        "Already have an account? Then please %(link)ssign in%(end_link)s.",
    ]
    # Where allauth's Spanish is word for word the app's ("Iniciar sesión"), it may show.
    ours = {entry.msgstr for entry in polib.pofile(str(CATALOGUE))}
    found = {entry.msgid: entry.msgstr for entry in catalogue if entry.msgid in replaced}
    assert len(found) > 10, "allauth's catalogue changed: update this list"
    return [text for text in found.values() if text and text not in ours]


def text_of(page):
    """What a person reads on PAGE: the main content and messages, tags and scripts removed."""
    body = page.split('<main id="content"', 1)[1].split("</main>", 1)[0]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def in_language(language):
    client = Client()
    client.cookies["django_language"] = language
    return client


def login(client, email, password="pw-for-tests"):
    return client.post(reverse("account_login"), {"login": email, "password": password})


@pytest.fixture
def ana(leader):
    leader.first_name, leader.last_name = "Ana", "García"
    leader.save()
    EmailAddress.objects.create(user=leader, email="ana.old@acme.example", verified=False)
    return leader


@pytest.fixture
def protected(make_leader):
    """An account with an authenticator app and recovery codes."""
    user = make_leader("two@acme.example")
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)
    return user


def visit_every_account_page(language, ana, protected):
    """Every page of signing up, logging in, passwords, addresses and two-factor, as people see
    them (errors and messages included): {description: page HTML}."""
    pages = {}
    visitor = in_language(language)
    for name in [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
        "account_inactive",
        "account_reset_password_from_key_done",
    ]:
        pages[name] = visitor.get(reverse(name)).text
    pages["reset link expired"] = visitor.get(
        reverse("account_reset_password_from_key", kwargs={"uidb36": "1", "key": "x-y"})
    ).text
    pages["confirmation link expired"] = visitor.get(
        reverse("account_confirm_email", args=["no-such-key"])
    ).text
    pages["login error"] = login(visitor, "ana@acme.example", "wrong").text
    pages["sign-up errors"] = visitor.post(
        reverse("account_signup"),
        {"email": "new@acme.example", "password1": "a-long-pass-1", "password2": "other-2"},
    ).text

    newcomer = in_language(language)
    newcomer.post(
        reverse("account_signup"),
        {
            "first_name": "Leo",
            "email": f"leo.{language}@acme.example",
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
        },
    )
    pages["verification sent"] = newcomer.get(reverse("account_email_verification_sent")).text
    pages["resend refused"] = newcomer.post(reverse("resend_confirmation"), follow=True).text
    confirm = [w for w in mail.outbox[-1].body.split() if "/accounts/confirm-email/" in w][0]
    confirm = confirm.replace(settings.SITE_URL, "")
    pages["confirm e-mail"] = newcomer.get(confirm).text
    pages["confirmed and logged in"] = newcomer.post(confirm, follow=True).text

    forgetful = in_language(language)
    forgetful.post(reverse("account_reset_password"), {"email": "ana@acme.example"})
    reset = [w for w in mail.outbox[-1].body.split() if "/password/reset/key/" in w][0]
    pages["set a new password"] = forgetful.get(
        reset.replace(settings.SITE_URL, ""), follow=True
    ).text

    member = in_language(language)
    pages["logged in"] = member.get(login(member, "ana@acme.example").url, follow=True).text
    for name in ["account_email", "account_change_password", "account_logout", "mfa_index"]:
        pages[name] = member.get(reverse(name)).text
    pages["change password errors"] = member.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": "x", "password2": "y"},
    ).text
    # Two-factor needs a confirmed address first, and a password typed again.
    pages["two-factor refused"] = member.get(reverse("mfa_activate_totp"), follow=True).text
    EmailAddress.objects.filter(user=ana, verified=False).delete()
    pages["confirm it is you"] = member.get(reverse("mfa_activate_totp"), follow=True).text
    pages["confirm it is you, error"] = member.post(
        reverse("account_reauthenticate"), {"password": "wrong"}
    ).text
    member.post(
        reverse("account_reauthenticate") + "?next=" + reverse("mfa_activate_totp"),
        {"password": "pw-for-tests"},
    )
    pages["activate authenticator"] = member.get(reverse("mfa_activate_totp")).text
    pages["activate error"] = member.post(reverse("mfa_activate_totp"), {"code": "000000"}).text

    careful = in_language(language)
    pages["second step"] = careful.get(login(careful, "two@acme.example").url).text
    pages["second step error"] = careful.post(reverse("mfa_authenticate"), {"code": "1"}).text
    returning = in_language(language)
    returning.force_login(protected)
    for name in [
        "mfa_index",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_deactivate_totp",
    ]:
        pages[name] = returning.get(reverse(name), follow=True).text
    return pages


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_account_page_speaks_the_apps_words(language, ana, protected):
    pages = visit_every_account_page(language, ana, protected)
    assert len(pages) >= 29
    forbidden = LIBRARY_ENGLISH + (allauth_spanish() if language == "es" else [])
    problems = []
    for description, page in pages.items():
        assert f'<html lang="{language}">' in page, description
        text = text_of(page)
        problems += [(description, phrase) for phrase in forbidden if phrase in text]
        if language == "es":
            problems += [(description, f"tú: {word}") for word in tu_forms(text)]
        assert "lead.en" not in text and "127.0.0.1:8810" not in text
    assert problems == [], problems


def test_the_pages_say_what_the_person_does_in_each_language(ana, protected):
    english = visit_every_account_page("en", ana, protected)
    assert "Remember me" in english["account_login"]
    assert "<h1>Sign up</h1>" in english["account_signup"]
    assert "Log in</a> instead" in english["account_signup"]
    assert "Send the e-mail again" in english["verification sent"]
    assert "Leo, confirm that" in text_of(english["confirm e-mail"])
    assert "Welcome, Ana García." in english["logged in"]
    assert "This e-mail address and password do not match." in english["login error"]
    assert "Type the same password in both fields." in english["sign-up errors"]
    assert "Not confirmed" in english["account_email"]
    spanish = visit_every_account_page("es", ana, protected)
    assert "Recordarme" in spanish["account_login"]
    assert "Volver a enviar el correo" in spanish["verification sent"]
    assert "Leo, confirme que" in text_of(spanish["confirm e-mail"])
    assert "La dirección de correo y la contraseña no coinciden." in spanish["login error"]
    assert "Escriba la misma contraseña en los dos campos." in spanish["sign-up errors"]


def test_the_spanish_catalogue_speaks_usted_throughout():
    catalogue = polib.pofile(str(CATALOGUE))
    tu = [
        (entry.msgid, word)
        for entry in catalogue
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        for word in tu_forms(text)
    ]
    assert tu == []
    assert catalogue.untranslated_entries() == [] and catalogue.fuzzy_entries() == []


@pytest.mark.parametrize("language", ["en", "es"])
def test_account_e_mails_name_the_site_and_link_to_its_address(language, settings, leader):
    settings.SITE_NAME = "Smarketing Test"
    settings.SITE_URL = "https://app.smarketing.example"
    visitor = in_language(language)
    visitor.post(
        reverse("account_signup"),
        {
            "first_name": "Leo",
            "email": "leo@acme.example",
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
        },
    )
    # Someone signs up with an address that has an account: its owner is told.
    in_language(language).post(
        reverse("account_signup"),
        {
            "first_name": "Eve",
            "email": "ana@acme.example",
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
        },
    )
    in_language(language).post(reverse("account_reset_password"), {"email": "ana@acme.example"})
    confirmation, exists, reset = mail.outbox
    for message in mail.outbox:
        assert message.subject.startswith("Smarketing Test: ")
        assert "Smarketing Test · app.smarketing.example" in message.body
        assert "testserver" not in message.body and "Hello from" not in message.body
        links = [w for w in message.body.split() if "://" in w]
        assert links and all(link.startswith("https://app.smarketing.example/") for link in links)
        assert "Leo" not in message.body and "Eve" not in message.body
        if language == "es":
            assert tu_forms(message.subject + message.body) == [], message.body
    assert "/accounts/confirm-email/" in confirmation.body
    assert "/accounts/password/reset/" in exists.body
    assert "/accounts/password/reset/key/" in reset.body
    expected = {"en": "Confirm your e-mail address", "es": "Confirme su dirección de correo"}
    assert expected[language] in confirmation.subject
