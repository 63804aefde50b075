"""Risk register benchmark (called by `make bench` after the catalogues are loaded):
N risks (``BENCH_RISKS``, default 500) with an asset and three controls each, then the
register page, the heat map, the treatment plan, the XLSX export, the SoA page (which
counts the risks each control treats) and the API list. Query counts are pinned by tests."""

from __future__ import annotations

import functools
import os
import statistics
import time
from collections.abc import Callable

from compliance.models import Organisation
from compliance.services.audit_trail import SystemActor

RISKS = int(os.environ.get("BENCH_RISKS", "500"))
RUNS = int(os.environ.get("BENCH_RUNS", "7"))


def _median_ms(action: Callable[[], object], runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def bench_risks(organisation: Organisation, actor: SystemActor) -> None:
    from django.test import Client

    from compliance.choices import Role
    from compliance.models import User
    from compliance.services.api_keys import api_key_create
    from compliance.services.organisations import membership_create
    from controls.models import Requirement
    from controls.selectors import soa_framework
    from risks.services.assets import asset_create
    from risks.services.risks import risk_create

    framework = soa_framework()
    controls = list(Requirement.objects.soa_controls().filter(framework=framework))
    started = time.perf_counter()
    for index in range(RISKS):
        asset = asset_create(
            actor=actor, organisation=organisation, name=f"Actif {index}", kind="system"
        )
        risk_create(
            actor=actor,
            organisation=organisation,
            title=f"Risque {index}",
            assets=[asset],
            existing_controls=[controls[index % len(controls)]],
            planned_controls=[controls[(index + 7) % len(controls)]],
            current_likelihood=1 + index % 4,
            current_impact=1 + (index // 4) % 4,
            residual_likelihood=1,
            residual_impact=1 + index % 4,
            treatment="reduce",
        )
    created = time.perf_counter() - started
    print(f"risks: {RISKS} risks created in {created:.1f} s ({RISKS / created:,.0f} risks/s)")

    user = User.objects.create_user(email="risk-bench@bench.example")
    membership_create(actor=actor, organisation=organisation, user=user, role=Role.MANAGER)
    browser = Client()
    browser.force_login(user)
    issued = api_key_create(actor=actor, organisation=organisation, name="risks", scopes=["read"])
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
    slug = organisation.slug
    for label, client, url in (
        ("register page", browser, f"/o/{slug}/risks/"),
        ("heat map page", browser, f"/o/{slug}/risks/heatmap/"),
        ("treatment plan page", browser, f"/o/{slug}/risks/treatment-plan/"),
        ("XLSX export", browser, f"/o/{slug}/risks/export/?format=xlsx"),
        ("SoA page", browser, f"/o/{slug}/soa/"),
        ("API list", api, "/api/v1/risks/?page_size=100"),
    ):
        assert client.get(url).status_code == 200, url
        timing = _median_ms(functools.partial(client.get, url), runs=3)
        print(f"risks {label} ({RISKS} risks): median {timing:.0f} ms")
