"""Reads for the SoA and status pages and the API, with fixed query counts.

Callers pass SoA-line and status querysets already scoped to one organisation
(``Applicability.objects.for_membership(m)`` or ``.for_api_key(k)``): the selectors
never decide whose data they read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.http import Http404

from compliance.models import ApiKey, Membership
from controls.choices import STATUS_SCORE, ImplementationStatus, RequirementKind
from controls.models import Applicability, ControlStatus, Framework, Requirement


def framework_by_code(code: str, version: str | None = None) -> Framework:
    """A loaded framework; without ``version``, the one loaded last (ids grow with each
    load, so "10" is not mistaken for older than "9" as a string sort would)."""
    frameworks = Framework.objects.filter(code=code)
    if version:
        frameworks = frameworks.filter(version=version)
    framework = frameworks.order_by("-pk").first()
    if framework is None:
        raise Http404
    return framework


def soa_framework() -> Framework | None:
    """The framework whose Annex A controls form the SoA: Egide's own catalogue first (a
    copy imported under another version does not take its place), the latest loaded."""
    return (
        Framework.objects.filter(has_statement_of_applicability=True)
        .order_by(
            Case(
                When(origin="egide", then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
            "-pk",
        )
        .first()
    )


@dataclass(frozen=True)
class ScopedRows:
    """One organisation's SoA lines and statuses, as scoped querysets."""

    soa_rows: QuerySet[Applicability]
    status_rows: QuerySet[ControlStatus]

    @classmethod
    def for_membership(cls, membership: Membership) -> ScopedRows:
        return cls(
            Applicability.objects.for_membership(membership),
            ControlStatus.objects.for_membership(membership),
        )

    @classmethod
    def for_api_key(cls, api_key: ApiKey) -> ScopedRows:
        return cls(
            Applicability.objects.for_api_key(api_key),
            ControlStatus.objects.for_api_key(api_key),
        )


def _with_rows(
    requirements: QuerySet[Requirement], rows: ScopedRows, *, with_attributes: bool = True
) -> QuerySet[Requirement]:
    # Risks treated per SoA line (``treated_risks``), counted inside the SoA-line query.
    from risks.selectors import with_treated_risks

    related = ("owner", "suggested_from__framework")
    if with_attributes:
        attributes: list[Prefetch[Any]] = [
            Prefetch("attribute_values", to_attr="prefetched_attributes")
        ]
    else:
        # Decoding every control's and framework's JSON attributes was the largest cost
        # of the API's SoA list, which does not show them.
        requirements = requirements.defer("attributes", "framework__attribute_families")
        attributes = []
    return (
        requirements.select_related("theme", "framework")
        .prefetch_related(
            *attributes,
            Prefetch(
                "applicability_rows",
                queryset=with_treated_risks(rows.soa_rows.select_related(*related)),
                to_attr="soa_rows",
            ),
            Prefetch(
                "controlstatus_rows",
                queryset=rows.status_rows.select_related(*related),
                to_attr="status_rows",
            ),
        )
        .order_by("framework_id", "order")
    )


def soa_lines(
    framework: Framework, rows: ScopedRows, *, with_attributes: bool = True
) -> QuerySet[Requirement]:
    """The Annex A controls with the organisation's SoA line: four queries in all
    (controls with theme and framework, attribute values, SoA lines, statuses); three
    and no attribute columns ``with_attributes=False``."""
    return _with_rows(
        Requirement.objects.soa_controls().filter(framework=framework),
        rows,
        with_attributes=with_attributes,
    )


def status_lines(framework: Framework, rows: ScopedRows) -> QuerySet[Requirement]:
    """Every other assessable requirement of a framework (clauses 4-10 for ISO 27001,
    all of NIS2, GDPR, ...) with the organisation's status."""
    requirements = Requirement.objects.filter(framework=framework, assessable=True)
    if framework.has_statement_of_applicability:
        requirements = requirements.exclude(kind=RequirementKind.CONTROL)
    return _with_rows(requirements, rows)


def scored_requirements(rows: ScopedRows) -> QuerySet[Requirement]:
    """All assessable requirements of every framework, for the scores of the framework
    list: the same four queries whatever the number of frameworks."""
    return _with_rows(Requirement.objects.filter(assessable=True), rows)


