from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .. import scoring, tasks, throttle, tokens
from ..forms import DONT_KNOW, PageForm, RoundStartForm, StartForm
from ..models import (
    Answer,
    Delivery,
    Membership,
    Question,
    Questionnaire,
    Response,
    Round,
    open_round,
)
from ..models.rounds import result_body_key
from ..pages import ResultPage

ROUND_RESULT_FIELDS = [*Round.RESULT_FIELDS, "lowest", "highest", "groups"]


def _get_response(token, *, lock=False):
    """Load the response a private link points to; its token is the only key.

    The round comes without its stored result, which no respondent page reads
    (the privacy notice reads its groups' counts, on page 1 only).
    """
    queryset = (
        Response.objects.by_token(token)
        .select_related("questionnaire", "round__organization")
        .defer(*(f"round__{name}" for name in ROUND_RESULT_FIELDS))
    )
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return get_object_or_404(queryset)


@require_http_methods(["GET", "POST"])
def start(request):
    """Take the assessment: a member's open rounds first, else a response of one's own."""
    questionnaire = Questionnaire.objects.active()
    if questionnaire is None:
        return render(request, "assessments/unavailable.html", status=503)
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not throttle.allowed(request, "start"):
            return throttle.too_many(request)
        if throttle.may_mail(request, form):
            response = form.save(commit=False)
            response.questionnaire = questionnaire
            response.language = get_language()
            response.save()
            return _hand_out_link(request, response)
    size = Question.objects.filter(section__questionnaire=questionnaire).aggregate(
        questions=Count("pk"), pages=Count("section", distinct=True)
    )
    rounds = _open_rounds_of(request.user)
    context = {
        "form": form,
        "size": size,
        "rounds": rounds,
        # A member with rounds to answer answers alone only if they ask to.
        "alone": not rounds or request.method == "POST" or "alone" in request.GET,
    }
    return render(request, "assessments/start.html", context)


def _open_rounds_of(user):
    """The open rounds of USER's organizations, with whether they answered each."""
    if not user.is_authenticated:
        return []
    confirmed = (
        EmailAddress.objects.filter(user=user, verified=True)
        .annotate(address=Lower("email"))
        .values("address")
    )
    answered = Response.objects.filter(
        round=OuterRef("pk"), submitted_at__isnull=False, email__in=confirmed
    )
    return list(
        Round.objects.for_member(user)
        .filter(open_round(timezone.localdate()))
        .select_related("organization")
        .annotate(answered=Exists(answered))
        .order_by("organization__name", "pk")
    )


@never_cache
def resume(request, token):
    """Send the respondent where they stopped: the result, or the first unanswered page."""
    response = _get_response(token)
    if response.is_submitted:
        return redirect("assessments:result", token)
    if not response.accepts_answers:
        return _round_closed(request, response)
    pages = response.questionnaire.answered_pages()
    answered = response.answered_question_ids()
    return redirect("assessments:page", token, _first_unanswered(pages, answered) or len(pages))


