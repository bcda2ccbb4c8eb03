from dataclasses import dataclass

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from . import evidence, visibility
from .models import (
    ROLE_GROUPS,
    Organization,
    PlanItem,
    Response,
    Role,
    RoleGroup,
    Round,
    Workshop,
)
from .models.evidence import Kind as EvidenceKind
from .models.workshops import TIME_BOX_MAX, TIME_BOX_MIN

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
            rows.append(QuestionRow(question, field.auto_id, field.errors, choices, chosen))
        return rows


@dataclass(frozen=True)
class QuestionRow:
    question: object
    id: str
    errors: list
    choices: list  # (value, label, input id, checked), "I don't know" last
    chosen: str = ""  # the value checked, "" when none


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Optional, so the empty choice says so rather than showing Django's "---------".
        for name, choices in (
            ("industry", Organization.Industry.choices),
            ("size", Organization.Size.choices),
        ):
            self.fields[name].choices = [("", _("Not given")), *choices]


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


@dataclass(frozen=True)
class Invitee:
    """Someone the round form offers to invite: a member, or a previous round's respondent."""

    key: str  # the form's value: "member-<pk>", or the previous respondent's address
    email: str
    name: str
    role: str
    language: str
    is_you: bool = False  # the member opening the round: answers at once, no e-mail

    @property
    def label(self):
        role = Role(self.role).label if self.role in Role.values else self.role
        who = self.name or self.email
        if self.is_you:
            return _("%(who)s · %(role)s (you: answer right after opening)") % {
                "who": who,
                "role": role,
            }
        return f"{who} · {role}"


@dataclass(frozen=True)
class PrivacyPreview:
    """What each choice will show, to whom, once the people invited have answered."""

    counts: dict  # role group -> people invited
    invited: int
    minimum: int
    views: dict  # visibility -> the members' RoundView
    consultant_views: dict | None  # visibility -> the consultants' RoundView, if any
    sides: list  # (group, label, count, {visibility: shown})

    @property
    def hidden_by_confidential(self):
        """The sides someone is invited on, and their gap, that a confidential round hides."""
        view = self.views[Round.Visibility.CONFIDENTIAL]
        if not self.invited:
            return []
        phrases = {
            RoleGroup.MARKETING: _("the marketing side"),
            RoleGroup.SALES: _("the sales side"),
            RoleGroup.LEADERSHIP: _("the leadership group"),
        }
        hidden = [
            phrases[group]
            for group, _label, count, _shown in self.sides
            if count and not (view.figures and group in view.groups)
        ]
        both = self.counts.get(RoleGroup.MARKETING) and self.counts.get(RoleGroup.SALES)
        if both and not view.gap:
            hidden.append(_("the gap between marketing and sales"))
        return hidden

    @property
    def small_team(self):
        """A confidential round would hide a side someone is invited on: a leadership team."""
        return bool(self.hidden_by_confidential)

    @property
    def summary(self):
        """The consequence in one sentence, with the people counted."""
        marketing = self.counts.get(RoleGroup.MARKETING, 0)
        sales = self.counts.get(RoleGroup.SALES, 0)
        if not (marketing and sales):
            return _(
                "The gap between marketing and sales shows only when both sides answer: "
                "invite someone from each."
            )
        sides = _("%(first)s and %(second)s") % {
            "first": ngettext(
                "%(count)s person on the marketing side",
                "%(count)s people on the marketing side",
                marketing,
            )
            % {"count": marketing},
            "second": ngettext("%(count)s on the sales side", "%(count)s on the sales side", sales)
            % {"count": sales},
        }
        if self.views[Round.Visibility.CONFIDENTIAL].gap:
            return _(
                "With %(sides)s, a confidential round shows the team both sides and the gap "
                "between them once it closes, and nobody's own answers."
            ) % {"sides": sides}
        return ngettext(
            "With %(sides)s, a confidential round keeps the gap between them hidden from "
            "the team, even after it closes: a side's figures show only with at least "
            "%(count)s person. An open round shows it from the first answers.",
            "With %(sides)s, a confidential round keeps the gap between them hidden from "
            "the team, even after it closes: a side's figures show only with at least "
            "%(count)s people. An open round shows it from the first answers.",
            self.minimum,
        ) % {"sides": sides, "count": self.minimum}


