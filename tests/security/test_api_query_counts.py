"""Every paginated API list costs the same number of SQL queries for 1 item or for 100.

An HDS host pages through its customers' data by REST; a list that runs one query per
item is fine in a test with three rows and falls over under load (issue 10: "query
counts"). The operations are read from the committed OpenAPI schema, so a list added
later is covered the day it is documented; the data are the demo data (``seed_demo``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from compliance.choices import ApiKeyScope
from compliance.models import Organisation
from tests.demodata import CLINIC, demo
from tests.factories import issue_api_key

__all__ = ["demo"]  # the module-scoped demo data
pytestmark = pytest.mark.django_db  # each test in a savepoint over the module's demo data

SCHEMA = yaml.safe_load((Path(settings.BASE_DIR) / "docs" / "openapi.yaml").read_text())


def paginated_lists() -> list[str]:
    lists = []
    for path, operations in SCHEMA["paths"].items():
        get = operations.get("get")
        if "{" in path or get is None:
            continue
        names = {parameter.get("name") for parameter in get.get("parameters", [])}
        if "page_size" in names:
            lists.append(path)
    return sorted(lists)


def count_queries(client: Client, url: str, headers: dict[str, str]) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.content[:300])
    return len(captured), response.json()


@pytest.mark.parametrize("organisation_slug", [CLINIC])  # the host has too few rows
@pytest.mark.parametrize("path", paginated_lists())
def test_a_page_of_100_costs_the_queries_of_a_page_of_1(
    demo: None,
    organisation_slug: str,
    path: str,
) -> None:
    key = issue_api_key(Organisation.objects.get(slug=organisation_slug), [ApiKeyScope.READ])
    headers = {"Authorization": f"Bearer {key.raw_key}"}
    client = Client()
    client.get(path, headers=headers)  # warm the per-process caches (catalogues, rates)

    one, _ = count_queries(client, f"{path}?page_size=1", headers)
    hundred, full = count_queries(client, f"{path}?page_size=100", headers)

    rows = len(full["results"])  # the audit trail pages by cursor: no count
    if rows < 2:
        pytest.skip(f"{organisation_slug} has {rows} row(s) in {path}: nothing to compare")
    assert rows == min(full.get("count", rows), 100)
    assert hundred == one, f"{path}: {one} queries for 1 item, {hundred} for {rows}"
