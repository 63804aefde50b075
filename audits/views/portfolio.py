"""The lead auditor's portfolio: audits across every organisation they work for."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audits.selectors import portfolio_audits, progress_percent


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    audits = list(portfolio_audits(request.user))
    for audit in audits:
        audit.percent = progress_percent(audit.checks_done, audit.checks_total)  # type: ignore[attr-defined]
    return render(request, "audits/portfolio.html", {"audits": audits})
