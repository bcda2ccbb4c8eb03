from dataclasses import dataclass

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from .models import Organization, PlanItem, Response, Role, Round

DONT_KNOW = "dont-know"

# A person's first or last name, as long as the user model keeps it.
NAME_MAX_LENGTH = get_user_model()._meta.get_field("first_name").max_length

# A role is chosen, never assumed: the list starts empty.
ROLE_CHOICES = [("", _("Choose a role")), *Role.choices]


class StartForm(forms.ModelForm):
    class Meta:
        model = Response
        fields = ["organization_name", "role", "name", "email"]
        labels = {
            "organization_name": _("Organization"),
            "role": _("Your role"),
            "name": _("Your name (optional)"),
            "email": _("Your e-mail (optional)"),
        }
        help_texts = {
            "email": _(
                "If you give one, your private link goes there and you start from that e-mail: "
                "it is the only way to your answers."
            ),
        }
        widgets = {"organization_name": forms.TextInput(attrs={"autocomplete": "organization"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = ROLE_CHOICES
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class PageForm(forms.Form):
    """The questions of one page; each takes one of its own options or "I don't know"."""

    def __init__(self, questions, *args, require_all=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self._options = {}
        for question in self.questions:
            choices = [(str(option.pk), option.text) for option in question.options.all()]
            self._options.update({str(o.pk): o for o in question.options.all()})
            self.fields[question.field_name] = forms.ChoiceField(
                label=question.text,
                choices=[*choices, (DONT_KNOW, _("I don't know"))],
                widget=forms.RadioSelect,
                required=require_all,
                error_messages={
                    "required": _(
                        "Choose the answer closest to your situation, or “I don't know”."
                    ),
                    "invalid_choice": _("That answer is not one of this question's options."),
                },
            )

    def answers(self):
        """Return (question, option or None for "I don't know") for each answered question."""
        pairs = []
        for question in self.questions:
            value = self.cleaned_data.get(question.field_name)
            if value:
                pairs.append((question, None if value == DONT_KNOW else self._options[value]))
        return pairs

    def rows(self):
        """Each question with its choices as plain tuples, cheap for the template to draw."""
        rows = []
        for question in self.questions:
            field = self[question.field_name]
            chosen = str(field.value() or "")
            choices = [
                (value, label, f"{field.auto_id}_{index}", value == chosen)
                for index, (value, label) in enumerate(field.field.choices)
            ]
            rows.append(QuestionRow(question, field.auto_id, field.errors, choices))
        return rows


@dataclass(frozen=True)
class QuestionRow:
    question: object
    id: str
    errors: list
    choices: list  # (value, label, input id, checked), "I don't know" last


class RoundStartForm(forms.ModelForm):
    """A visitor of a round's shared link: the organization is known, the person is not."""

    class Meta:
        model = Response
        fields = ["role", "name", "email"]
        labels = StartForm.Meta.labels
        help_texts = StartForm.Meta.help_texts

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round
        self.fields["role"].choices = ROLE_CHOICES
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_email(self):
        return self.cleaned_data["email"].lower()


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "industry", "size", "cadence"]
        labels = {"cadence": _("How often the team reassesses")}


class BenchmarkConsentForm(forms.Form):
    opted_in = forms.BooleanField(
        label=_("Contribute our latest closed round to the peer benchmark"), required=False
    )


class NewOrganizationForm(OrganizationForm):
    role = forms.ChoiceField(label=_("Your role"), choices=ROLE_CHOICES)


class PortfolioFilterForm(forms.Form):
    """The dashboard's query string: a tampered value is refused (400), never a 500."""

    q = forms.CharField(max_length=100, required=False)
    stage = forms.TypedChoiceField(
        choices=[("", "")] + [(str(n), str(n)) for n in range(1, 5)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    overdue = forms.BooleanField(required=False)
    consultant = forms.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    sort = forms.ChoiceField(required=False)
    page = forms.CharField(max_length=20, required=False)  # the paginator reads it

    def __init__(self, *args, sorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sort"].choices = [(prefix + key, key) for key in sorts for prefix in ("", "-")]


class InviteRespondentForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    name = forms.CharField(label=_("Name (optional)"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=settings.LANGUAGES,
        initial=get_language,
        required=False,
    )

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round

    def clean_language(self):
        return self.cleaned_data["language"] or get_language()

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if self.round.responses.filter(email=email).exists():
            raise forms.ValidationError(_("This person is already invited to this round."))
        return email


class InviteMemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=settings.LANGUAGES,
        initial=get_language,
        required=False,
    )
    message = forms.CharField(
        label=_("Personal message (optional)"),
        help_text=_("Quoted in the e-mail, as you typed it."),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_language(self):
        return self.cleaned_data["language"] or get_language()

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if self.organization.members.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("This person is already a member."))
        pending = self.organization.invitations.filter(email__iexact=email, accepted_at=None)
        if any(invitation.is_usable for invitation in pending):
            raise forms.ValidationError(
                _("An invitation to this address is already waiting to be accepted.")
            )
        return email


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class KeepResultForm(forms.Form):
    """File an anonymous result in one of the user's organizations, or in a new one."""

    NEW = "new"

    organization = forms.ChoiceField(label=_("Keep it in"), widget=forms.RadioSelect)
    name = forms.CharField(label=_("Name of the new organization"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Your role in it"), choices=ROLE_CHOICES, required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = {str(o.pk): o for o in organizations}
        self.fields["organization"].choices = [
            *((pk, o.name) for pk, o in self.organizations.items()),
            (self.NEW, _("A new organization")),
        ]
        self.fields["organization"].initial = next(iter(self.organizations), self.NEW)

    def clean(self):
        data = super().clean()
        if data.get("organization") == self.NEW:
            if not data.get("name", "").strip():
                self.add_error("name", _("Give the new organization a name."))
            if not data.get("role"):
                self.add_error("role", _("Choose your role in the new organization."))
        return data

    def existing(self):
        """The chosen organization, or None for a new one."""
        return self.organizations.get(self.cleaned_data["organization"])


class RoundForm(forms.ModelForm):
    reinvite = forms.MultipleChoiceField(
        label=_("Invite the same people again"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, previous=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.previous = {response.email: response for response in previous}
        if self.previous:
            self.fields["reinvite"].choices = [
                (r.email, f"{r.name or r.email} · {r.get_role_display()}")
                for r in self.previous.values()
            ]
            self.fields["reinvite"].initial = list(self.previous)
        else:
            del self.fields["reinvite"]
        self.fields["starts_per_hour"].required = False

    def people_to_reinvite(self):
        return [self.previous[email] for email in self.cleaned_data.get("reinvite", [])]

    class Meta:
        model = Round
        fields = ["visibility", "closes_on", "starts_per_hour"]
        labels = {
            "visibility": _("Who sees the answers"),
            "closes_on": _("Closing date (optional)"),
            "starts_per_hour": _("Starts per hour through the shared link"),
        }
        help_texts = {
            "visibility": _(
                "Respondents are told before they answer, and it cannot change afterwards."
            ),
            "closes_on": _("After this day the round accepts no more answers."),
        }
        widgets = {
            "visibility": forms.RadioSelect(
                choices=[
                    (
                        Round.Visibility.CONFIDENTIAL,
                        _(
                            "Confidential: the team sees combined figures only, published when "
                            "the round closes with enough answers"
                        ),
                    ),
                    (
                        Round.Visibility.OPEN,
                        _(
                            "Open: the team sees each person's answers, with their name, to "
                            "discuss them face to face"
                        ),
                    ),
                ]
            ),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }

    def clean_starts_per_hour(self):
        # Left empty: the usual cap, which members can change on the round's page.
        return (
            self.cleaned_data["starts_per_hour"]
            or Round._meta.get_field("starts_per_hour").get_default()
        )

    def clean_closes_on(self):
        closes_on = self.cleaned_data["closes_on"]
        if closes_on and closes_on < timezone.localdate():
            raise forms.ValidationError(_("The closing date cannot be in the past."))
        return closes_on


class RoundLinkForm(forms.ModelForm):
    """The cap on starts through a round's shared link, changed on the round's page."""

    class Meta:
        model = Round
        fields = ["starts_per_hour"]
        labels = {"starts_per_hour": _("Starts per hour through this link")}
        help_texts = {
            "starts_per_hour": _(
                "Anyone beyond this number in one hour is asked to try again a little later, "
                "and nothing is saved for them. Raise it before an event where everyone answers "
                "at once (up to 5,000); lower it if the link may have reached people it should "
                "not."
            )
        }


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.email


class PlanItemFields(forms.Form):
    """Who owns a plan item, by when, and a note: the same fields to add and to edit."""

    owner = forms.ChoiceField(
        label=_("Owner (optional)"), choices=[("", "—"), *PlanItem.Owner.choices], required=False
    )
    owner_person = PersonChoiceField(
        label=_("Person responsible (optional)"), queryset=None, required=False
    )
    due_on = forms.DateField(
        label=_("Due date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_person"].queryset = members

    def item_fields(self):
        return {name: self.cleaned_data[name] for name in PlanItemFields.base_fields}


class PlanItemEditForm(PlanItemFields):
    """Change a committed item's owner, due date or note."""


class PlanItemForm(PlanItemFields):
    """Commit to one of the round's next steps or one of its weakest indicators."""

    item = forms.ChoiceField(label=_("Step or indicator"))
    field_order = ["item"]

    def __init__(self, *args, steps, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self._targets = {f"step-{s.pk}": ("step", s) for s in steps}
        self._targets.update({f"indicator-{i.pk}": ("indicator", i) for i in indicators})
        self.fields["item"].choices = [
            (_("Steps to the next stage"), [(f"step-{s.pk}", s.text) for s in steps]),
            (_("Weakest indicators"), [(f"indicator-{i.pk}", i.action) for i in indicators]),
        ]

    def target(self):
        """Return {"step": NextStep} or {"indicator": Indicator} for the chosen item."""
        kind, obj = self._targets[self.cleaned_data["item"]]
        return {kind: obj}


class AccountForm(forms.Form):
    """The user's name as others see it, and the language of the e-mails they receive."""

    first_name = forms.CharField(label=_("First name"), max_length=NAME_MAX_LENGTH, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=NAME_MAX_LENGTH, required=False)
    language = forms.ChoiceField(
        label=_("Language of the e-mails you receive"), choices=settings.LANGUAGES
    )


class DeleteAccountForm(forms.Form):
    """Deleting an account asks for its password, so an unattended session cannot do it."""

    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password


class DeleteOrganizationForm(forms.Form):
    """Deleting an organization asks for its name, typed, so it is never one careless click."""

    name = forms.CharField(label=_("Type the organization's name to confirm"), max_length=200)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if name != self.organization.name.strip():
            raise forms.ValidationError(_("This is not the organization's name."))
        return name


class WorkshopDecisionForm(forms.Form):
    """An agenda item's consensus answer, note and optional action for the plan.

    ``version`` is the version of the item the facilitator edited; the view
    refuses the save when someone else saved the item since.
    """

    UNDECIDED = ""

    consensus = forms.ChoiceField(
        label=_("Consensus answer"), required=False, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    add_action = forms.BooleanField(
        label=_("Add an action on this indicator to the plan"), required=False
    )
    owner = PlanItemFields.base_fields["owner"]
    owner_person = PersonChoiceField(
        label=_("Person responsible (optional)"), queryset=None, required=False
    )
    due_on = PlanItemFields.base_fields["due_on"]
    action = forms.CharField(
        label=_("What will be done (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, item, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["owner_person"].queryset = members
        if item.question_id:
            self.options = {str(option.pk): option for option in item.question.options.all()}
            self.fields["consensus"].choices = [
                *[(pk, option.text) for pk, option in self.options.items()],
                (DONT_KNOW, _("We don't know")),
                (self.UNDECIDED, _("Not decided yet")),
            ]
        else:
            self.options = {}
            for name in ("consensus", "add_action", "owner", "owner_person", "due_on", "action"):
                del self.fields[name]

    def decision(self):
        """Return the fields to store on the item: option, dont_know and note."""
        choice = self.cleaned_data.get("consensus", self.UNDECIDED)
        return {
            "option": self.options.get(choice),
            "dont_know": choice == DONT_KNOW,
            "note": self.cleaned_data["note"],
        }

    def plan_fields(self):
        """Return the plan item's fields, or None when no action is asked for."""
        if not self.cleaned_data.get("add_action"):
            return None
        return {
            "owner": self.cleaned_data["owner"],
            "owner_person": self.cleaned_data["owner_person"],
            "due_on": self.cleaned_data["due_on"],
            "note": self.cleaned_data["action"],
        }


class WorkshopItemForm(forms.Form):
    """A topic the facilitator adds to the agenda, with the minutes it should take."""

    title = forms.CharField(label=_("Topic"), max_length=200)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=120, initial=5)


class WorkshopGoForm(forms.Form):
    """Where the presenter goes: the next or previous item, or an item's number."""

    to = forms.CharField(max_length=10)

    def target(self, count, current):
        """Return the 0-based index to show, or None when TO names no item."""
        to = self.cleaned_data["to"]
        if to == "next":
            return min(current + 1, count - 1) if count else None
        if to == "previous":
            return max(current - 1, 0) if count else None
        # isascii: "²" and "①" are digits to isdigit() but not to int().
        if to.isascii() and to.isdigit() and 1 <= int(to) <= count:
            return int(to) - 1
        return None


# Accounts: django-allauth's forms with the app's labels (settings.ACCOUNT_FORMS
# and MFA_FORMS). Labels are visible, so no placeholder repeats them; allauth's
# error messages are the adapters' (assessments/adapters.py).
PASSWORDS_DIFFER = _("Type the same password in both fields.")


class _AccountFormMixin:
    labels: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.labels.items():
            if name in self.fields:
                self.fields[name].label = label
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
        if "password1" in self.fields and "password2" in self.fields:
            # allauth computes this help once, at import, in whatever language was active.
            self.fields[
                "password1"
            ].help_text = password_validation.password_validators_help_text_html()

    def clean_password2(self):
        """Compare the passwords here, so the message is the app's and stands under the second."""
        password2 = self.cleaned_data["password2"]
        password1 = self.cleaned_data.get("password1")
        if password1 and password1 != password2:
            raise forms.ValidationError(PASSWORDS_DIFFER)
        return password2


EMAIL_LABEL = _("E-mail address")


class LoginForm(_AccountFormMixin, account_forms.LoginForm):
    labels = {"login": EMAIL_LABEL, "password": _("Password"), "remember": _("Remember me")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = settings.SESSION_COOKIE_AGE // (24 * 60 * 60)
        self.fields["remember"].help_text = ngettext(
            "Stay logged in on this device for %(days)d day. Leave it unticked on a shared "
            "computer.",
            "Stay logged in on this device for %(days)d days. Leave it unticked on a shared "
            "computer.",
            days,
        ) % {"days": days}


class SignupForm(_AccountFormMixin, account_forms.SignupForm):
    """Sign-up asks for a name, shown to the team and in the invitations the person sends."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name (optional)"),
        max_length=NAME_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    field_order = ["first_name", "last_name", "email", "password1", "password2"]
    labels = {"email": EMAIL_LABEL, "password1": _("Password"), "password2": _("Password again")}


class AddEmailForm(_AccountFormMixin, account_forms.AddEmailForm):
    labels = {"email": EMAIL_LABEL}


class ResetPasswordForm(_AccountFormMixin, account_forms.ResetPasswordForm):
    labels = {"email": EMAIL_LABEL}


class ChangePasswordForm(_AccountFormMixin, account_forms.ChangePasswordForm):
    labels = {
        "oldpassword": _("Current password"),
        "password1": _("New password"),
        "password2": _("New password again"),
    }


class SetPasswordForm(_AccountFormMixin, account_forms.SetPasswordForm):
    labels = {"password1": _("New password"), "password2": _("New password again")}


class ResetPasswordKeyForm(_AccountFormMixin, account_forms.ResetPasswordKeyForm):
    labels = {"password1": _("New password"), "password2": _("New password again")}


class ReauthenticateForm(_AccountFormMixin, account_forms.ReauthenticateForm):
    labels = {"password": _("Password")}


AUTHENTICATOR_CODE = _("Code shown in your authenticator app, or a recovery code")


class MFAAuthenticateForm(_AccountFormMixin, mfa_forms.AuthenticateForm):
    labels = {"code": AUTHENTICATOR_CODE}


class MFAReauthenticateForm(_AccountFormMixin, mfa_forms.ReauthenticateForm):
    labels = {"code": AUTHENTICATOR_CODE}


class ActivateTOTPForm(_AccountFormMixin, totp_forms.ActivateTOTPForm):
    labels = {"code": _("Code shown in the app")}
