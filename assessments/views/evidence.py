"""Members' pages for a round's CRM evidence: upload an export, choose its columns, follow
its reading, remove it. The evidence itself shows on the round, team and client pages."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import evidence, tasks, throttle
from ..forms import EvidenceColumnsForm, EvidenceUploadForm
from ..models import Evidence, EvidenceMapping, EvidenceUpload
from .members import _get_round_for_member

# Room for the form's other fields and the multipart boundaries around the file.
MULTIPART_SLACK = 64 * 1024


class LimitedUploadHandler(FileUploadHandler):
    """Stop reading an upload once it passes the limit, whatever the request claimed.

    A browser states the body's length, and a larger one is refused before any
    of it is read (evidence_upload); this catches a body sent without one.
    """

    def __init__(self, request, limit):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def evidence_upload(request, pk):
    """The round's upload page; a POST larger than the limit is refused unread.

    CSRF is checked by the inner view: the middleware would read the whole
    body first, which is exactly what a 1 GB upload must not get.
    """
    round = _get_round_for_member(request, pk)
    handler = None
    if request.method == "POST":
        limit = EvidenceUploadForm.limit_bytes()
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > limit + MULTIPART_SLACK:
            # Refused unread: nothing is written, so there is nothing for CSRF to protect.
            form = EvidenceUploadForm({"kind": evidence.LEADS}, {}, too_large=True)
            form.is_valid()
            return _upload_page(request, round, form, status=413)
        handler = LimitedUploadHandler(request, limit + MULTIPART_SLACK)
        request.upload_handlers = [handler, *request.upload_handlers]
    return _evidence_upload(request, round, handler)


@csrf_protect
def _evidence_upload(request, round, handler):
    form = EvidenceUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        too_large=handler is not None and handler.exceeded,
    )
    if request.method != "POST":
        return _upload_page(request, round, form)
    if not form.is_valid():
        status = 413 if form.has_error("file", "too-large") else 400
        return _upload_page(request, round, form, status=status)
    if not throttle.allowed(request, "evidence"):
        return throttle.too_many(request)
    kind = form.cleaned_data["kind"]
    upload = form.upload
    recognition = evidence.recognise(upload.header, kind)
    if not recognition.complete and not form.cleaned_data["choose_columns"]:
        remembered = EvidenceMapping.objects.filter(organization=round.organization, kind=kind)
        mapping = remembered.first()
        if mapping is not None:
            mapped = evidence.apply_mapping(upload.header, mapping.columns, kind)
            if mapped.complete:
                recognition = mapped
    # Asked for by the member, the mapping step comes pre-filled with what was recognised.
    ask = form.cleaned_data["choose_columns"] or not recognition.complete
    try:
        record = _store_upload(request, round, kind, upload, recognition, ask)
    except IntegrityError:
        record = None
    if record is None:
        messages.error(
            request,
            _("Another file is being read for this round. Wait until it is done, or remove it."),
        )
        return redirect("assessments:evidence_upload", round.pk)
    if record.status == Evidence.Status.MAPPING:
        return redirect("assessments:evidence_columns", round.pk, record.pk)
    messages.success(request, _("The file is being read. Its figures appear below when done."))
    return redirect(f"{round.get_absolute_url()}#evidence-heading")


def _store_upload(request, round, kind, upload, recognition, ask):
    """Keep the upload (encrypted) and hand it to the worker, or ASK for its columns first.

    None when another upload of the round is in the way.
    """
    status = Evidence.Status.MAPPING if ask else Evidence.Status.PENDING
    with transaction.atomic():
        # A file left waiting for its columns is replaced by the new one.
        for stale in round.evidence.filter(status=Evidence.Status.MAPPING):
            stale.delete()
        if round.evidence.unfinished().exists():
            return None
        record = Evidence.objects.create(
            round=round,
            kind=kind,
            status=status,
            filename=upload.filename,
            file_format=upload.format,
            encoding=upload.encoding,
            source=recognition.source,
            columns={
                key: [[index, upload.header[index]] for index in indexes]
                for key, indexes in recognition.columns.items()
            },
            created_by=request.user,
        )
        EvidenceUpload.seal(record, upload.data, upload.header).save()
        if status == Evidence.Status.PENDING:
            tasks.read_evidence.enqueue(record.pk)
        else:
            tasks.schedule_upload_expiry(record.pk)
    return record


def _upload_page(request, round, form, status=200):
    context = {
        "round": round,
        "organization": round.organization,
        "form": form,
        "uploads": list(round.evidence.select_related("created_by")[:20]),
        "limit_mb": settings.EVIDENCE_MAX_UPLOAD_MB,
        "limit_bytes": EvidenceUploadForm.limit_bytes(),
        "mapping_minutes": settings.EVIDENCE_MAPPING_MINUTES,
        "too_large": evidence.error_message(
            "too-large", {"limit": settings.EVIDENCE_MAX_UPLOAD_MB}
        ),
        "recognised": [
            (kind, evidence.recognised_names(kind)) for kind in (evidence.LEADS, evidence.DEALS)
        ],
    }
    return render(request, "assessments/evidence_upload.html", context, status=status)


def _get_evidence_for_member(request, pk, evidence_pk):
    """Load an upload of a round of the user's organizations; anything else is a 404."""
    round = _get_round_for_member(request, pk)
    return round, get_object_or_404(round.evidence.select_related("created_by"), pk=evidence_pk)


