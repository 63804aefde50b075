from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from compliance.filters import AuditEventFilter
from compliance.models import AuditEvent
from compliance.permissions import Permission
from compliance.services.audit_trail import audit_trail_verify
from compliance.views.base import current_membership, organisation_view


@organisation_view(Permission.VIEW_AUDIT_TRAIL)
def audit_trail(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    events = AuditEvent.objects.for_membership(membership).select_related(
        "actor_user", "actor_api_key"
    )
    event_filter = AuditEventFilter(request.GET or None, queryset=events)
    page = Paginator(event_filter.qs, 50).get_page(request.GET.get("page"))
    report = None
    if request.GET.get("verify"):
        report = audit_trail_verify(organisation=membership.organisation)[0]
    return render(
        request,
        "compliance/audit_trail.html",
        {"page": page, "filter": event_filter, "report": report},
    )
