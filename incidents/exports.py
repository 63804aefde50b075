"""The breach register (GDPR Art. 33(5)): every personal data breach, notified or not,
with its facts, effects and remedial action; as a page, CSV and XLSX."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.choices import Regime
from incidents.models import DataSubjectCampaign, Incident, IncidentQuerySet
from incidents.selectors import incidents_with_notifications


@dataclass(frozen=True)
class RegisterRow:
    incident: Incident
    cnil_due_at: datetime | None
    cnil_sent_at: datetime | None
    cnil_reference: str
    delay_reasons: str
    subjects_owed: bool
    campaign: DataSubjectCampaign | None

    @property
    def notified(self) -> bool:
        return self.cnil_sent_at is not None

    @property
    def cnil_overdue(self) -> bool:
        return (
            self.cnil_sent_at is None
            and self.cnil_due_at is not None
            and self.cnil_due_at < timezone.now()
        )


def breach_register_rows(incidents: IncidentQuerySet) -> list[RegisterRow]:
    """One row per breach, oldest awareness first (two queries)."""
    rows = []
    for incident in incidents_with_notifications(incidents.breaches()).order_by("aware_at", "id"):
        owed = {n.regime: n for n in incident.notifications.all()}
        cnil = owed.get(Regime.GDPR_AUTHORITY)
        try:
            campaign: DataSubjectCampaign | None = incident.campaign
        except DataSubjectCampaign.DoesNotExist:
            campaign = None
        rows.append(
            RegisterRow(
                incident=incident,
                cnil_due_at=cnil.due_at if cnil else None,
                cnil_sent_at=cnil.sent_at if cnil else None,
                cnil_reference=cnil.reference if cnil else "",
                delay_reasons=cnil.delay_reasons if cnil else "",
                subjects_owed=Regime.GDPR_DATA_SUBJECTS in owed,
                campaign=campaign,
            )
        )
    return rows


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _safe(value: object) -> object:
    # A cell starting with = + - @ is a formula in a spreadsheet: neutralise it.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _table(rows: list[RegisterRow]) -> tuple[list[str], list[list[object]]]:
    header = [
        _("Incident"),
        _("Became aware at"),
        _("Facts"),
        _("Categories of personal data"),
        _("Data subjects (approx.)"),
        _("Records (approx.)"),
        _("Effects"),
        _("Remedial action"),
        _("CNIL notification due"),
        _("Notified to the CNIL at"),
        _("CNIL reference"),
        _("Reasons for the delay"),
        _("Data subjects told"),
        _("Data subjects never told"),
    ]
    body: list[list[object]] = []
    for row in rows:
        i = row.incident
        body.append(
            [
                _safe(i.title),
                _when(i.aware_for("gdpr_aware_at")),
                _safe(i.description),
                _safe(i.data_categories),
                i.data_subjects_count if i.data_subjects_count is not None else "",
                i.records_count if i.records_count is not None else "",
                _safe(i.likely_consequences),
                _safe(i.measures_taken),
                _when(row.cnil_due_at) if row.cnil_due_at else _("not owed"),
                _when(row.cnil_sent_at),
                _safe(row.cnil_reference),
                _safe(row.delay_reasons),
                row.campaign.told if row.campaign else "",
                row.campaign.never_told if row.campaign else "",
            ]
        )
    return header, body


def breach_register_csv(rows: list[RegisterRow]) -> str:
    header, body = _table(rows)
    out = io.StringIO()
    out.write("\ufeff")  # so that spreadsheet software reads UTF-8 accents right
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue()


def breach_register_xlsx(rows: list[RegisterRow]) -> bytes:
    from openpyxl import Workbook

    header, body = _table(rows)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Breach register")[:31]
    sheet.append(header)
    for line in body:
        sheet.append(line)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
