"""Audits benchmark (called by `make bench` after the catalogues are loaded): a 93-check
Annex A audit with every result recorded through the service, N remediation actions
(``BENCH_ACTIONS``, default 1,000), then the checklist, the plan, the portfolio and the
API lists (their query counts are pinned by tests/audits)."""

from __future__ import annotations

import datetime
import os
import statistics
import time
from collections.abc import Callable

from compliance.models import Organisation
from compliance.services.audit_trail import SystemActor

ACTIONS = int(os.environ.get("BENCH_ACTIONS", "1000"))
RUNS = int(os.environ.get("BENCH_RUNS", "7"))


def _median_ms(action: Callable[[], object], runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def bench_audits(organisation: Organisation, actor: SystemActor) -> None:
    from django.test import Client

    from audits.choices import CheckResult
    from audits.models import Finding, RemediationAction
    from audits.services import audit_create, check_record
    from compliance.choices import Role
    from compliance.models import User
    from compliance.services.api_keys import api_key_create
    from compliance.services.organisations import membership_create
    from controls.models import Theme

    lead = User.objects.create_user(email="lead@bench-audits.example")
    membership_create(actor=actor, organisation=organisation, user=lead, role=Role.LEAD_AUDITOR)
    themes = Theme.objects.filter(
        framework__code="iso27001-2022",
        code__in=["organizational", "people", "physical", "technological"],
    )
    started = time.perf_counter()
    audit = audit_create(
        actor=lead, organisation=organisation, title="Bench", themes=themes, lead_auditor=lead
    )
    created_ms = (time.perf_counter() - started) * 1000
    results = CheckResult.values
    started = time.perf_counter()
    for index, check in enumerate(audit.checks.select_related("audit", "requirement")):
        check_record(actor=lead, check=check, result=results[index % len(results)], notes="n")
    recorded = time.perf_counter() - started
    print(
        f"audit_create with 93 checks: {created_ms:.0f} ms; 93 check_record (with findings): "
        f"{recorded * 1000 / 93:.1f} ms each"
    )
    finding = Finding.objects.filter(organisation=organisation).first()
    assert finding is not None
    today = datetime.date.today()
    RemediationAction.objects.bulk_create(
        RemediationAction(
            organisation=organisation,
            finding=finding,
            title=f"Action {index}",
            owner=lead,
            priority="high",
            due_date=today + datetime.timedelta(days=index % 200 - 60),
            status=["open", "in_progress", "done"][index % 3],
        )
        for index in range(ACTIONS)
    )
    browser = Client()
    browser.force_login(lead)
    api = Client(
        HTTP_AUTHORIZATION="Bearer "
        + api_key_create(
            actor=actor, organisation=organisation, name="bench-audits", scopes=["read"]
        ).raw_key
    )
    slug = organisation.slug
    for label, client, url in (
        ("checklist (93 checks)", browser, f"/o/{slug}/audits/{audit.pk}/checklist/"),
        (f"plan ({ACTIONS:,} actions)", browser, f"/o/{slug}/plan/"),
        ("portfolio", browser, "/audits/portfolio/"),
        ("API audit-checks (page of 100)", api, "/api/v1/audit-checks/?page_size=100"),
        (
            "API remediation-actions (page of 100)",
            api,
            "/api/v1/remediation-actions/?page_size=100",
        ),
    ):

        def fetch(client: Client = client, url: str = url) -> None:
            assert client.get(url).status_code == 200

        print(f"{label}: median {_median_ms(fetch):.1f} ms over {RUNS} runs")
