"""Walk every URL of Egide, HTML and API, as another organisation and as every role.

Nothing here lists the URLs by hand: the walk reads the URL configuration, so a page or an
endpoint added later is covered the day it is mounted. The data are the demo data of
``seed_demo`` (Clinique des Lilas and HDS Exemple, every feature app's demo rows), loaded
once for the module and rolled back at the end.

What must hold (the permission table in docs/permissions.md):
- someone of HDS Exemple never reaches a Clinique des Lilas page (404), whatever the rest
  of the URL, by GET or POST;
- inside their own organisation, an id that belongs to the clinic is a 404 on every page
  and every API operation, reading or writing, and nothing of the clinic changes;
- no page or API list of HDS Exemple shows anything of the clinic, search included;
- a role without a page's permission gets a 403, a role with it never does.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from compliance.choices import ApiKeyScope, Role
from compliance.models import AuditEvent, Membership, Organisation, TenantQuerySet, User
from compliance.permissions import role_has_permission
from tests.demodata import CLINIC, HOST, demo
from tests.factories import issue_api_key
from tests.helpers import logged_in

__all__ = ["demo"]  # the module's fixture

# Routes whose id is a catalogue row shared by every organisation (a requirement), not a
# tenant row: the host may rightly act on requirement 4 for itself.
GLOBAL_ID_ROUTES = {
    "o/<slug:org_slug>/requirements/<int:pk>/",
    "o/<slug:org_slug>/requirements/<int:pk>/suggestion/",
}
CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")
# DRF routers write regex routes: ^audits/(?P<pk>[^/.]+)/$ is read as audits/<int:pk>/.
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
# Values for the non-numeric parts of a URL: real catalogue codes and references, so a page
# that needs them renders instead of answering 404 for a reason that proves nothing.
pytestmark = pytest.mark.django_db  # each test in a savepoint over the module's demo data

PROJECT_APPS = {
    "compliance",
    "controls",
    "evidence",
    "audits",
    "reports",
    "privacy",
    "incidents",
    "risks",
    "anonymity",
}
# Reference data every organisation sees (catalogue guidance, starter libraries): a
# clinic row named after it is no marker.
REFERENCE_FILES = [
    *Path(settings.BASE_DIR).glob("controls/catalogues/**/*.yaml"),
    *Path(settings.BASE_DIR).glob("risks/library*.py"),
]
TEXT_VALUES = {"code": "iso27001-2022", "ref_id": "A.5.1", "number": "1", "token": "x"}


@dataclass(frozen=True)
class Route:
    template: str  # e.g. "o/<slug:org_slug>/evidence/<int:pk>/"
    view: Any

    @property
    def int_params(self) -> list[str]:
        return [m["name"] for m in CONVERTER.finditer(self.template) if m["kind"] == "int"]

    @property
    def under_organisation(self) -> bool:
        return self.template.startswith("o/<slug:org_slug>/")

    @property
    def is_api(self) -> bool:
        return self.template.startswith("api/v1/")

    def url(self, slug: str, ints: dict[str, int] | None = None) -> str:
        def fill(match: re.Match[str]) -> str:
            kind, name = match["kind"], match["name"]
            if name == "org_slug":
                return slug
            if kind == "int":
                return str((ints or {}).get(name, 1))
            if kind == "uuid":
                return str(uuid.uuid4())
            return TEXT_VALUES.get(name, "x")

        return "/" + CONVERTER.sub(fill, self.template)


def walk(patterns: list[Any], prefix: str = "") -> Iterator[Route]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            if "(?P<format>" in route or route.startswith("^"):
                continue  # DRF's format-suffix twins: same view, same checks
            route = REGEX_GROUP.sub(lambda m: f"<int:{m['name']}>", route)
            yield Route(route.replace("^", "").replace("$", ""), entry.callback)


ROUTES = sorted(set(walk(get_resolver().url_patterns)), key=lambda r: r.template)
ORG_ROUTES = [r for r in ROUTES if r.under_organisation]
API_ROUTES = [
    r for r in ROUTES if r.is_api and "schema" not in r.template and "docs" not in r.template
]
LIST_ROUTES = [r for r in ORG_ROUTES + API_ROUTES if not r.int_params]
ID_ROUTES = [
    r for r in ORG_ROUTES + API_ROUTES if r.int_params and r.template not in GLOBAL_ID_ROUTES
]


def organisation(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def member_of(slug: str, role: str) -> User:
    return Membership.objects.filter(organisation__slug=slug, role=role).first().user  # type: ignore[union-attr]


def host_manager_client() -> Client:
    """A manager of HDS Exemple only: every permission there, none at the clinic."""
    user = member_of(HOST, Role.MANAGER)
    assert not Membership.objects.filter(user=user, organisation__slug=CLINIC).exists()
    return logged_in(user)


def host_api_headers() -> dict[str, str]:
    key = issue_api_key(organisation(HOST), [ApiKeyScope.READ, ApiKeyScope.WRITE])
    return {"Authorization": f"Bearer {key.raw_key}"}


def tenant_models() -> list[tuple[type[Any], str]]:
    """Every model whose default manager scopes by organisation, with its lookup path."""
    found = []
    for model in apps.get_models():
        queryset = model._default_manager.all()
        if isinstance(queryset, TenantQuerySet):
            found.append((model, queryset.tenant_path))
    return found


def clinic_only_ids(per_model: int = 1) -> list[int]:
    """Ids of clinic rows that are not the id of any row of the host, in any tenant model:
    asking the host's pages for one of them can only succeed by leaking the clinic's row."""
    host_ids: set[int] = set()
    clinic_ids: list[int] = []
    for model, path in tenant_models():
        host_ids.update(
            model._default_manager.filter(**{path + "__slug": HOST}).values_list("pk", flat=True)
        )
    for model, path in tenant_models():
        ids = model._default_manager.filter(**{path + "__slug": CLINIC}).values_list(
            "pk", flat=True
        )
        clinic_ids.extend([i for i in ids if i not in host_ids][:per_model])
    return sorted(set(clinic_ids))


def test_the_walk_sees_the_feature_apps(demo: None) -> None:
    """Guards the walk itself: if it found nothing, every test below would pass."""
    assert len(ORG_ROUTES) > 30
    assert len(API_ROUTES) > 10
    assert len(clinic_only_ids()) >= 5  # one id per tenant model


@pytest.mark.parametrize("route", ORG_ROUTES, ids=lambda r: r.template)
def test_another_organisation_never_opens_a_clinic_page(demo: None, route: Route) -> None:
    client = host_manager_client()
    url = route.url(CLINIC)

    assert client.get(url).status_code in (404, 405), url  # 405: a POST-only URL
    assert client.post(url, {}).status_code == 404, url


@pytest.mark.parametrize("route", ID_ROUTES, ids=lambda r: r.template)
def test_a_clinic_id_is_a_404_from_the_host(demo: None, route: Route) -> None:
    clinic = organisation(CLINIC)
    events_before = AuditEvent.objects.filter(organisation=clinic).count()
    client = host_manager_client()
    headers = host_api_headers() if route.is_api else {}
    leaks = []
    for pk in clinic_only_ids():
        url = route.url(HOST, dict.fromkeys(route.int_params, pk))
        for method in ("get", "post", "patch", "delete") if route.is_api else ("get", "post"):
            response = getattr(client, method)(url, headers=headers)
            if response.status_code not in (404, 405):
                leaks.append(f"{method.upper()} {url} -> {response.status_code}")

    assert not leaks, "\n".join(leaks[:20])
    assert AuditEvent.objects.filter(organisation=clinic).count() == events_before


def clinic_markers() -> list[str]:
    """Text only the clinic's data holds: the name of each of its rows that no row of the
    host and no shared row (catalogues, starter libraries) has, long enough to be
    specific. (The clinic's own name is no marker: the host's processor register rightly
    names the clinic as its customer.)"""
    names: dict[str, set[str]] = {CLINIC: set(), HOST: set()}
    tenant = tenant_models()
    for model, path in tenant:
        for slug in names:
            for row in model._default_manager.filter(**{path + "__slug": slug})[:50]:
                names[slug].add(str(row).strip().lower())
    shared: set[str] = set()
    tenant_classes = {model for model, _path in tenant}
    for model in apps.get_models():
        if model not in tenant_classes and model._meta.app_label in PROJECT_APPS:
            shared.update(str(row).strip().lower() for row in model._default_manager.all()[:3000])
    reference_text = "\n".join(path.read_text(encoding="utf-8").lower() for path in REFERENCE_FILES)
    return sorted(
        name
        for name in names[CLINIC] - names[HOST] - shared
        if len(name) >= 15 and name not in reference_text
    )


@pytest.mark.parametrize("route", LIST_ROUTES, ids=lambda r: r.template)
def test_no_host_page_or_list_shows_anything_of_the_clinic(demo: None, route: Route) -> None:
    client = host_manager_client()
    headers = host_api_headers() if route.is_api else {}
    markers = clinic_markers()
    for query in ("", "?q=a", "?search=a", "?page_size=1000", "?format=csv"):
        response = client.get(route.url(HOST) + query, headers=headers)
        if response.status_code != 200:
            continue
        body = b"".join(response) if response.streaming else response.content
        text = html.unescape(body.decode("utf-8", "replace")).lower()
        found = [marker for marker in markers if marker in text]
        assert not found, f"{route.url(HOST)}{query} shows {found[:5]}"


GUARDED = [r for r in ORG_ROUTES if hasattr(r.view, "required_permission")]


@pytest.mark.parametrize("route", GUARDED, ids=lambda r: r.template)
@pytest.mark.parametrize("role", list(Role))
def test_roles_get_what_the_permission_table_says(demo: None, route: Route, role: str) -> None:
    client = logged_in(member_of(CLINIC, role))
    permission = route.view.required_permission
    url = route.url(CLINIC)
    status = client.get(url).status_code

    if role_has_permission(role, permission):
        assert status != 403, f"{role} may {permission} but GET {url} got 403"
    else:
        # A POST-only page answers 405 to a GET before looking at anything; the POST
        # itself must be refused.
        assert status in (403, 405), f"{role} may not {permission} but GET {url} got {status}"
        post = client.post(url, {}).status_code
        assert post == 403, f"{role} may not {permission} but POST {url} got {post}"
