"""`make bench`: timings of the foundation, on a throwaway test database.

Runs on SQLite by default, on PostgreSQL when DATABASE_URL is set. Prints medians of
several runs; numbers go in the issue notes, not in assertions (tests pin query counts).
"""

from __future__ import annotations

import functools
import os
import statistics
import time
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from compliance.models import Organisation  # noqa: E402
from compliance.services.audit_trail import SystemActor  # noqa: E402

EVENTS = int(os.environ.get("BENCH_EVENTS", "5000"))
RUNS = int(os.environ.get("BENCH_RUNS", "7"))


def median_ms(action: Callable[[], object], runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run() -> None:
    from django.test import Client

    from compliance.choices import Role
    from compliance.models import User
    from compliance.services.api_keys import api_key_create
    from compliance.services.audit_trail import SystemActor, audit_event_record, audit_trail_verify
    from compliance.services.organisations import membership_create, organisation_create

    actor = SystemActor("bench")
    organisation = organisation_create(
        actor=actor, name="Bench", slug="bench", kind="health_establishment"
    )
    for index in range(100):
        user = User.objects.create_user(email=f"member{index}@bench.example")
        membership_create(actor=actor, organisation=organisation, user=user, role=Role.VIEWER)

    started = time.perf_counter()
    for index in range(EVENTS):
        with transaction.atomic():
            audit_event_record(
                actor=actor,
                organisation=organisation,
                action="bench.write",
                changes={"n": [index, index + 1]},
            )
    append_seconds = time.perf_counter() - started

    verify_ms = median_ms(lambda: audit_trail_verify(organisation=organisation), runs=3)
    total_events = EVENTS + 101
    issued = api_key_create(actor=actor, organisation=organisation, name="bench", scopes=["read"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    print(f"database: {connection.vendor}")
    bench_catalogues_and_soa(organisation, actor)
    __import__("bench.evidence").evidence.bench_evidence(organisation, actor)
    __import__("bench.audits").audits.bench_audits(organisation, actor)
    __import__("bench.privacy").privacy.bench_privacy(actor)
    __import__("bench.incidents").incidents.bench_incidents(organisation, actor)
    __import__("bench.risks").risks.bench_risks(organisation, actor)
    __import__("bench.reports").reports.bench_reports()
    __import__("bench.anonymity").anonymity.bench_anonymity()
    __import__("bench.dashboard").dashboard.run(median_ms)
    print(
        f"audit_event_record: {EVENTS / append_seconds:,.0f} events/s "
        f"({EVENTS} events, one transaction each)"
    )
    print(
        f"verify_audit_trail: {verify_ms:,.0f} ms for {total_events:,} events "
        f"({total_events / verify_ms * 1000:,.0f} events/s)"
    )
    for url in (
        "/api/v1/organisation/",
        "/api/v1/members/?page_size=100",
        "/api/v1/audit-events/?page_size=100",
    ):
        timing = median_ms(functools.partial(get, url))
        print(f"GET {url}: median {timing:.1f} ms over {RUNS} runs")


def bench_catalogues_and_soa(organisation: Organisation, actor: SystemActor) -> None:
    """load_catalogues cold and warm, 2,000 status changes, then the SoA page and API."""
    import random

    from django.test import Client

    from compliance.choices import Role
    from compliance.models import Membership, User
    from compliance.services.api_keys import api_key_create
    from compliance.services.organisations import membership_create
    from controls.choices import ImplementationStatus
    from controls.models import Requirement
    from controls.services.catalogues import load_builtin_catalogues
    from controls.services.statuses import requirement_status_update

    started = time.perf_counter()
    load_builtin_catalogues(actor=actor)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    load_builtin_catalogues(actor=actor)
    warm = time.perf_counter() - started
    print(f"load_catalogues: {cold:.2f} s first run, {warm:.2f} s second run")

    assessable = list(Requirement.objects.filter(assessable=True).select_related("framework"))
    statuses = ImplementationStatus.values
    chooser = random.Random(7)
    started = time.perf_counter()
    for _ in range(2000):
        requirement_status_update(
            actor=actor,
            organisation=organisation,
            requirement=chooser.choice(assessable),
            status=chooser.choice(statuses),
        )
    print(f"2,000 status changes (with mapping suggestions): {time.perf_counter() - started:.1f} s")

    manager = User.objects.create_user(email="manager@bench.example")
    if not Membership.objects.filter(user=manager).exists():
        membership_create(actor=actor, organisation=organisation, user=manager, role=Role.MANAGER)
    browser = Client()
    browser.force_login(manager)
    issued = api_key_create(
        actor=actor, organisation=organisation, name="bench-soa", scopes=["read"]
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
    slug = organisation.slug
    for label, client, url in (
        ("SoA page", browser, f"/o/{slug}/soa/"),
        ("API /soa/", api, "/api/v1/soa/"),
        ("API nis2 statuses", api, "/api/v1/frameworks/nis2/statuses/"),
    ):

        def fetch(client: Client = client, url: str = url) -> None:
            assert client.get(url).status_code == 200

        print(f"{label}: median {median_ms(fetch):.1f} ms over {RUNS} runs")


if __name__ == "__main__":
    main()
