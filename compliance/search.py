"""Global search across an organisation's work: requirements, evidence, findings,
remediation actions, processing activities, risks and incidents.

One bounded query per kind (``LIMIT``), each through the member's scoping entry point
and gated by the permission that opens that kind's pages, so search never shows more
than the pages would. Matching is a case-insensitive substring on the fields a person
would type from (reference, title, name, description).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from compliance.models import Membership
from compliance.permissions import Permission

LIMIT = 10
MIN_LENGTH = 2


@dataclass
class Hit:
    title: str
    url: str
    detail: str = ""


@dataclass
class Group:
    label: Any  # a lazy translation, rendered in the reader's language
    hits: list[Hit] = field(default_factory=list)
    more: bool = False  # more than LIMIT matched


def _words(query: str, *fields: str) -> Q:
    """Every word must match one of ``fields``: "politique accès" finds "Politique de
    contrôle d'accès"."""
    condition = Q()
    for word in query.split():
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return condition


def _requirements(membership: Membership, query: str) -> Group:
    from controls.models import Requirement

    rows = list(
        Requirement.objects.filter(assessable=True)
        .filter(_words(query, "ref_id", "title_fr", "title_en"))
        .select_related("framework")
        .order_by("framework__code", "order")[: LIMIT + 1]
    )
    slug = membership.organisation.slug
    hits = []
    for requirement in rows[:LIMIT]:
        page = (
            reverse("soa", args=[slug])
            if requirement.framework.has_statement_of_applicability
            and requirement.kind == "control"
            else reverse("framework_detail", args=[slug, requirement.framework.code])
        )
        hits.append(
            Hit(
                title=f"{requirement.ref_id} {requirement.title}",
                url=f"{page}#req-{slugify(requirement.ref_id)}",
                detail=requirement.framework.name,
            )
        )
    return Group(_("Requirements"), hits, len(rows) > LIMIT)


def _scoped(
    label: Any,
    model_path: str,
    fields: tuple[str, ...],
    url_name: str,
    title: Callable[[Any], str],
    detail: Callable[[Any], str] = lambda row: "",
) -> Callable[[Membership, str], Group]:
    def search(membership: Membership, query: str) -> Group:
        from django.apps import apps

        model = apps.get_model(model_path)
        rows = list(
            model.objects.for_membership(membership)
            .filter(_words(query, *fields))
            .order_by("-pk")[: LIMIT + 1]
        )
        slug = membership.organisation.slug
        hits = [
            Hit(title(row), reverse(url_name, args=[slug, row.pk]), detail(row))
            for row in rows[:LIMIT]
        ]
        return Group(label, hits, len(rows) > LIMIT)

    return search


# (permission, search) in the order results are shown.
SEARCHES: list[tuple[str, Callable[[Membership, str], Group]]] = [
    (Permission.VIEW_COMPLIANCE, _requirements),
    (
        Permission.VIEW_EVIDENCE,
        _scoped(
            _("Evidence"),
            "evidence.Evidence",
            ("title", "description"),
            "evidence_detail",
            lambda e: e.title,
        ),
    ),
    (
        Permission.VIEW_AUDITS,
        _scoped(
            _("Findings"),
            "audits.Finding",
            ("title", "description", "root_cause"),
            "audits:finding_detail",
            lambda f: str(f),
            lambda f: f.get_severity_display(),
        ),
    ),
    (
        Permission.VIEW_REMEDIATION,
        _scoped(
            _("Remediation actions"),
            "audits.RemediationAction",
            ("title", "description"),
            "audits:action_edit",
            lambda a: a.title,
            lambda a: a.get_status_display(),
        ),
    ),
    (
        Permission.VIEW_REGISTER,
        _scoped(
            _("Processing activities"),
            "privacy.ProcessingActivity",
            ("reference", "name", "purposes"),
            "register_processing",
            lambda p: f"{p.reference} {p.name}",
        ),
    ),
    (
        Permission.VIEW_RISKS,
        _scoped(
            _("Risks"),
            "risks.Risk",
            ("title", "description"),
            "risk_detail",
            lambda r: str(r),
        ),
    ),
    (
        Permission.VIEW_INCIDENTS,
        _scoped(
            _("Incidents"),
            "incidents.Incident",
            ("title", "description"),
            "incident_detail",
            lambda i: i.title,
        ),
    ),
]


def search(membership: Membership, query: str) -> list[Group]:
    """The groups the member may see that have hits, in display order."""
    query = " ".join(query.split())[:200]
    if len(query) < MIN_LENGTH:
        return []
    groups = []
    for permission, run in SEARCHES:
        if membership.has_perm(permission):
            group = run(membership, query)
            if group.hits:
                groups.append(group)
    return groups
