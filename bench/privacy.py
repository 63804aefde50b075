"""Processing register benchmarks (called by `make bench`):

- creating N register lines through the service (each runs the 15 rules and stores its
  findings, audited);
- the register page and the API list with N lines: median time;
- an all-or-nothing CSV import of N lines, and an XLSX export of them.

Run alone: ``.venv/bin/python -m bench.privacy`` (throwaway databases only).
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

LINES = int(os.environ.get("BENCH_PRIVACY_LINES", "300"))
RUNS = int(os.environ.get("BENCH_RUNS", "7"))


def _median_ms(action: Any, runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def bench_privacy(actor: Any) -> None:
    from django.test import Client

    from compliance.choices import Role
    from compliance.models import User
    from compliance.services.api_keys import api_key_create
    from compliance.services.organisations import membership_create, organisation_create
    from privacy import services
    from privacy.interop import register_import, register_to_csv, register_to_xlsx
    from privacy.models import ProcessingActivity
    from privacy.selectors import register_queryset

    organisation = organisation_create(
        actor=actor, name="Bench register", slug="bench-register", kind="health_establishment"
    )
    host = services.processor_create(
        actor=actor,
        organisation=organisation,
        name="Host",
        hosts_data=True,
        hds_certificate_number="HDS-1",
    )
    started = time.perf_counter()
    for index in range(LINES):
        processing = services.processing_create(
            actor=actor,
            organisation=organisation,
            reference=f"B-{index:04d}",
            name=f"Traitement {index}",
            purposes="Soins",
            uses=["care", "statistics"][: 1 + index % 2],
            data_subject_categories="Patients",
            personal_data_categories="Santé",
            special_categories=["health"],
            legal_basis="c",
            article9_condition="h",
            retention="20 ans",
            security_measures="MFA",
            claims_anonymised=index % 5 == 0,
        )
        services.recipient_add(
            actor=actor, processing=processing, kind="processor", name="", processor=host
        )
    created = time.perf_counter() - started
    print(
        f"register: {LINES} lines created through the service (rules + findings + audit): "
        f"{created / LINES * 1000:.1f} ms per line"
    )

    user = User.objects.create_user(email="register-bench@bench.example")
    membership_create(actor=actor, organisation=organisation, user=user, role=Role.MANAGER)
    browser = Client()
    browser.force_login(user)
    key = api_key_create(actor=actor, organisation=organisation, name="b", scopes=["read"])
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
    for label, client, url in (
        ("register page", browser, f"/o/{organisation.slug}/register/"),
        (
            "API processing-activities (100 per page)",
            api,
            "/api/v1/processing-activities/?page_size=100",
        ),
    ):
        assert client.get(url).status_code == 200
        timing = _median_ms(lambda client=client, url=url: client.get(url))
        print(f"{label} with {LINES} lines: median {timing:.0f} ms (query count pinned by tests)")

    lines = list(register_queryset(ProcessingActivity.objects.filter(organisation=organisation)))
    started = time.perf_counter()
    xlsx = register_to_xlsx(lines, "fr", "bench")
    elapsed_ms = (time.perf_counter() - started) * 1000
    print(f"XLSX export of {LINES} lines: {elapsed_ms:.0f} ms, {len(xlsx) // 1024} KiB")
    data = register_to_csv(lines, "fr")
    target = organisation_create(
        actor=actor, name="Bench import", slug="bench-import", kind="practice"
    )
    started = time.perf_counter()
    register_import(actor=actor, organisation=target, data=data, filename="r.csv")
    print(f"CSV import of {LINES} lines (all or nothing): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from compliance.services.audit_trail import SystemActor

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        bench_privacy(SystemActor("bench"))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
