"""Incident pages under /o/<org_slug>/incidents/: list with running clocks, the incident
page (clocks, notifications, timeline, forms), drafts, campaign and breach register."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compliance.permissions import Permission
from compliance.views.base import acting_user, current_membership, organisation_view
from incidents import lessons
from incidents.choices import Regime
from incidents.drafts import LANGUAGES, draft_lines
from incidents.exports import breach_register_csv, breach_register_rows, breach_register_xlsx
from incidents.filters import IncidentFilter
from incidents.forms import (
    CampaignForm,
    DraftForm,
    EventForm,
    FactsForm,
    IncidentCreateForm,
    LessonsForm,
    MarkSentForm,
    QualificationForm,
)
from incidents.letters import campaign_letter_default
from incidents.models import DataSubjectCampaign, Incident, Notification
from incidents.selectors import clock_labels, clocks_of, incidents_with_notifications
from incidents.services import (
    campaign_save,
    incident_close,
    incident_create,
    incident_event_add,
    incident_qualify,
    incident_update_facts,
    notification_draft_save,
    notification_mark_sent,
)

PAGE_SIZE = 50


def _incident(request: HttpRequest, pk: int) -> Incident:
    membership = current_membership(request)
    return get_object_or_404(
        incidents_with_notifications(Incident.objects.for_membership(membership)).prefetch_related(
            "events"
        ),
        pk=pk,
    )


def _apply_errors(form: BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@organisation_view(Permission.VIEW_INCIDENTS)
def incident_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    filterset = IncidentFilter(
        request.GET or None, queryset=Incident.objects.for_membership(membership)
    )
    incidents_qs = incidents_with_notifications(filterset.qs.order_by("-aware_at", "-id"))
    page = Paginator(incidents_qs, PAGE_SIZE).get_page(request.GET.get("page"))  # COUNT
    incidents = list(page.object_list)  # 2 queries: incidents (+owner, campaign), notifications
    now = timezone.now()
    rows = [
        {"incident": incident, "clocks": clocks_of(list(incident.notifications.all()), now)}
        for incident in incidents
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "incidents/incident_list.html",
        {
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "filter": filterset,
            "now": now,
            "clock_labels": clock_labels(),
            "can_manage": membership.has_perm(Permission.MANAGE_INCIDENTS),
        },
    )


@organisation_view(Permission.MANAGE_INCIDENTS)
def incident_new(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    form = IncidentCreateForm(
        request.POST or None,
        membership=membership,
        initial={
            "aware_at": timezone.localtime().replace(second=0, microsecond=0),
            "owner": membership.user,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()}
        try:
            incident = incident_create(
                actor=acting_user(request), organisation=membership.organisation, **data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Incident declared: the clocks are running."))
            return redirect(
                "incident_detail", org_slug=membership.organisation.slug, pk=incident.pk
            )
    return render(request, "incidents/incident_form.html", {"form": form, "creating": True})


def _detail(request: HttpRequest, incident: Incident, **forms: Any) -> HttpResponse:
    membership = current_membership(request)
    now = timezone.now()
    notifications = list(incident.notifications.all())
    can_manage = membership.has_perm(Permission.MANAGE_INCIDENTS)
    sent_forms = forms.pop("sent_forms", {})
    lines = [
        {
            "notification": n,
            "clock": clocks_of([n], now)[0] if n.sent_at is None else None,
            "form": sent_forms.get(n.pk)
            or MarkSentForm(
                initial={"sent_at": timezone.localtime(now).replace(second=0, microsecond=0)},
                prefix=f"n{n.pk}",
            ),
            "needs_reasons": n.regime == Regime.GDPR_AUTHORITY,
        }
        for n in notifications
    ]
    try:
        campaign: DataSubjectCampaign | None = incident.campaign
    except DataSubjectCampaign.DoesNotExist:
        campaign = None
    context = {
        "incident": incident,
        "lines": lines,
        "events": list(incident.events.all()),
        "campaign": campaign,
        "can_manage": can_manage,
        "nis2_classification": incident.organisation.get_nis2_classification_display(),
        "nis2_entity": incident.organisation.nis2_classification in ("essential", "important"),
        "qualification_form": forms.get("qualification_form")
        or QualificationForm(instance=incident),
        "event_form": forms.get("event_form")
        or EventForm(
            initial={"occurred_at": timezone.localtime(now).replace(second=0, microsecond=0)}
        ),
        "lessons_form": forms.get("lessons_form")
        or LessonsForm(
            initial={
                "lessons": incident.lessons_learned,
                "action_due_on": timezone.localdate() + timedelta(days=30),
            }
        ),
        "lessons_available": lessons.available(),
        "clock_labels": clock_labels(),
        "now": now,
    }
    status = 400 if forms or sent_forms else 200
    return render(request, "incidents/incident_detail.html", context, status=status)


@organisation_view(Permission.VIEW_INCIDENTS)
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _incident(request, pk))


@organisation_view(Permission.MANAGE_INCIDENTS)
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    incident = _incident(request, pk)
    form = FactsForm(request.POST or None, instance=incident, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            incident_update_facts(
                actor=acting_user(request),
                incident=incident,
                **{name: form.cleaned_data[name] for name in form.fields},
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Facts saved."))
            return redirect("incident_detail", org_slug=membership.organisation.slug, pk=pk)
    return render(request, "incidents/incident_form.html", {"form": form, "incident": incident})


@organisation_view(Permission.MANAGE_INCIDENTS)
@require_POST
def incident_qualify_view(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    # Bound to a copy: a refused qualification must not leak into the page's clocks.
    form = QualificationForm(request.POST, instance=Incident.objects.get(pk=incident.pk))
    if form.is_valid():
        try:
            incident_qualify(
                actor=acting_user(request),
                incident=incident,
                **{name: form.cleaned_data[name] for name in form.fields},
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, _("Qualification saved; the notifications owed were recomputed.")
            )
            return redirect("incident_detail", org_slug=incident.organisation.slug, pk=pk)
    return _detail(request, incident, qualification_form=form)


@organisation_view(Permission.MANAGE_INCIDENTS)
@require_POST
def notification_sent_view(request: HttpRequest, pk: int, nid: int) -> HttpResponse:
    incident = _incident(request, pk)
    notification = get_object_or_404(Notification.objects.filter(incident=incident), pk=nid)
    form = MarkSentForm(request.POST, prefix=f"n{nid}")
    if form.is_valid():
        try:
            notification_mark_sent(
                actor=acting_user(request), notification=notification, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("%(regime)s recorded as sent.") % {"regime": notification.get_regime_display()},
            )
            return redirect("incident_detail", org_slug=incident.organisation.slug, pk=pk)
    return _detail(request, incident, sent_forms={notification.pk: form})


@organisation_view(Permission.MANAGE_INCIDENTS)
@require_POST
def incident_event_view(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    form = EventForm(request.POST)
    if form.is_valid():
        try:
            incident_event_add(actor=acting_user(request), incident=incident, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("incident_detail", org_slug=incident.organisation.slug, pk=pk)
    return _detail(request, incident, event_form=form)


@organisation_view(Permission.MANAGE_INCIDENTS)
def incident_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    if request.method == "POST":
        incident_close(actor=acting_user(request), incident=incident)
        messages.success(request, _("Incident closed."))
        return redirect("incident_detail", org_slug=incident.organisation.slug, pk=pk)
    pending = [n for n in incident.notifications.all() if n.sent_at is None]
    return render(
        request, "incidents/incident_confirm_close.html", {"incident": incident, "pending": pending}
    )


def _language(request: HttpRequest) -> str:
    language = request.GET.get("lang", "fr")
    return language if language in LANGUAGES else "fr"


@organisation_view(Permission.VIEW_INCIDENTS)
def notification_draft(request: HttpRequest, pk: int, nid: int) -> HttpResponse:
    membership = current_membership(request)
    incident = _incident(request, pk)
    notification = get_object_or_404(Notification.objects.filter(incident=incident), pk=nid)
    notification.incident = incident
    language = _language(request)
    lines = draft_lines(notification, language)
    can_edit = membership.has_perm(Permission.MANAGE_INCIDENTS)
    form = DraftForm(
        request.POST if request.method == "POST" and can_edit else None,
        lines=lines,
    )
    if request.method == "POST":
        if not can_edit:
            return HttpResponse(status=403)
        if form.is_valid():
            notification_draft_save(
                actor=acting_user(request),
                notification=notification,
                draft={**notification.draft, **form.cleaned_data},
            )
            messages.success(request, _("Draft saved."))
            return redirect(f"{request.path}?lang={language}")
    from incidents import documents

    return render(
        request,
        "incidents/notification_draft.html",
        {
            "incident": incident,
            "notification": notification,
            "form": form,
            "language": language,
            "can_edit": can_edit,
            "pdf_available": documents.pdf_available(),
        },
    )


@organisation_view(Permission.VIEW_INCIDENTS)
def notification_draft_print(request: HttpRequest, pk: int, nid: int) -> HttpResponse:
    from incidents import documents

    incident = _incident(request, pk)
    notification = get_object_or_404(Notification.objects.filter(incident=incident), pk=nid)
    notification.incident = incident
    return documents.render_draft_html(request, notification, _language(request))


@organisation_view(Permission.MANAGE_INCIDENTS)
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    try:
        campaign: DataSubjectCampaign | None = incident.campaign
    except DataSubjectCampaign.DoesNotExist:
        campaign = None
    initial = {}
    if campaign is None:
        initial = {
            "to_tell": incident.data_subjects_count or 0,
            "letter": campaign_letter_default(incident),
            "channel": "letter",
        }
    form = CampaignForm(request.POST or None, instance=campaign, initial=initial)
    if not incident.personal_data_breach:
        messages.error(request, _("Only a personal data breach has data subjects to tell."))
        return redirect("incident_detail", org_slug=incident.organisation.slug, pk=pk)
    if request.method == "POST" and form.is_valid():
        try:
            campaign_save(
                actor=acting_user(request),
                incident=incident,
                **{name: form.cleaned_data[name] for name in form.fields},
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("incident_detail", org_slug=incident.organisation.slug, pk=pk)
    return render(request, "incidents/campaign_form.html", {"incident": incident, "form": form})


@organisation_view(Permission.VIEW_INCIDENTS)
def campaign_letter(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    campaign = get_object_or_404(DataSubjectCampaign.objects.filter(incident=incident))
    return render(
        request, "incidents/campaign_letter.html", {"incident": incident, "campaign": campaign}
    )


@organisation_view(Permission.VIEW_INCIDENTS)
def breach_register(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    rows = breach_register_rows(Incident.objects.for_membership(membership))
    return render(request, "incidents/breach_register.html", {"rows": rows})


@organisation_view(Permission.VIEW_INCIDENTS)
def breach_register_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    membership = current_membership(request)
    rows = breach_register_rows(Incident.objects.for_membership(membership))
    slug = membership.organisation.slug
    if fmt == "xlsx":
        response = HttpResponse(
            breach_register_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="breach-register-{slug}.xlsx"'
        return response
    response = HttpResponse(breach_register_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="breach-register-{slug}.csv"'
    return response


@organisation_view(Permission.MANAGE_INCIDENTS)
@require_POST
def incident_lessons_view(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    if not current_membership(request).has_perm(Permission.EDIT_ACTIONS):
        raise PermissionDenied
    form = LessonsForm(request.POST)
    if not lessons.available():
        messages.error(request, _("Findings and actions are not available yet."))
        return redirect("incident_detail", org_slug=incident.organisation.slug, pk=pk)
    if form.is_valid():
        try:
            lessons.lessons_record(
                actor=acting_user(request), incident=incident, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, _("Lessons recorded: a finding and a remediation action were created.")
            )
            return redirect("incident_detail", org_slug=incident.organisation.slug, pk=pk)
    return _detail(request, incident, lessons_form=form)
