"""Dashboard and global search at scale (issue 9): ``seed_demo --scale large`` data.

Builds the large demo (50 organisations beside the demo ones) on the bench database, then
times the organisation dashboard server-side (test client, session login) for the demo
clinic and for one of the large organisations, and the global search. Target: dashboard
under 150 ms median, search under a second.
"""

from __future__ import annotations

import time
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from compliance.models import Membership, Organisation


def _client_for(slug: str) -> Client:
    membership = (
        Membership.objects.filter(organisation__slug=slug, role="manager")
        .select_related("user")
        .first()
    )
    assert membership is not None, slug
    client = Client()
    client.force_login(membership.user)
    return client


def run(median_ms: object) -> None:
    started = time.perf_counter()
    call_command("load_catalogues", stdout=StringIO())
    call_command("seed_demo", "--scale", "large", stdout=StringIO())
    print(
        f"seed_demo --scale large: {time.perf_counter() - started:.1f} s, "
        f"{Organisation.objects.count()} organisations"
    )
    for slug in ("clinique-des-lilas", "clinique-025"):
        client = _client_for(slug)
        client.get(f"/o/{slug}/")  # warm: session, first-visit bookkeeping
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/o/{slug}/")
        timing = median_ms(lambda c=client, s=slug: c.get(f"/o/{s}/"))  # type: ignore[operator]
        print(f"dashboard {slug:<20} {timing:7.1f} ms median, {len(queries)} queries")
        for query in ("politique", "A.5.15", "constat 01"):
            timing = median_ms(  # type: ignore[operator]
                lambda c=client, s=slug, q=query: c.get(f"/o/{s}/search/", {"q": q})
            )
            print(f"search {slug:<23} {query!r:<14} {timing:7.1f} ms median")
