"""Reads for the risk pages, exports and API, with fixed query counts. Callers pass
querysets already scoped to one organisation (``Risk.objects.for_membership(m)``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from risks.choices import ControlRole
from risks.models import Risk, RiskControl, RiskMethod
from risks.models.method import Level


def risk_rows(risks: QuerySet[Risk]) -> QuerySet[Risk]:
    """Risks with everything the register shows: three queries whatever the number of
    rows (risks with owner, acceptor and methodology; their assets; their controls and
    the controls' frameworks, which the API names them by)."""
    return risks.select_related("owner", "accepted_by", "method").prefetch_related(
        "assets",
        Prefetch(
            "control_links",
            queryset=RiskControl.objects.select_related("requirement__framework").order_by(
                "requirement__framework_id", "requirement__order"
            ),
        ),
    )


def controls_of(risk: Risk, role: str) -> list[Any]:
    """The risk's existing or planned controls, from the prefetched links."""
    return [link.requirement for link in risk.control_links.all() if link.role == role]


def existing_controls(risk: Risk) -> list[Any]:
    return controls_of(risk, ControlRole.EXISTING)


def planned_controls(risk: Risk) -> list[Any]:
    return controls_of(risk, ControlRole.PLANNED)


@dataclass
class HeatCell:
    level: Level
    risks: list[Risk] = field(default_factory=list)


@dataclass
class HeatMap:
    """One matrix of the methodology with the risks placed in it at one stage."""

    method: RiskMethod
    stage: str
    rows: list[list[HeatCell]]
    unassessed: list[Risk]

    @property
    def placed(self) -> int:
        return sum(len(cell.risks) for row in self.rows for cell in row)


def heat_map(method: RiskMethod, risks: list[Risk], stage: str) -> HeatMap:
    """Place each risk assessed under ``method`` at its ``stage`` level (current or
    residual). Risks without that level are listed apart; risks assessed under another
    methodology version are not placed (their scales may differ)."""
    cells: dict[tuple[int, int], list[Risk]] = defaultdict(list)
    unassessed = []
    for risk in risks:
        if risk.method_id != method.pk:
            continue
        level = getattr(risk, f"{stage}_level")
        if level is None:
            unassessed.append(risk)
        else:
            cells[(level.likelihood, level.impact)].append(risk)
    rows = [
        [HeatCell(level, cells.get((level.likelihood, level.impact), [])) for level in row]
        for row in method.matrix()
    ]
    return HeatMap(method, stage, rows, unassessed)


CELL = 64
LEFT = 170
TOP = 12
BOTTOM = 96


@dataclass
class SvgCell:
    x: int
    y: int
    cell: HeatCell

    @property
    def count(self) -> int:
        return len(self.cell.risks)

    @property
    def references(self) -> str:
        return ", ".join(risk.reference for risk in self.cell.risks)


@dataclass
class SvgLabel:
    x: int
    y: int
    text: str


@dataclass
class SvgLayout:
    width: int
    height: int
    cell: int
    cells: list[SvgCell]
    row_labels: list[SvgLabel]
    column_labels: list[SvgLabel]
    axis_x: SvgLabel
    axis_y: SvgLabel


def heat_map_layout(heat: HeatMap, likelihood: str, impact: str) -> SvgLayout:
    """Coordinates of the heat map's SVG, computed here so the template only writes them
    out (all text goes through the template's escaping)."""
    columns = heat.method.impact_size
    rows = heat.method.likelihood_size
    cells = [
        SvgCell(LEFT + c * CELL, TOP + r * CELL, cell)
        for r, row in enumerate(heat.rows)
        for c, cell in enumerate(row)
    ]
    row_labels = [
        SvgLabel(LEFT - 8, TOP + r * CELL + CELL // 2 + 4, f"{row[0].level.likelihood_label}")
        for r, row in enumerate(heat.rows)
    ]
    column_labels = [
        SvgLabel(LEFT + c * CELL + CELL // 2, TOP + rows * CELL + 16, cell.level.impact_label)
        for c, cell in enumerate(heat.rows[0])
    ]
    width = LEFT + columns * CELL + 12
    height = TOP + rows * CELL + BOTTOM // 2 + 8
    return SvgLayout(
        width=width,
        height=height,
        cell=CELL,
        cells=cells,
        row_labels=row_labels,
        column_labels=column_labels,
        axis_x=SvgLabel(LEFT + columns * CELL // 2, height - 6, impact),
        axis_y=SvgLabel(12, TOP + rows * CELL // 2, likelihood),
    )


def with_treated_risks(soa_rows: QuerySet[Any]) -> QuerySet[Any]:
    """SoA lines annotated with ``treated_risks``, the number of the organisation's risks
    that name the control (existing or planned): a subquery of the same SELECT, so the
    SoA page keeps its query count."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    counts = (
        RiskControl.objects.filter(
            risk__organisation=OuterRef("organisation"), requirement=OuterRef("requirement")
        )
        .values("requirement")
        .annotate(n=Count("risk", distinct=True))
        .values("n")
    )
    return soa_rows.annotate(
        treated_risks=Coalesce(Subquery(counts, output_field=IntegerField()), 0)
    )