def row_of(requirement: Requirement) -> Any:
    """The organisation's SoA line or status of a requirement read through a selector.
    An Annex A control has an SoA line; any other requirement a status."""
    soa_rows = getattr(requirement, "soa_rows", None) or []
    status_rows = getattr(requirement, "status_rows", None) or []
    rows = soa_rows if is_soa_control(requirement) else status_rows
    return rows[0] if rows else None


def is_soa_control(requirement: Requirement) -> bool:
    return bool(
        requirement.framework.has_statement_of_applicability
        and requirement.kind == RequirementKind.CONTROL
    )


APPLICABILITY_FILTER = {"yes": True, "no": False, "undecided": None}


def filter_requirements(
    requirements: Iterable[Requirement], *, theme: str = "", status: str = "", applicable: str = ""
) -> list[Requirement]:
    """The page filters (theme, status, applicability), applied to requirements whose
    rows are already loaded, so filtering costs no query."""
    kept = []
    for requirement in requirements:
        row = row_of(requirement)
        if theme and (requirement.theme is None or requirement.theme.code != theme):
            continue
        if status and (row.status if row else ImplementationStatus.NOT_STARTED) != status:
            continue
        if (
            applicable in APPLICABILITY_FILTER
            and getattr(row, "applicable", None) != APPLICABILITY_FILTER[applicable]
        ):
            continue
        kept.append(requirement)
    return kept


@dataclass
class Score:
    label: str
    counted: int = 0
    points: float = 0.0
    by_status: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def percent(self) -> int | None:
        return round(100 * self.points / self.counted) if self.counted else None

    def add(self, status: str) -> None:
        self.counted += 1
        self.points += STATUS_SCORE[ImplementationStatus(status)]
        self.by_status[status] += 1


@dataclass
class Scores:
    overall: Score
    by_theme: list[Score]
    by_attribute: list[Score]


def _attribute_labels(requirement: Requirement) -> list[str]:
    """Multi-valued attributes (27002 families) and yes/no ones (``new_in_2022``)."""
    labels = [f"{a.family}:{a.value}" for a in getattr(requirement, "prefetched_attributes", [])]
    labels += [key for key, value in requirement.attributes.items() if value is True]
    return labels


def compliance_scores(requirements: Iterable[Requirement]) -> Scores:
    """Score = (implemented + ½ partial) / requirements counted. An SoA control counts
    when it is applicable or not yet decided; an excluded control does not count."""
    overall = Score("overall")
    themes: dict[str, Score] = {}
    attributes: dict[str, Score] = {}
    for requirement in requirements:
        row = row_of(requirement)
        if row is not None and getattr(row, "applicable", None) is False:
            continue
        status = row.status if row is not None else ImplementationStatus.NOT_STARTED
        overall.add(status)
        theme_label = requirement.theme.name if requirement.theme else "—"
        themes.setdefault(theme_label, Score(theme_label)).add(status)
        for label in _attribute_labels(requirement):
            attributes.setdefault(label, Score(label)).add(status)
    return Scores(
        overall, list(themes.values()), sorted(attributes.values(), key=lambda s: s.label)
    )


def scores_by_framework(requirements: Iterable[Requirement]) -> dict[int, Scores]:
    """Scores of each framework from ``scored_requirements``: SoA controls for a
    framework with a Statement of Applicability, every assessable requirement otherwise."""
    grouped: dict[int, list[Requirement]] = defaultdict(list)
    for requirement in requirements:
        grouped[requirement.framework_id].append(requirement)
    scores = {}
    for framework_id, members in grouped.items():
        soa = [r for r in members if is_soa_control(r)]
        scores[framework_id] = compliance_scores(soa or members)
    return scores


def soa_evidence_counts(
    organisation_id: int, requirement_ids: Iterable[int] | None = None
) -> dict[int, Any]:
    """Linked evidence per requirement of one organisation (``EvidenceCount``: valid,
    expired, compromised), in one query whatever the number of controls and links;
    ``requirement_ids`` limits it to those (one row re-rendered after a save)."""
    from evidence.selectors import evidence_counts

    return evidence_counts(organisation_id, requirement_ids)