@login_required
@require_http_methods(["GET", "POST"])
def evidence_columns(request, pk, evidence_pk):
    """The mapping step: a member says which column holds each field; remembered for next time."""
    round, record = _get_evidence_for_member(request, pk, evidence_pk)
    upload = EvidenceUpload.objects.filter(pk=record.pk).first()
    if record.status != Evidence.Status.MAPPING or upload is None:
        messages.info(request, _("This file is not waiting for its columns any more."))
        return redirect("assessments:evidence_upload", round.pk)
    deadline = record.created_at + timedelta(minutes=settings.EVIDENCE_MAPPING_MINUTES)
    if timezone.now() > deadline:
        tasks.expire_evidence_upload.call(record.pk)
        record.refresh_from_db()
        messages.error(request, record.error_message)
        return redirect("assessments:evidence_upload", round.pk)
    chosen = {key: [index for index, _name in pairs] for key, pairs in record.columns.items()}
    form = EvidenceColumnsForm(
        request.POST or None, kind=record.kind, header=upload.header, chosen=chosen
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            claimed = Evidence.objects.filter(pk=record.pk, status=Evidence.Status.MAPPING).update(
                status=Evidence.Status.PENDING, columns=form.columns(), source=evidence.OTHER
            )
            if claimed:
                # Remembered for the organization once a file is read with them (the task).
                tasks.read_evidence.enqueue(record.pk)
        if claimed:
            messages.success(
                request, _("The file is being read. Its figures appear below when done.")
            )
        return redirect(f"{round.get_absolute_url()}#evidence-heading")
    context = {
        "round": round,
        "organization": round.organization,
        "record": record,
        "form": form,
        "deadline": deadline,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "assessments/evidence_columns.html", context, status=status)


@login_required
@require_GET
def evidence_status(request, pk, evidence_pk):
    """How far the reading is, for the page's progress bar (polled); no figure of the file."""
    _round, record = _get_evidence_for_member(request, pk, evidence_pk)
    return JsonResponse(
        {
            "status": record.status,
            "label": record.get_status_display(),
            "progress": record.progress,
            "rows": record.rows_read,
            "message": record.progress_message,
            "finished": not record.is_unfinished,
        }
    )


@login_required
@require_POST
def evidence_delete(request, pk, evidence_pk):
    """Remove an upload and what it said (a file still waiting goes with it)."""
    round, record = _get_evidence_for_member(request, pk, evidence_pk)
    record.delete()
    removed = _("“%(name)s” and its figures are removed.") % {"name": record.filename}
    messages.success(request, removed)
    return redirect(reverse("assessments:evidence_upload", args=[round.pk]))
