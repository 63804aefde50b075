"""The Statement of Applicability (ISO/IEC 27001:2022 6.1.3 d) of an issued version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.models import Organisation
from controls.choices import ImplementationStatus
from controls.models import SoaVersion, Theme
from controls.services.soa import lines_sha256
from reports.charts import StackedBars, stacked_bars
from reports.registry import BuildRequest, Built, ManifestItem

STATUS_COLOURS = {
    ImplementationStatus.IMPLEMENTED: "#4c9a63",
    ImplementationStatus.PARTIAL: "#e0b13a",
    ImplementationStatus.PLANNED: "#7ea6d8",
    ImplementationStatus.NOT_STARTED: "#c9d2dc",
}


@dataclass
class SoaSection:
    """The SoA as the PDF shows it: themed lines with translated labels and a chart."""

    version: SoaVersion
    themes: list[tuple[str, list[dict[str, Any]]]]
    chart: StackedBars
    applicable: int
    excluded: int
    implemented: int
    total: int


def soa_section(version: SoaVersion, language: str) -> SoaSection:
    theme_names = {
        theme.code: (theme.name_fr if language == "fr" else theme.name_en)
        for theme in Theme.objects.filter(framework_id=version.framework_id)
    }
    labels = dict(ImplementationStatus.choices)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for line in version.lines:
        applicable = line.get("applicable")
        grouped.setdefault(line.get("theme") or "", []).append(
            {
                "ref_id": line["ref_id"],
                "title": line["title_fr"] if language == "fr" else line["title_en"],
                "applicable": applicable,
                "justification": (
                    line.get("inclusion_justification")
                    if applicable
                    else line.get("exclusion_justification")
                )
                or "",
                "status": line.get("status", ""),
                "status_label": labels.get(line.get("status", ""), line.get("status", "")),
                "owner": line.get("owner", ""),
            }
        )
    series = [(STATUS_COLOURS[status], labels[status]) for status in STATUS_COLOURS]
    rows = []
    themes = []
    for code, lines in grouped.items():
        name = theme_names.get(code, code or _("Other controls"))
        themes.append((name, lines))
        applicable_lines = [line for line in lines if line["applicable"]]
        rows.append(
            (
                name,
                [
                    sum(1 for line in applicable_lines if line["status"] == status)
                    for status in STATUS_COLOURS
                ],
            )
        )
    lines = version.lines
    return SoaSection(
        version=version,
        themes=themes,
        chart=stacked_bars(rows, series),
        applicable=sum(1 for line in lines if line.get("applicable")),
        excluded=sum(1 for line in lines if line.get("applicable") is False),
        implemented=sum(
            1
            for line in lines
            if line.get("applicable") and line.get("status") == ImplementationStatus.IMPLEMENTED
        ),
        total=len(lines),
    )


def soa_manifest_item(version: SoaVersion) -> ManifestItem:
    return {
        "type": "soa_version",
        "id": version.pk,
        "number": version.number,
        "sha256": version.sha256,
    }


def clean(organisation: Organisation, parameters: dict[str, Any]) -> dict[str, Any]:
    number = parameters.get("version")
    versions = SoaVersion.objects.filter(organisation=organisation)
    if number in (None, ""):
        latest = versions.order_by("-number").first()
        if latest is None:
            raise ValidationError(_("Issue the Statement of Applicability first."))
        number = latest.number
    try:
        number = int(number)
    except (TypeError, ValueError) as error:
        raise ValidationError(_("Choose an issued version of the SoA.")) from error
    if not versions.filter(number=number).exists():
        raise ValidationError(_("There is no issued version %(number)s.") % {"number": number})
    return {"version": number}


def build(request: BuildRequest) -> Built:
    version = SoaVersion.objects.select_related("framework").get(
        organisation=request.organisation, number=request.parameters["version"]
    )
    section = soa_section(version, request.language)
    framework = version.framework
    return Built(
        title=_("Statement of Applicability, version %(number)s") % {"number": version.number},
        subtitle=framework.name_fr if request.language == "fr" else framework.name_en,
        template="reports/pdf/soa.html",
        context={"soa": section, "framework": framework},
        manifest_items=[soa_manifest_item(version)],
    )


def check_soa_version(organisation: Organisation, item: ManifestItem) -> str | None:
    version = SoaVersion.objects.filter(
        organisation=organisation, pk=int(item.get("id") or 0)
    ).first()
    if version is None:
        return _("SoA version %(id)s no longer exists.") % {"id": item.get("id")}
    if version.sha256 != item.get("sha256") or lines_sha256(version.lines) != item.get("sha256"):
        return _("SoA version %(number)s does not match its recorded SHA-256.") % {
            "number": version.number
        }
    return None


LABEL = gettext_lazy("Statement of Applicability")