def _round_closed(request, response):
    status = 410 if request.method == "POST" else 200
    context = {"round": response.round, "response": response}
    return render(request, "assessments/round_closed.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def join(request, share_token):
    """A round's shared link: each visitor gets a personal response in that round."""
    round = get_object_or_404(
        Round.objects.by_share_token(share_token).select_related("organization", "questionnaire")
    )
    if not round.is_open:
        return render(request, "assessments/round_closed.html", {"round": round}, status=410)
    form = RoundStartForm(request.POST or None, round=round)
    if request.method == "POST" and form.is_valid():
        # The round's own cap first, so that a refused start counts against no
        # other limit; checked again under the round's lock when saving.
        if busy_until := throttle.link_busy_until(round):
            return throttle.link_busy(request, round, busy_until)
        if not throttle.allowed(request, "start"):
            return throttle.too_many(request)
        if throttle.may_mail(request, form):
            email = form.cleaned_data["email"]
            response = form.save(commit=False)
            response.round = round
            response.questionnaire = round.questionnaire
            response.organization_name = round.organization.name
            response.language = get_language()
            try:
                with transaction.atomic():
                    if busy_until := throttle.link_busy_until(round, lock=True):
                        return throttle.link_busy(request, round, busy_until)
                    response.save()
            except IntegrityError:
                # The address already answers this round (invited, or joined before):
                # that person gets a fresh link, and the visitor learns nothing.
                response = round.responses.get(email=email)
            return _hand_out_link(request, response)
    context = {"round": round, "form": form}
    return render(request, "assessments/join.html", context)


def _hand_out_link(request, response):
    """Send the visitor on with the new response's private link.

    With an e-mail address the link goes there only: whoever typed an address
    must read that mailbox to answer, so nobody can start a response for a
    colleague and read it once the colleague has answered. The visitor's
    session remembers that e-mail (its delivery, nothing else), so the next
    page can say whether it went.
    """
    if response.email:
        with transaction.atomic():
            [delivery] = tasks.send_later(
                [Delivery(kind=Delivery.Kind.PRIVATE_LINK, response=response)]
            )
        request.session[LINK_SENT_KEY] = {"delivery": delivery.pk, "from": request.path}
        return redirect("assessments:link_sent")
    return redirect("assessments:page", response.token, 1)


LINK_SENT_KEY = "link_sent"


@never_cache
def link_sent(request):
    """What became of the e-mail with the visitor's private link; polled while it is on its way."""
    sent = request.session.get(LINK_SENT_KEY) or {}
    delivery = Delivery.objects.filter(pk=sent.get("delivery")).only("status", "error", "sent_at")
    context = {"delivery": delivery.first(), "again_url": sent.get("from")}
    if request.GET.get("part") == "status":
        return render(request, "assessments/includes/link_status.html", context)
    return render(request, "assessments/link_sent.html", context)


def _first_unanswered(pages, answered):
    for number, section in enumerate(pages, start=1):
        if any(q.pk not in answered for q in section.questions.all()):
            return number
    return None


@never_cache
@require_http_methods(["GET", "POST"])
def page(request, token, number):
    """One page of the questionnaire, with the answers saved so far checked."""
    if request.method == "POST":
        return _answer_page(request, token, number)
    state = Response.objects.linked(token, answers=True)
    if state is None:
        raise Http404
    if state.submitted_at:
        return redirect("assessments:result", token)
    if not state.accepts_answers:
        return _round_closed(request, _get_response(token))
    pages = state.questionnaire.answered_pages()
    if not 1 <= number <= len(pages):
        raise Http404
    questions = pages[number - 1].questions.all()
    initial = {
        question.field_name: DONT_KNOW if saved is None else str(saved)
        for question in questions
        if (saved := state.saved.get(question.pk, "")) != ""
    }
    # The questions are drawn once per page, language and set of answers checked.
    chosen = " ".join(initial.get(question.field_name, "-") for question in questions)
    form = SimpleLazyObject(lambda: PageForm(questions, initial=initial))
    context = {"organization_name": state.organization_name, "chosen": chosen}
    if number == 1 and state.round_id:
        context["round"] = Round.objects.get(pk=state.round_id)
    return _render_page(request, token, number, pages, form, context)


def _answer_page(request, token, number):
    response = _get_response(token)
    if response.is_submitted:
        messages.info(request, _("These answers were already submitted; nothing was changed."))
        return redirect("assessments:result", token)
    if not response.accepts_answers:
        return _round_closed(request, response)
    pages = response.questionnaire.answered_pages()
    if not 1 <= number <= len(pages):
        raise Http404
    going_back = "back" in request.POST
    form = PageForm(pages[number - 1].questions.all(), request.POST, require_all=not going_back)
    if form.is_valid():
        return _save_page(request, token, form, number, pages, going_back=going_back)
    context = {"organization_name": response.organization_name, "invalid": True}
    if number == 1:
        context["round"] = response.round
    return _render_page(request, token, number, pages, form, context)


def _render_page(request, token, number, pages, form, context):
    questions = pages[number - 1].questions.all()
    before = sum(len(page.questions.all()) for page in pages[: number - 1])
    return render(
        request,
        "assessments/page.html",
        {
            **context,
            "section": pages[number - 1],
            "form": form,
            "number": number,
            "count": len(pages),
            # Questions are numbered across pages, as the start page counts them.
            "first_number": before + 1,
            "last_number": before + len(questions),
            "question_count": sum(len(page.questions.all()) for page in pages),
            "percent": scoring.percent((number - 1) / len(pages)),
            "is_last": number == len(pages),
            "private_url": request.build_absolute_uri(reverse("assessments:resume", args=[token])),
        },
    )


def _save_page(request, token, form, number, pages, *, going_back):
    with transaction.atomic():
        response = _get_response(token, lock=True)
        if response.is_submitted:
            messages.info(request, _("These answers were already submitted; nothing was changed."))
            return redirect("assessments:result", token)
        if not response.accepts_answers:
            return _round_closed(request, response)
        now = timezone.now()
        Answer.objects.bulk_create(
            [
                Answer(response=response, question=question, option=option, answered_at=now)
                for question, option in form.answers()
            ],
            update_conflicts=True,
            unique_fields=["response", "question"],
            update_fields=["option", "answered_at"],
        )
        if going_back:
            return redirect("assessments:page", token, max(number - 1, 1))
        if number < len(pages):
            return redirect("assessments:page", token, number + 1)
        missing = _first_unanswered(pages, response.answered_question_ids())
        if missing:
            messages.warning(request, _("Some questions are still unanswered on this page."))
            return redirect("assessments:page", token, missing)
        if not tasks.submit_response(response):  # the round closed while this page was sent
            transaction.set_rollback(True)
            return _round_closed(request, response)
    return redirect("assessments:result", token)


@never_cache
def result(request, token):
    """A submitted result. It never changes, so its body is drawn once per language and kept.

    Seen again, the page costs one plain query (the link is checked on every
    request) and the body from this process's memory (result_body_key).
    """
    linked = Response.objects.linked(token)
    if linked is None:
        raise Http404
    if not linked.submitted_at:
        messages.info(request, _("Answer every question first; your result appears here then."))
        return redirect("assessments:resume", token)
    key = result_body_key(linked, get_language())
    cache = caches["pages"]
    body = cache.get(key)
    if body is None:
        response = _get_response(token)
        body = render_to_string(
            "assessments/includes/result_body.html",
            {"response": response, "token": token, "page": ResultPage(response)},
        )
        cache.set(key, body, settings.RESULT_CACHE_SECONDS)
    return render(request, "assessments/result.html", {"body": mark_safe(body)})


def _get_unsubscribe_target(token):
    """Load what an unsubscribe link stops: an invitation's reminders or a member's due notices."""
    target = tokens.unsubscribe_target(token)
    if target is None:
        raise Http404
    kind, pk = target
    if kind == "r":
        return get_object_or_404(Response.objects.select_related("round__organization"), pk=pk)
    return get_object_or_404(Membership.objects.select_related("organization"), pk=pk)


# Mail clients send the one-click unsubscribe (RFC 8058) as a POST without a CSRF
# token; the link's MAC is the key, and all the request can do is stop e-mail.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Stop reminders of one invitation, or due notices of one membership; no login needed."""
    target = _get_unsubscribe_target(token)
    if request.method == "POST":
        if isinstance(target, Response):
            Response.objects.filter(pk=target.pk, reminders_stopped_at=None).update(
                reminders_stopped_at=timezone.now()
            )
        else:
            Membership.objects.filter(pk=target.pk).update(due_notices=False)
    context = {
        "target": target,
        "is_reminder": isinstance(target, Response),
        "done": request.method == "POST",
    }
    return render(request, "assessments/unsubscribe.html", context)
