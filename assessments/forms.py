from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Response

DONT_KNOW = "dont-know"


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
            "email": _("We send you your private link, so you can come back to your answers."),
        }
        widgets = {"organization_name": forms.TextInput(attrs={"autocomplete": "organization"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Response.Role.choices
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
        """Pair each question with its bound field, for the template."""
        return [(question, self[question.field_name]) for question in self.questions]
