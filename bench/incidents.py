"""Incident benchmarks (called by `make bench`):

- ``owed_notifications`` (the rule table) per incident;
- the incident list page and ``GET /api/v1/incidents/`` with BENCH_INCIDENTS incidents
  (about six notifications each): median time and query count;
- ``running_clocks`` for the dashboard;
- one beat run of the reminders over every pending notification, then a second run that
  must send nothing.

Run alone: ``.venv/bin/python -m bench.incidents`` (throwaway test database).
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

BENCH_INCIDENTS = int(os.environ.get("BENCH_INCIDENTS", "300"))
RUNS = int(os.environ.get("BENCH_RUNS", "7"))


def _median_ms(action: Any, runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def bench_incidents(organisation: Any, actor: Any) -> None:
    from django.core import mail
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from compliance.choices import Nis2Classification, Role
    from compliance.models import Membership, User
    from compliance.services.api_keys import api_key_create
    from compliance.services.organisations import membership_create
    from incidents.reminders import reminders_send
    from incidents.rules import Facts, owed_notifications
    from incidents.selectors import running_clocks
    from incidents.services import incident_create

    organisation.nis2_classification = Nis2Classification.ESSENTIAL
    organisation.save(update_fields=["nis2_classification"])
    aware = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
    facts = Facts(
        nis2_classification="essential",
        nis2_significant=True,
        personal_data_breach=True,
        high_risk=True,
        health_establishment_serious=True,
        nis2_aware_at=aware,
        gdpr_aware_at=aware,
        health_aware_at=aware,
    )
    started = time.perf_counter()
    for _ in range(10_000):
        owed_notifications(facts)
    per_call_us = (time.perf_counter() - started) / 10_000 * 1e6
    print(f"incidents rule table: {per_call_us:.1f} µs per incident (6 notifications)")

    now = timezone.now()
    started = time.perf_counter()
    for index in range(BENCH_INCIDENTS):
        incident_create(
            actor=actor,
            organisation=organisation,
            title=f"Incident {index}",
            aware_at=now - timedelta(hours=index % 100),
            nis2_significant=True,
            personal_data_breach=True,
            high_risk=True,
            health_establishment_serious=True,
        )
    print(
        f"incident_create: {(time.perf_counter() - started) / BENCH_INCIDENTS * 1000:.1f} ms "
        f"each ({BENCH_INCIDENTS} incidents, audited, notifications derived)"
    )

    manager = User.objects.filter(email="manager@bench.example").first() or (
        User.objects.create_user(email="manager@bench.example")
    )
    if not Membership.objects.filter(user=manager, organisation=organisation).exists():
        membership_create(actor=actor, organisation=organisation, user=manager, role=Role.MANAGER)
    browser = Client()
    browser.force_login(manager)
    issued = api_key_create(
        actor=actor, organisation=organisation, name="bench-inc", scopes=["read"]
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
    for label, client, url in (
        (
            f"incident list page ({BENCH_INCIDENTS} incidents)",
            browser,
            f"/o/{organisation.slug}/incidents/",
        ),
        ("API /incidents/?page_size=100", api, "/api/v1/incidents/?page_size=100"),
    ):

        def fetch(client: Client = client, url: str = url) -> None:
            assert client.get(url).status_code == 200

        fetch()
        count = [0]

        def counter(
            execute: Any, sql: str, params: Any, many: bool, context: Any, count: list[int] = count
        ) -> Any:
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            fetch()
        print(f"{label}: median {_median_ms(fetch):.1f} ms, {count[0]} queries")

    timing = _median_ms(lambda: running_clocks(organisation))
    print(f"running_clocks: median {timing:.1f} ms for {len(running_clocks(organisation))} clocks")

    mail.outbox = []
    started = time.perf_counter()
    sent = reminders_send()
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = reminders_send()
    second = time.perf_counter() - started
    print(
        f"reminders: first beat run {first * 1000:.0f} ms ({sent} e-mails), "
        f"second run {second * 1000:.0f} ms ({again} e-mails)"
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from compliance.services.audit_trail import SystemActor
    from compliance.services.organisations import organisation_create

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        actor = SystemActor("bench")
        organisation = organisation_create(
            actor=actor, name="Bench", slug="bench", kind="health_establishment"
        )
        print(f"database: {connection.vendor}")
        bench_incidents(organisation, actor)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