def privacy_preview(invitees, consultants, minimum):
    """What a confidential and an open round would show, once INVITEES have all answered."""
    counts = dict.fromkeys(RoleGroup, 0)
    for invitee in invitees:
        group = ROLE_GROUPS.get(invitee.role)
        if group:
            counts[group] += 1
    invited = len(invitees)

    def views(viewer):
        return {
            choice: visibility.foreseen(
                counts,
                invited,
                choice == Round.Visibility.CONFIDENTIAL,
                consultants,
                viewer,
                minimum,
            )
            for choice in Round.Visibility.values
        }

    members = views(visibility.Viewer.MEMBER)
    sides = [
        (
            group,
            group.label,
            counts[group],
            {choice: view.figures and group in view.groups for choice, view in members.items()},
        )
        for group in RoleGroup
    ]
    return PrivacyPreview(
        counts=counts,
        invited=invited,
        minimum=minimum,
        views=members,
        consultant_views=views(visibility.Viewer.CONSULTANT) if consultants else None,
        sides=sides,
    )


class RoundForm(forms.ModelForm):
    """Open a round: who is invited, who will see what, and the choice that follows from it.

    The page shows, before anything opens, what each choice will show to whom
    once the people invited have answered (privacy_preview, asked of
    visibility.foreseen). For a team with a side smaller than the group
    threshold, open is preselected; choosing confidential then needs the box
    ticked that says what it will hide.
    """

    members = forms.MultipleChoiceField(
        label=_("Invite the members"), required=False, widget=forms.CheckboxSelectMultiple
    )
    reinvite = forms.MultipleChoiceField(
        label=_("Invite the previous round's people again"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    confirm_confidential = forms.BooleanField(
        label=_("Confidential anyway: I understand what it will keep hidden from the team"),
        required=False,
    )

    def __init__(
        self, *args, organization=None, members=(), previous=(), consultants=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.consultants = consultants
        self.fields["name"].required = False
        if organization is not None and not self.is_bound:
            self.initial["name"] = Round.objects.default_name(organization.pk)
        self.fields["visibility"].choices = [
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
        self.offered = {}
        for name, people in (("members", members), ("reinvite", previous)):
            offered = {person.key: person for person in people}
            self.offered[name] = offered
            if offered:
                self.fields[name].choices = [(key, p.label) for key, p in offered.items()]
                self.fields[name].initial = list(offered)
            else:
                del self.fields[name]
        if not self.is_bound:
            small = self.preview().small_team
            self.initial["visibility"] = (
                Round.Visibility.OPEN if small else Round.Visibility.CONFIDENTIAL
            )
        self.fields["starts_per_hour"].required = False

    def _chosen(self, name):
        """The people ticked in field NAME: as posted, or as offered before anything is."""
        offered = self.offered.get(name, {})
        if not self.is_bound:
            return list(offered.values())
        keys = self.data.getlist(name) if hasattr(self.data, "getlist") else []
        return [offered[key] for key in dict.fromkeys(keys) if key in offered]

    def chosen(self):
        """Everyone who will be invited, each address once, members first."""
        people = {}
        for person in [*self._chosen("members"), *self._chosen("reinvite")]:
            people.setdefault(person.email.lower(), person)
        return list(people.values())

    def preview(self):
        return privacy_preview(
            self.chosen(), self.consultants, settings.ROUND_GROUP_MIN_RESPONDENTS
        )

    def clean(self):
        data = super().clean()
        hidden = self.preview().hidden_by_confidential
        confidential = data.get("visibility") == Round.Visibility.CONFIDENTIAL
        if confidential and hidden and not data.get("confirm_confidential"):
            self.add_error(
                "confirm_confidential",
                _(
                    "With the people invited, a confidential round will keep %(hidden)s hidden "
                    "from everyone in the team, even after it closes. Tick the box to open it "
                    "confidential anyway, or choose an open round."
                )
                % {"hidden": join_words(hidden)},
            )
        return data

    def invitees(self):
        """The people to invite, once the form is valid."""
        return self.chosen()

    class Meta:
        model = Round
        fields = ["name", "visibility", "closes_on", "starts_per_hour"]
        labels = {
            "name": _("Name of the round"),
            "visibility": _("Who sees the answers"),
            "closes_on": _("Closing date (optional)"),
            "starts_per_hour": _("Starts per hour through the shared link"),
        }
        help_texts = {
            "name": _(
                "How the team will tell this round from the others, such as “Before the "
                "offsite”. Each round of the organization has its own name."
            ),
            "visibility": _(
                "Respondents are told before they answer, and it cannot change afterwards."
            ),
            "closes_on": _("After this day the round accepts no more answers."),
        }
        widgets = {
            "visibility": forms.RadioSelect,
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if self.organization is None:
            return name
        if not name:
            return Round.objects.default_name(self.organization.pk)
        if Round.objects.name_taken(self.organization.pk, name):
            raise forms.ValidationError(
                _(
                    "Another round of %(organization)s is already called “%(name)s”. Choose a "
                    "name that tells the two apart, such as the month or the occasion."
                )
                % {"organization": self.organization.name, "name": name}
            )
        return name

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


def join_words(items):
    """ "a", "a and b", "a, b and c", in the active language."""
    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    return _("%(first)s and %(second)s") % {"first": ", ".join(items[:-1]), "second": items[-1]}


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
    def __init__(self, *args, **kwargs):
        super().__init__(*args, empty_label=_("Nobody named yet"), **kwargs)

    def label_from_instance(self, user):
        return user.get_full_name() or user.email


class PlanItemFields(forms.Form):
    """Who owns a plan item, by when, and a note: the same fields to add and to edit."""

    # The side that carries the item, beside the one person responsible for it.
    owner = forms.ChoiceField(
        label=_("Team in charge (optional)"),
        choices=[("", _("Not given")), *PlanItem.Owner.choices],
        required=False,
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
    """An agenda item's consensus (one answer per question of its indicator), note and action.

    An indicator is decided when every question of it has an answer, or left
    undecided with none: half an indicator's answers would score a consensus
    nobody agreed on. ``version`` is the version of the item the facilitator
    edited; the view refuses the save when someone else saved the item since.
    """

    UNDECIDED = ""

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

    def __init__(self, *args, item, questions, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.questions = list(questions)
        self.fields["owner_person"].queryset = members
        self.options = {}
        consensus = {}
        for question in self.questions:
            options = {str(option.pk): option for option in question.options.all()}
            self.options[question.field_name] = options
            consensus[question.field_name] = forms.ChoiceField(
                label=question.text,
                choices=[
                    *[(pk, option.text) for pk, option in options.items()],
                    (DONT_KNOW, _("We don't know")),
                    (self.UNDECIDED, _("Not decided yet")),
                ],
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": _("That answer is not one of this question's options.")
                },
            )
        # The questions first, in the questionnaire's order.
        self.fields = {**consensus, **self.fields}
        if not self.questions:
            for name in ("add_action", "owner", "owner_person", "due_on", "action"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        chosen = [data.get(q.field_name) for q in self.questions if q.field_name in data]
        if len(chosen) == len(self.questions) and any(chosen) and not all(chosen):
            raise forms.ValidationError(
                _(
                    "Choose an answer for every question of this indicator, or leave them all "
                    "undecided: an indicator counts once all its questions are decided."
                )
            )
        return data

    def answers(self):
        """Return {question: option, or None for "we don't know"}; empty while undecided."""
        agreed = {}
        for question in self.questions:
            choice = self.cleaned_data.get(question.field_name, self.UNDECIDED)
            if choice == self.UNDECIDED:
                return {}
            agreed[question] = self.options[question.field_name].get(choice)
        return agreed

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


class WorkshopTimeBoxForm(forms.ModelForm):
    """How long the meeting lasts: the agenda's minutes are shared out to fit it."""

    class Meta:
        model = Workshop
        fields = ["time_box"]
        labels = {"time_box": _("Time box (minutes)")}
        help_texts = {
            "time_box": _(
                "The minutes are shared out to fit it, more for wider disagreements; "
                "what does not fit waits for next time."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_box"].widget.attrs.update(min=TIME_BOX_MIN, max=TIME_BOX_MAX)


class WorkshopFinishForm(forms.Form):
    """Finish the workshop, or continue it; finishing with undecided indicators is confirmed."""

    state = forms.ChoiceField(choices=Workshop.Status.choices)
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, undecided, **kwargs):
        super().__init__(*args, **kwargs)
        self.undecided = undecided
        self.fields["confirm"].label = ngettext(
            "Finish with %(count)s indicator undecided: it counts as unknown in the consensus",
            "Finish with %(count)s indicators undecided: they count as unknown in the consensus",
            len(undecided),
        ) % {"count": len(undecided)}

    def clean(self):
        data = super().clean()
        finishing = data.get("state") == Workshop.Status.FINISHED
        if finishing and self.undecided and not data.get("confirm"):
            self.add_error(
                "confirm",
                _("Some indicators are undecided: confirm that the consensus leaves them unknown."),
            )
        return data


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


@dataclass(frozen=True)
class Upload:
    """An export that passed the checks a request can make: its bytes and its header row."""

    data: bytes
    filename: str
    format: str
    encoding: str
    header: list[str]


# Rows looked at, after the header, for one with a record in it.
RECORD_LOOKAHEAD = 1000
# Columns a header may have (HubSpot's "all properties" exports run to several hundred),
# and the length a column's name is kept to: the mapping step lists them all.
MAX_COLUMNS = 2000
MAX_COLUMN_NAME = 200


class EvidenceUploadForm(forms.Form):
    """A CRM export for a round: the file must open, have a header row and a record below it.

    The rows are read later, by the worker; this reads the bytes once to
    refuse what cannot be a usable export (too large, empty, not a table, a
    mixed encoding, a workbook that would expand too far) before anything is
    stored.
    """

    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=EvidenceKind.choices,
        initial=EvidenceKind.LEADS,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("CRM export (CSV or XLSX)"),
        error_messages={"empty": lazy(evidence.error_message, str)("empty", {})},
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    choose_columns = forms.BooleanField(
        label=_("Let me choose the columns, even if they are recognised"), required=False
    )

    def __init__(self, *args, too_large=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.upload = None

    @staticmethod
    def limit_bytes():
        return settings.EVIDENCE_MAX_UPLOAD_MB * 2**20

    def clean(self):
        if self.too_large:
            # The file was not read at all: "this field is required" would mislead.
            self.errors.pop("file", None)
            self.add_error("file", _too_large())
        return super().clean()

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > self.limit_bytes():
            raise _too_large()
        data = uploaded.read()
        try:
            table = evidence.open_table(data, settings.EVIDENCE_MAX_UNCOMPRESSED_MB * 2**20)
            try:
                if len(table.header) > MAX_COLUMNS:
                    raise evidence.ReadError("too-many-columns", limit=MAX_COLUMNS)
                if not _has_record(table):
                    raise evidence.ReadError("no-records")
            finally:
                table.close()
        except evidence.ReadError as error:
            raise forms.ValidationError(error.message) from error
        name = (uploaded.name or "export")[-200:]
        header = [column[:MAX_COLUMN_NAME] for column in table.header]
        self.upload = Upload(data, name, table.format, table.encoding, header)
        return uploaded


def _too_large():
    limit = {"limit": settings.EVIDENCE_MAX_UPLOAD_MB}
    return forms.ValidationError(evidence.error_message("too-large", limit), code="too-large")


def _has_record(table):
    for seen, (_number, _row, filled) in enumerate(table.rows()):
        if filled >= 2:
            return True
        if seen >= RECORD_LOOKAHEAD:
            return True  # the worker decides
    return False


class EvidenceColumnsForm(forms.Form):
    """The mapping step: which column of the file holds each field (none: not in this file)."""

    def __init__(self, *args, kind, header, chosen, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind, self.header = kind, header
        choices = [("", _("— Not in this file —"))] + [
            (str(index), name or _("(column %(number)s, no name)") % {"number": index + 1})
            for index, name in enumerate(header)
        ]
        for spec in evidence.fields(kind):
            initial = chosen.get(spec.key)
            self.fields[spec.key] = forms.TypedChoiceField(
                label=spec.label,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=spec.required,
                initial=str(initial[0]) if initial else "",
                error_messages={"required": _("Choose the column that holds this.")},
            )

    def columns(self):
        """Field -> [[column index, column name]] for the fields given a column."""
        return {
            key: [[index, self.header[index]]]
            for key, index in self.cleaned_data.items()
            if index is not None
        }


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
