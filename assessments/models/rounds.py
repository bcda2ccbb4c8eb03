"""Rounds, their responses and answers, private links, and the plan a round sets."""

import copy
import dataclasses
import datetime
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from stages.models import Indicator, NextStep

from .. import cadence, results, scoring, tokens, visibility
from ..roles import ROLE_GROUPS, Role, RoleGroup
from ..visibility import Viewer
from .organizations import Organization, open_round, shown_as_published
from .questionnaire import Option, Question, Questionnaire


class Scored(models.Model):
    """A stored result on the continuum, computed once and read by the pages."""

    position = models.DecimalField(
        _("position"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    stage = models.PositiveSmallIntegerField(_("stage"), null=True, blank=True)
    attainment = models.JSONField(_("attainment per stage"), default=dict, blank=True)
    indicator_scores = models.JSONField(_("score per indicator"), default=dict, blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    coverage = models.FloatField(_("coverage"), null=True, blank=True)

    RESULT_FIELDS = ["position", "stage", "attainment", "indicator_scores", "flags", "coverage"]

    class Meta:
        abstract = True

    @property
    def reading(self):
        return results.reading(self)

    @property
    def position_display(self):
        """The position as every list shows it: "2.4", "≥ 2.0" (a lower bound) or "–"."""
        return self.reading

    @property
    def progress_percent(self):
        return self.reading.progress_percent

    @property
    def coverage_percent(self):
        return None if self.coverage is None else scoring.percent(self.coverage)

    def store(self, result, indicator_scores=None):
        self.position = Decimal(str(result.position))
        self.stage = result.stage
        self.attainment = {str(k): v for k, v in result.attainment.items()}
        self.indicator_scores = result.indicators if indicator_scores is None else indicator_scores
        self.flags = list(result.flags)
        self.coverage = result.coverage


def default_round_name(number):
    return gettext("Round %(number)s") % {"number": number}


class RoundQuerySet(models.QuerySet):
    def for_member(self, user):
        return self.filter(organization__memberships__user=user)

    def close_lapsed(self, organization):
        """Set closed_at on ORGANIZATION's rounds whose closing date has passed."""
        return self.filter(
            organization=organization,
            closed_at__isnull=True,
            closes_on__lt=timezone.localdate(),
        ).update(closed_at=timezone.now())

    def scored(self):
        return self.filter(respondents__gt=0)

    def name_taken(self, organization_id, name, exclude=None):
        """Whether one of the organization's rounds (but EXCLUDE) is called NAME, in any case."""
        rounds = self.filter(organization_id=organization_id, name__iexact=name.strip())
        if exclude is not None:
            rounds = rounds.exclude(pk=exclude)
        return rounds.exists()

    def default_name(self, organization_id):
        """The name a new round of the organization gets: "Round 3", never one already taken."""
        taken = {
            name.lower()
            for name in self.filter(organization_id=organization_id).values_list("name", flat=True)
        }
        number = len(taken) + 1
        while default_round_name(number).lower() in taken:
            number += 1
        return default_round_name(number)

    def published(self):
        """Rounds whose figures the organization's members may see (Round.view)."""
        return self.filter(_published())

    def for_consultants(self):
        """Rounds whose figures their organization's consultants may see (Round.view)."""
        return self.filter(
            Q(consultant_access=False) & _published_as_confidential()
            | Q(consultant_access=True, respondents__gt=0)
        )

    def with_individuals_for_consultants(self):
        """Rounds whose individual responses their consultants may see (Round.view)."""
        return self.filter(consultant_access=True)

    @transaction.atomic
    def delete(self):
        """Delete as Round.delete does, for many rounds (the admin's bulk delete)."""
        total, counts = 0, {}
        for round in self:
            deleted, by_model = round.delete()
            total += deleted
            for label, count in by_model.items():
                counts[label] = counts.get(label, 0) + count
        return total, counts

    def by_share_token(self, token):
        return self.filter(pk=tokens.share_token_pk(token))

    def before(self, round):
        """Rounds of the same organization opened before ROUND, latest first."""
        earlier = Q(opened_on__lt=round.opened_on) | Q(opened_on=round.opened_on, pk__lt=round.pk)
        return self.filter(earlier, organization_id=round.organization_id).order_by(
            "-opened_on", "-pk"
        )

    def after(self, round):
        """Rounds of the same organization opened after ROUND, earliest first."""
        later = Q(opened_on__gt=round.opened_on) | Q(opened_on=round.opened_on, pk__gt=round.pk)
        return self.filter(later, organization_id=round.organization_id).order_by("opened_on", "pk")


# The query forms of visibility.round_view(...).figures, for lists of rounds;
# tests/assessments/test_visibility.py checks them against it case by case.


def _published_as_confidential():
    return shown_as_published(timezone.localdate(), settings.ROUND_GROUP_MIN_RESPONDENTS)


def _published():
    return Q(visibility=Round.Visibility.OPEN, respondents__gt=0) | (
        Q(visibility=Round.Visibility.CONFIDENTIAL) & _published_as_confidential()
    )


class Round(Scored):
    """One assessment of one organization at one point in time, on one questionnaire version.

    Who sees what (the privacy model, docs/privacy.md "Who sees the answers"): in a
    confidential round the members see no figure until the round is closed
    with at least ROUND_GROUP_MIN_RESPONDENTS submitted, and a role group only
    when showing it cannot expose anyone (visible_groups); in an open round
    they see everything, each person's answers by name. The organization's
    consultants see individual responses only of rounds run with them
    (consultant_access), which respondents are told before they answer.
    """

    class Visibility(models.TextChoices):
        CONFIDENTIAL = visibility.CONFIDENTIAL, _("Confidential")
        OPEN = visibility.OPEN, _("Open")

    organization = models.ForeignKey(Organization, models.CASCADE, related_name="rounds")
    questionnaire = models.ForeignKey(Questionnaire, models.PROTECT, related_name="rounds")
    # Two rounds opened on one day read alike by date: the name tells them apart
    # (one per organization, whatever its case; "Round 3" when none is given).
    name = models.CharField(_("name"), max_length=100)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    visibility = models.CharField(
        _("who sees the answers"),
        max_length=12,
        choices=Visibility,
        default=Visibility.CONFIDENTIAL,
        help_text=_(
            "Confidential: members see combined figures only, once the round closes with "
            "enough answers. Open: members see each person's answers, with their name."
        ),
    )
    # Set when a member opens the round (the organization has consultants then)
    # and never changed, so what respondents were told stays true.
    consultant_access = models.BooleanField(
        _("run with a consultant"),
        default=False,
        editable=False,
        help_text=_("The organization's consultants see individual responses of this round."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What a shared link passed around too widely can write (views.respondents.join);
    # high enough by default for a room of people answering together.
    starts_per_hour = models.PositiveIntegerField(
        _("starts per hour through the shared link"),
        default=500,
        validators=[MinValueValidator(1), MaxValueValidator(5000)],
        help_text=_(
            "At most this many people can start answering through the round's shared link "
            "in any one hour; anyone beyond that is asked to try again a little later."
        ),
    )

    # The round's result, refreshed whenever one of its responses is submitted.
    respondents = models.PositiveIntegerField(_("respondents"), default=0)
    lowest = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    highest = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    groups = models.JSONField(_("results per role group"), default=dict, blank=True)
    # Set at a submit until the worker has recomputed the result (see
    # tasks.submit_response); a stale confidential round publishes nothing.
    result_stale = models.BooleanField(default=False, editable=False)
    # What those who see the figures a confidential round publishes were shown
    # (visibility.py): the version in force (None: none yet, or withdrawn when
    # an answer in it was deleted), when it was recorded, who every version
    # shown rested on (so that no later one can be compared with it to single
    # anyone out), and whether answers given or deleted since are left out.
    # Written by _publish() and withdraw() only.
    publication = models.JSONField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_versions = models.JSONField(default=list, blank=True, editable=False)
    publication_held = models.BooleanField(default=False, editable=False)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True) | Q(closes_on__gte=models.F("opened_on")),
                name="round_closes_after_opening",
            ),
            # A round is open until closed_at is set; a second open round would
            # hide the first one's invitees from the team page.
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(closed_at__isnull=True),
                name="one_open_round_per_organization",
            ),
            models.CheckConstraint(
                condition=Q(starts_per_hour__gte=1, starts_per_hour__lte=5000),
                name="round_starts_per_hour_1_to_5000",
            ),
            models.UniqueConstraint(
                "organization", Lower("name"), name="one_round_name_per_organization"
            ),
        ]
        indexes = [
            # The admin's round list, and an organization's rounds latest first
            # (Organization.refresh_summary, the team page).
            models.Index(fields=["-opened_on", "-id"], name="round_opened_idx"),
            models.Index(fields=["organization", "-opened_on", "-id"], name="round_org_opened_idx"),
            # The daily sweep closes lapsed rounds: only open ones are indexed.
            models.Index(
                fields=["closes_on"],
                condition=Q(closed_at__isnull=True),
                name="round_open_closes_idx",
            ),
        ]

    def __str__(self):
        return f"{self.organization} · {self.name}"

    def save(self, *args, update_fields=None, **kwargs):
        if getattr(self, "_live", None) is not None:
            raise TypeError("A round as a viewer sees it (Round.seen) is never saved.")
        with transaction.atomic():
            if self._state.adding and not self.name:
                self._save_with_default_name(*args, **kwargs)
            else:
                super().save(*args, update_fields=update_fields, **kwargs)
            self.organization.refresh_summary()

    def get_absolute_url(self):
        return reverse("assessments:round", args=[self.pk])

    def delete(self, *args, **kwargs):
        """Delete, with the prepared exports that may list its figures."""
        with transaction.atomic():
            apps.get_model("assessments", "PortfolioExport").objects.that_may_list(
                [self.organization_id]
            ).delete()
            deleted = super().delete(*args, **kwargs)
            Organization(pk=self.organization_id).refresh_summary()
        return deleted

    def _save_with_default_name(self, *args, **kwargs):
        """Insert under the next free default name, taking the one after if another insert won."""
        for _attempt in range(3):
            self.name = Round.objects.default_name(self.organization_id)
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                if not Round.objects.name_taken(self.organization_id, self.name):
                    raise  # another rule refused it (one open round): the caller's to handle
        raise IntegrityError("no free default round name")

    @property
    def share_token(self):
        """The round's shared link is derived, never stored (see tokens.share_token)."""
        return tokens.share_token(self.pk)

    def get_share_url(self):
        return reverse("assessments:join", args=[self.share_token])

    @property
    def is_open(self):
        """Open until closed by hand or past its closing date (see open_round for the query)."""
        return visibility.is_open(self.closed_at, self.closes_on, timezone.localdate())

    @property
    def is_confidential(self):
        return self.visibility == self.Visibility.CONFIDENTIAL

    def close(self):
        """Close the round now; return False when it was closed already."""
        with transaction.atomic():
            closed = Round.objects.filter(pk=self.pk, closed_at__isnull=True).update(
                closed_at=timezone.now()
            )
            if closed:
                locked = Round.objects.select_for_update().get(pk=self.pk)
                if locked.result_stale:
                    # Published now: recomputed here rather than after the worker's turn.
                    locked.refresh_result()
                else:
                    locked._publish(locked._submitted_roles())
                    locked.save(update_fields=Round.PUBLISHED)
        self.refresh_from_db(fields=["closed_at", *Scored.RESULT_FIELDS, *Round.REFRESHED])
        return bool(closed)

    def reopen_refusal(self):
        """Why the round cannot be reopened, or None when it can.

        A published confidential round stays closed: reopening it would let
        members compare its figures before and after the new answers and so
        single out the people who answered late.
        """
        if self.is_open:
            return _("This round is open already.")
        if Round.objects.after(self).exists():
            return _("A later round has opened, so this one stays closed.")
        if self.is_confidential and self.is_published:
            return _(
                "This confidential round has published its figures, so it stays closed: "
                "figures compared before and after new answers would give those answers away."
            )
        return None

    def reopen(self):
        """Open the closed round again, with no closing date; the caller checked reopen_refusal."""
        self._record_shown()
        self.closed_at = None
        if self.closes_on and self.closes_on < timezone.localdate():
            self.closes_on = None
        self.save(update_fields=["closed_at", "closes_on"])

    def facts(self):
        """What the privacy model reads of this round (visibility.RoundFacts)."""
        live = getattr(self, "_live", self)
        row = {name: getattr(live, name) for name in visibility.FACT_FIELDS}
        return visibility.facts_of(row, timezone.localdate())

    def view(self, viewer):
        """What VIEWER (a visibility.Viewer) may see of this round: the privacy model's one home."""
        return visibility.round_view(self.facts(), viewer, settings.ROUND_GROUP_MIN_RESPONDENTS)

    def seen(self, view):
        """This round with the figures VIEW (Round.view) shows, for pages and exports.

        A copy, never saved: its figures are the publication's where the view
        says so, role groups it does not show keep only their count, and the
        spread is gone unless shown. Its view() is still the round's own.
        """
        live = getattr(self, "_live", self)
        shown = copy.copy(live)
        shown._live = live
        row = {name: getattr(live, name) for name in [*visibility.FIGURE_FIELDS, "publication"]}
        for name, value in visibility.figures_seen(row, view).items():
            setattr(shown, name, value)
        shown.shown_view = view
        return shown

    def seen_by(self, viewer):
        """This round as VIEWER sees it (Round.seen)."""
        return self.seen(self.view(viewer))

    @property
    def is_published(self):
        """Whether the organization's members may see the round's figures."""
        return self.view(Viewer.MEMBER).figures

    def privacy_notice(self):
        """What respondents are told, before they answer, about who sees their answers.

        Read off the privacy model: what the members and a consultant will see
        of the round once it has closed with answers (Round.view).
        """
        minimum = settings.ROUND_GROUP_MIN_RESPONDENTS
        answered = dataclasses.replace(
            self.facts(),
            is_open=False,
            respondents=minimum,
            stale=False,
            publication=None,
            ever_published=False,
        )
        members = visibility.round_view(answered, Viewer.MEMBER, minimum)
        consultants = visibility.round_view(answered, Viewer.CONSULTANT, minimum)
        if not members.individuals:
            sentences = [
                ngettext(
                    "Your answers are confidential. Your team sees only combined figures, "
                    "published when the round closes if at least %(count)s person answered, "
                    "and a role's figures only when at least %(count)s person of that role "
                    "answered.",
                    "Your answers are confidential. Your team sees only combined figures, "
                    "published when the round closes if at least %(count)s people answered, "
                    "and a role's figures only when at least %(count)s people of that role "
                    "answered.",
                    minimum,
                )
                % {"count": minimum}
            ]
        else:
            sentences = [
                _(
                    "This is an open round: the members of your team see each person's "
                    "answers, with their name and role, so that you can discuss them together."
                )
            ]
        if consultants.individuals:
            sentences.append(
                _(
                    "This round is run with a consultant, who also sees individual responses "
                    "in order to advise your team."
                )
            )
        return sentences

    @property
    def consensus(self):
        """The finished workshop, whose consensus result shows beside the mean; else None."""
        workshop = getattr(self, "workshop", None)
        return workshop if workshop is not None and workshop.has_consensus else None

    @property
    def lowest_display(self):
        return results.position_text(self.lowest)

    @property
    def highest_display(self):
        return results.position_text(self.highest)

    def refresh_result(self):
        """Recompute the stored result from the submitted responses' answers.

        Called at each submit and when a submitted response is deleted. The team
        is scored from the answers themselves, through the same path as one
        respondent, so a round of one reads exactly like its response.
        """
        self._record_shown()
        submitted = list(
            self.responses.filter(submitted_at__isnull=False).values_list("pk", "role", "position")
        )
        self.respondents = len(submitted)
        if not submitted:
            for name in [*Scored.RESULT_FIELDS, "lowest", "highest"]:
                setattr(self, name, self._meta.get_field(name).get_default())
            self.groups = {}
        else:
            answers = scored_answers(
                Answer.objects.filter(response__round=self, response__submitted_at__isnull=False)
            )
            result = scoring.aggregate(answers[pk] for pk, _, _ in submitted)
            self.store(result)
            positions = [position for _, _, position in submitted]
            self.lowest, self.highest = min(positions), max(positions)
            self.groups = {}
            for group in RoleGroup:
                members = [pk for pk, role, _ in submitted if ROLE_GROUPS.get(role) == group]
                if members:
                    group_result = scoring.aggregate(answers[pk] for pk in members)
                    self.groups[group] = {
                        "count": len(members),
                        "position": group_result.position,
                        "stage": group_result.stage,
                        "flags": list(group_result.flags),
                        "attainment": {str(k): v for k, v in group_result.attainment.items()},
                        "indicator_scores": group_result.indicators,
                    }
        self.result_stale = False
        self._publish({pk: ROLE_GROUPS.get(role) for pk, role, _ in submitted})
        self.save(update_fields=[*Scored.RESULT_FIELDS, *Round.REFRESHED, *Round.PUBLISHED])

    REFRESHED = ["respondents", "lowest", "highest", "groups", "result_stale"]
    PUBLISHED = ["publication", "published_at", "published_versions", "publication_held"]

    # Publishing again (docs/privacy.md "Who sees the answers"; the rule is visibility.republished)

    def _submitted_roles(self):
        """Each submitted response of the round, with its role group (None: in none)."""
        submitted = self.responses.filter(submitted_at__isnull=False).values_list("pk", "role")
        return {pk: ROLE_GROUPS.get(role) for pk, role in submitted}

    def _record_shown(self):
        """Record the figures shown since the round closed as its first publication.

        They are shown without being recorded (a round whose closing day
        passed shows its figures before anything writes to it); whatever is
        about to change them records them first, so that the change is judged
        against what viewers saw. The caller saves; withdraw() and reopen() do.
        """
        minimum = settings.ROUND_GROUP_MIN_RESPONDENTS
        if self.published_at is not None or not visibility.published(self.facts(), minimum):
            return
        version = visibility.publication_version(self._submitted_roles(), minimum)
        self._store_publication(version, self.closed_at or timezone.now())
        Round.objects.filter(pk=self.pk).update(
            **{name: getattr(self, name) for name in Round.PUBLISHED}
        )

    def _publish(self, roles):
        """Make the latest figures the publication when they may follow every version shown.

        ROLES maps the submitted responses to their role groups. A round still
        open, stale or short of answers publishes nothing new; nor does one
        whose new figures, compared with those shown before, would rest on
        fewer than the minimum of people: the publication in force stays,
        held, or none shows when it was withdrawn. The caller saves.
        """
        minimum = settings.ROUND_GROUP_MIN_RESPONDENTS
        current = visibility.publication_version(roles, minimum)
        history = [
            {name: frozenset(people) for name, people in version.items()}
            for version in self.published_versions
        ]
        last = history[-1] if history else None
        if visibility.published(self.facts(), minimum):
            version = visibility.republished(history, current, minimum)
            if version is not None and version != last:
                self._store_publication(version, timezone.now())
                return
            if version is not None and self.publication is not None:
                # The same people: the figures are theirs (rescored, at most).
                self._store_publication(version, self.published_at, new=False)
                return
        self.publication_held = self.publication is not None and (
            last is None or last[visibility.TEAM] != current[visibility.TEAM]
        )

    def _store_publication(self, version, at, new=True):
        shown = sorted(name for name in version if name != visibility.TEAM)
        self.publication = {
            "position": None if self.position is None else str(self.position),
            "stage": self.stage,
            "attainment": self.attainment,
            "indicator_scores": self.indicator_scores,
            "flags": self.flags,
            "coverage": self.coverage,
            "respondents": self.respondents,
            "groups": {
                group: data if group in version else {"count": data.get("count", 0)}
                for group, data in self.groups.items()
            },
            "lowest": None,
            "highest": None,
            "shown": shown,
        }
        if new:
            versions = {name: sorted(people) for name, people in version.items()}
            self.published_versions = [*self.published_versions, versions]
        self.published_at = at
        self.publication_held = False

    def withdraw(self, response_pks):
        """Withdraw the publication when one of RESPONSE_PKS, about to be deleted, is in it.

        Deleting a response (an erasure request) must take its answers out
        of every figure stored; figures without them could be compared with
        the publication to read them back, so none shows until enough answers
        have changed (_publish). Called under the round's lock, before the
        responses go; saves.
        """
        self._record_shown()
        if self.publication is None or not self.published_versions:
            return
        if not set(response_pks) & set(self.published_versions[-1][visibility.TEAM]):
            return
        self.publication = None
        self.published_at = timezone.now()
        self.publication_held = False
        Round.objects.filter(pk=self.pk).update(
            **{name: getattr(self, name) for name in Round.PUBLISHED}
        )
        # The benchmark's copy of these figures goes too; the next run reads what shows then.
        apps.get_model("assessments", "BenchmarkEntry").objects.filter(round=self).delete()

    def mark_stale(self):
        """Mark the result stale after a submit; True when it was not stale yet.

        The caller then has the worker recompute it (tasks.submit_response),
        once for a burst of submits. Until then a stale confidential round
        publishes nothing; closing the round recomputes it at once.
        """
        marked = Round.objects.filter(pk=self.pk, result_stale=False).update(result_stale=True)
        if marked:
            self.result_stale = True
        return bool(marked)


# A results page's body (templates/assessments/includes/result_body.html) never
# changes once submitted: it is drawn once per response, round and language, and
# kept in each process's memory (the "pages" cache) for RESULT_CACHE_SECONDS. The
# private link is read in the database on every request (ResponseQuerySet.linked),
# so no body is served once its link or its response is gone. Renamed with the
# template, so that no old body is served.
RESULT_BODY = "result_v5"


def result_body_key(linked, language):
    """The cache key of the results page body of LINKED (ResponseQuerySet.linked) in LANGUAGE."""
    submitted = linked.submitted_at.isoformat()
    return f"{RESULT_BODY}:{linked.pk}:{submitted}:{linked.round_id}:{language}"


@dataclasses.dataclass(frozen=True)
class ReminderState:
    """What Response.reminder_state says of one invitee: a reason, and when one may go next."""

    DUE = "due"
    STOPPED = "stopped"  # they asked for no more reminders
    NOT_INVITED = "not-invited"  # answered through the shared link or on their own
    SUBMITTED = "submitted"
    CLOSED = "closed"
    ALL_SENT = "all-sent"  # cadence.MAX_REMINDERS went out
    TOO_SOON = "too-soon"  # the last e-mail was less than cadence.REMINDER_SPACING ago

    reason: str
    next_at: datetime.datetime | None = None

    @property
    def allowed(self):
        return self.reason == self.DUE


@dataclasses.dataclass(frozen=True)
class Linked:
    """What the respondent's pages read of a response (ResponseQuerySet.linked)."""

    pk: int
    submitted_at: datetime.datetime | None
    organization_name: str
    questionnaire_id: int
    questionnaire_created_at: datetime.datetime
    round_id: int | None
    round_closed_at: datetime.datetime | None
    round_closes_on: datetime.date | None
    saved: dict  # question id: option id, None for "I don't know"; with answers=True only

    @property
    def questionnaire(self):
        """The version answered: its pk and creation time, enough for answered_pages()."""
        return Questionnaire(pk=self.questionnaire_id, created_at=self.questionnaire_created_at)

    @property
    def accepts_answers(self):
        """Response.accepts_answers, read off these values."""
        if self.submitted_at is not None:
            return False
        today = timezone.localdate()
        return self.round_id is None or visibility.is_open(
            self.round_closed_at, self.round_closes_on, today
        )


class ResponseQuerySet(models.QuerySet):
    def linked(self, token, *, answers=False):
        """What the response behind a private link shows its respondent, or None; one query.

        With ANSWERS, the answers saved, for a questionnaire page. Read as
        plain values in written-out SQL (_LINKED_SQL): a respondent opens a
        page at every step, so it costs about what the (cached) home page
        costs (make bench). The pages that change the response lock it and
        read it whole.
        """
        with connection.cursor() as cursor:
            cursor.execute(_LINKED_SQL[answers], [tokens.digest(token)])
            rows = cursor.fetchall()
        if not rows:
            return None
        # SQLite returns datetimes as stored: in UTC, without the zone.
        first = [_aware(value) for value in rows[0][:8]]
        saved = {row[8]: row[9] for row in rows if answers and row[8] is not None}
        return Linked(*first, saved=saved)

    def reminder_due(self, now):
        """Invitees of open rounds due a reminder at NOW, in the database (cadence.reminder_due)."""
        since = now - cadence.REMINDER_SPACING
        return (
            self.filter(
                invited_at__isnull=False,
                submitted_at__isnull=True,
                reminders_stopped_at__isnull=True,
                reminders_sent__lt=cadence.MAX_REMINDERS,
            )
            .exclude(email="")
            .filter(open_round(timezone.localdate(now), prefix="round__"))
            .filter(
                Q(last_reminded_at__lte=since)
                | Q(last_reminded_at__isnull=True, invited_at__lte=since)
            )
        )

    def by_token(self, token):
        """The response a private link points to (any of its links)."""
        return self.filter(links__digest=tokens.digest(token))

    @transaction.atomic
    def delete(self):
        """Delete, then refresh the result of every round that lost a submitted response.

        The submitted ones take the prepared exports that may list their
        organizations' figures with them.
        """
        submitted = {}
        for pk, round_id in self.filter(
            submitted_at__isnull=False, round__isnull=False
        ).values_list("pk", "round_id"):
            submitted.setdefault(round_id, set()).add(pk)
        rounds = set(submitted)
        organizations = set(
            self.filter(round__isnull=False).values_list("round__organization_id", flat=True)
        )
        if rounds:
            shown = Round.objects.filter(pk__in=rounds).values("organization_id")
            apps.get_model("assessments", "PortfolioExport").objects.that_may_list(shown).delete()
        for round in Round.objects.select_for_update().filter(pk__in=rounds):
            round.withdraw(submitted[round.pk])
        deleted = super().delete()
        for round in Round.objects.select_for_update().filter(pk__in=rounds):
            round.refresh_result()
        for pk in organizations:
            # The open round's invited count, when no submitted response left it.
            Organization(pk=pk).refresh_summary()
        return deleted


class Response(Scored):
    """One person's answers; reached only through a private link (see PrivateLink)."""

    Role = Role

    questionnaire = models.ForeignKey(
        Questionnaire, models.PROTECT, related_name="responses", verbose_name=_("questionnaire")
    )
    round = models.ForeignKey(
        Round,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("round"),
    )
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    reminders_stopped_at = models.DateTimeField(
        _("asked for no more reminders"), null=True, blank=True
    )
    last_reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    organization_name = models.CharField(_("organization"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Role)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [
            # The admin's response list is ordered by -created_at.
            models.Index(fields=["-created_at", "-id"], name="response_created_idx"),
            # Invitees who may still get a reminder, per round: the daily sweep
            # reads these of the open rounds only.
            models.Index(
                fields=["round"],
                condition=Q(
                    invited_at__isnull=False,
                    submitted_at__isnull=True,
                    reminders_stopped_at__isnull=True,
                    reminders_sent__lt=cadence.MAX_REMINDERS,
                ),
                name="response_awaiting_reminder_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True)
                | Q(position__isnull=False, stage__isnull=False, coverage__isnull=False),
                name="submitted_response_has_result",
            ),
            models.CheckConstraint(
                condition=Q(position__isnull=True) | Q(position__gte=1, position__lte=4),
                name="response_position_1_to_4",
            ),
            models.UniqueConstraint(
                fields=["round", "email"],
                condition=Q(round__isnull=False) & ~Q(email=""),
                name="one_response_per_email_and_round",
            ),
        ]

    def __str__(self):
        return f"{self.organization_name} · {self.get_role_display()}"

    def save(self, *args, **kwargs):
        with transaction.atomic():
            adding = self._state.adding
            super().save(*args, **kwargs)
            if adding:
                self.issue_link()
                if self.round_id:
                    # One more invitee or shared-link start in the portfolio's response rate.
                    Organization(pk=self.round.organization_id).refresh_summary()

    def reminder_state(self, now):
        """Whether a reminder may go to this invitee at NOW; if not, why, and when it may.

        The one home of the rule for one invitee: the "Remind now" view
        enforces it and the round's invitee list offers the button only when it
        holds, giving the date otherwise; ResponseQuerySet.reminder_due is the
        same rule as a query, for the daily sweep. The round is read through
        self.round (loaded with the invitee list, so no query per row).
        """
        if self.reminders_stopped_at is not None:
            return ReminderState(ReminderState.STOPPED)
        if self.invited_at is None or not self.email:
            return ReminderState(ReminderState.NOT_INVITED)
        if self.is_submitted:
            return ReminderState(ReminderState.SUBMITTED)
        if self.round_id is None or not self.round.is_open:
            return ReminderState(ReminderState.CLOSED)
        next_at = cadence.next_reminder_at(
            self.invited_at, self.last_reminded_at, self.reminders_sent
        )
        if next_at is None:
            return ReminderState(ReminderState.ALL_SENT)
        if now < next_at:
            return ReminderState(ReminderState.TOO_SOON, next_at)
        return ReminderState(ReminderState.DUE)

    def claim_reminder(self, now):
        """Count a reminder before it goes out; False if another run counted it first.

        The conditional UPDATE is what lets the daily command and "Remind now"
        run at the same time without sending anything twice.
        """
        return bool(
            Response.objects.filter(pk=self.pk, reminders_sent=self.reminders_sent).update(
                reminders_sent=F("reminders_sent") + 1, last_reminded_at=now
            )
        )

    def file_as_round(self, organization):
        """File this anonymous, submitted response as a closed round of ORGANIZATION.

        Return the new round, or None when the response was filed already (by a
        simultaneous request); the caller holds a transaction.
        """
        unfiled = Response.objects.select_for_update().filter(pk=self.pk, round=None)
        if not unfiled.values_list("pk", flat=True):
            return None
        # The person filing it keeps their own answers: the members see them.
        round = Round.objects.create(
            organization=organization,
            questionnaire=self.questionnaire,
            opened_on=timezone.localdate(self.created_at),
            closed_at=self.submitted_at,
            visibility=Round.Visibility.OPEN,
            # Its respondent was never told about a consultant.
            consultant_access=False,
        )
        Response.objects.filter(pk=self.pk).update(round=round, organization_name=organization.name)
        round.refresh_result()
        return round

    def issue_link(self):
        """Store a new private link and return its token; earlier links keep working.

        The token is kept on this instance only, for the page or e-mail that
        hands it out; the database holds its digest.
        """
        self.token = tokens.new_token()
        PrivateLink.objects.create(response=self, digest=tokens.digest(self.token))
        return self.token

    @transaction.atomic
    def delete(self, *args, **kwargs):
        """Delete, and take a submitted response out of its round's result.

        Submitted, it takes the prepared exports that may list its
        organization's figures with it.
        """
        if self.round_id and self.is_submitted:
            round = Round.objects.select_for_update().get(pk=self.round_id)
            round.withdraw({self.pk})
            apps.get_model("assessments", "PortfolioExport").objects.that_may_list(
                [round.organization_id]
            ).delete()
        deleted = super().delete(*args, **kwargs)
        if self.round_id and self.is_submitted:
            Round.objects.select_for_update().get(pk=self.round_id).refresh_result()
        elif self.round_id:
            Organization(pk=self.round.organization_id).refresh_summary()
        return deleted

    @property
    def is_submitted(self):
        return self.submitted_at is not None

    @property
    def accepts_answers(self):
        return not self.is_submitted and (self.round is None or self.round.is_open)

    def answered_question_ids(self):
        return set(self.answers.values_list("question_id", flat=True))

    def submit(self):
        """Score the saved answers and store the result once; the caller holds the row lock.

        Return False, storing nothing, when the round closed in the meantime:
        the round is locked and checked first, so a submit in flight can never
        change the figures of a round that has closed (and published them).
        Callers go through tasks.submit_response, which marks the round's
        result stale and has it recomputed.
        """
        round = None
        if self.round_id:
            # Locked, so concurrent submits refresh it one after the other.
            round = Round.objects.select_for_update().get(pk=self.round_id)
            if not round.is_open:
                return False
        result, indicator_scores = score_answers(
            self.answers.select_related("question__indicator__stage", "option")
        )
        self.store(result, indicator_scores)
        self.submitted_at = timezone.now()
        self.save()
        if round is not None:
            # The portfolio's counts; the result itself is the worker's.
            Organization(pk=round.organization_id).refresh_summary()
        return True


class PrivateLink(models.Model):
    """One private link to a response. Only the digest of its token is stored."""

    response = models.ForeignKey(Response, models.CASCADE, related_name="links")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("private link")
        verbose_name_plural = _("private links")

    def __str__(self):
        return f"{self.response_id} · {self.created_at:%Y-%m-%d}"


def private_url(token):
    """The absolute address of a private link, for e-mails."""
    return settings.SITE_URL + reverse("assessments:resume", args=[token])


def issue_links(responses):
    """Response.issue_link() for many responses in one INSERT; each keeps its token.

    Return the new links, in the order of RESPONSES.
    """
    for response in responses:
        response.token = tokens.new_token()
    return PrivateLink.objects.bulk_create(
        PrivateLink(response=response, digest=tokens.digest(response.token))
        for response in responses
    )


def score_answers(answers):
    """Score one respondent's Answer rows; also return each indicator's score (None if unknown)."""
    result = scoring.score(_scoring_answer(answer) for answer in answers)
    return result, result.indicators


def scored_answers(answers):
    """Group an Answer queryset by response as scoring.Answer lists: {response id: [answer, ...]}.

    Read as plain values: a round's recompute reads every answer of the round,
    and building model instances for them took most of its time (0.7 s of
    0.9 s at 300 respondents, while submits waited on the round's lock).
    """
    grouped = {}
    rows = answers.values_list(
        "response_id",
        "question__indicator__stage__number",
        "option__value",
        "question__weight",
        "question__indicator__key",
        "question__indicator__defines_stage",
    )
    for response_id, stage, value, weight, indicator, named in rows:
        grouped.setdefault(response_id, []).append(
            scoring.Answer(
                stage=stage, value=value, weight=weight, indicator=indicator, named=named
            )
        )
    return grouped


def _scoring_answer(answer):
    # The same fields as scored_answers reads as values (a test holds them equal).
    question = answer.question
    return scoring.Answer(
        stage=question.indicator.stage.number,
        value=answer.option.value if answer.option_id else None,
        weight=question.weight,
        indicator=question.indicator.key,
        named=question.indicator.defines_stage,
    )


class PlanItem(models.Model):
    """A step the members commit to before the next round: a stage's next step or an indicator."""

    class Owner(models.TextChoices):
        MARKETING = "marketing", _("Marketing")
        SALES = "sales", _("Sales")
        BOTH = "both", _("Marketing and sales")

    round = models.ForeignKey(Round, models.CASCADE, related_name="plan")
    # PROTECT: a plan and its check are history; the content they point to stays.
    step = models.ForeignKey(
        NextStep,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_items",
        verbose_name=_("step"),
    )
    indicator = models.ForeignKey(
        Indicator,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_items",
        verbose_name=_("indicator"),
    )
    owner = models.CharField(_("team in charge"), max_length=10, choices=Owner, blank=True)
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person responsible"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("committed"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        constraints = [
            models.CheckConstraint(
                condition=Q(step__isnull=True, indicator__isnull=False)
                | Q(step__isnull=False, indicator__isnull=True),
                name="plan_item_is_a_step_or_an_indicator",
            ),
            models.UniqueConstraint(
                fields=["round", "step"], condition=Q(step__isnull=False), name="one_item_per_step"
            ),
            models.UniqueConstraint(
                fields=["round", "indicator"],
                condition=Q(indicator__isnull=False),
                name="one_item_per_indicator",
            ),
        ]

    def __str__(self):
        return _("Plan of %(organization)s after the round of %(date)s: %(text)s") % {
            "organization": self.round.organization,
            "date": self.round.opened_on,
            "text": self.text,
        }

    @property
    def text(self):
        return self.step.text if self.step_id else self.indicator.action

    @property
    def is_done(self):
        return self.done_at is not None

    @property
    def is_overdue(self):
        return not self.is_done and self.due_on is not None and self.due_on < timezone.localdate()


class Answer(models.Model):
    response = models.ForeignKey(Response, models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, models.PROTECT, related_name="answers")
    # No option means the respondent chose "I don't know".
    option = models.ForeignKey(Option, models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self):
        return f"{self.question_id}: {self.option or '?'}"


def _aware(value):
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        return timezone.make_aware(value, datetime.UTC)
    return value


# ResponseQuerySet.linked, written out: Django's query compiler took more of a
# questionnaire page's time (0.5 of 2.2 ms) than the query itself (0.02 ms).
# tests/assessments/test_private_links.py holds it equal to the ORM's reading.
_LINKED_COLUMNS = """
    SELECT r.id, r.submitted_at, r.organization_name, r.questionnaire_id, q.created_at,
        r.round_id, rd.closed_at, rd.closes_on{answers}
    FROM {link} l
    JOIN {response} r ON r.id = l.response_id
    JOIN {questionnaire} q ON q.id = r.questionnaire_id
    LEFT JOIN {round} rd ON rd.id = r.round_id{join}
    WHERE l.digest = %s
"""
_TABLES = {
    "link": PrivateLink._meta.db_table,
    "response": Response._meta.db_table,
    "questionnaire": Questionnaire._meta.db_table,
    "round": Round._meta.db_table,
    "answer": Answer._meta.db_table,
}
_LINKED_SQL = {
    False: _LINKED_COLUMNS.format(answers="", join="", **_TABLES),
    True: _LINKED_COLUMNS.format(
        answers=", a.question_id, a.option_id",
        join=f"\n    LEFT JOIN {_TABLES['answer']} a ON a.response_id = r.id",
        **_TABLES,
    ),
}
