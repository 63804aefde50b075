"""Draft documents of each notification: the fields the rules ask for at that stage,
pre-filled from the incident, editable, rendered in French or English.

Contents per stage: NIS2 Art. 23(4)(a)-(e) (BRIEF §2.4), GDPR Art. 33(3) and 34(2)
(BRIEF §3), CSP L.1111-8-2 and D.1111-16-2 (BRIEF §6).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from incidents.choices import Regime
from incidents.models import Incident, Notification


def _yes_no(value: bool | None) -> str:
    if value is None:
        return gettext("Not known yet")
    return gettext("Yes") if value else gettext("No")


def _number(value: int | None) -> str:
    return (
        formats.number_format(value, force_grouping=True)
        if value is not None
        else gettext("unknown")
    )


def _breach_nature(incident: Incident) -> str:
    lines = [incident.description.strip()] if incident.description.strip() else []
    lines.append(
        gettext("Categories of personal data: %s")
        % (incident.data_categories or gettext("unknown"))
    )
    lines.append(
        gettext("Approximate number of data subjects: %s") % _number(incident.data_subjects_count)
    )
    lines.append(gettext("Approximate number of records: %s") % _number(incident.records_count))
    return "\n".join(lines)


def _assessment(incident: Incident) -> str:
    parts = [incident.likely_consequences.strip()]
    if incident.affected_systems.strip():
        parts.append(gettext("Affected systems: %s") % incident.affected_systems.strip())
    return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class DraftField:
    code: str
    label: Promise
    prefill: Callable[[Incident, Notification], str]


F = DraftField
FIELDS: dict[str, DraftField] = {
    f.code: f
    for f in (
        F("nature", _("Nature of the incident"), lambda i, n: i.description),
        F(
            "suspected_malicious",
            _("Suspected to be caused by unlawful or malicious acts"),
            lambda i, n: _yes_no(i.suspected_malicious),
        ),
        F(
            "cross_border",
            _("Could have a cross-border impact"),
            lambda i, n: _yes_no(i.cross_border_impact),
        ),
        F(
            "initial_assessment",
            _("Initial assessment: severity and impact"),
            lambda i, n: _assessment(i),
        ),
        F("indicators", _("Indicators of compromise"), lambda i, n: i.indicators_of_compromise),
        F("progress", _("Progress of the handling at this date"), lambda i, n: i.measures_taken),
        F(
            "detailed_description",
            _("Detailed description, including severity and impact"),
            lambda i, n: "\n".join(p for p in (i.description, _assessment(i)) if p),
        ),
        F("root_cause", _("Type of threat or likely root cause"), lambda i, n: i.root_cause),
        F(
            "mitigation",
            _("Mitigation measures applied and ongoing"),
            lambda i, n: i.measures_taken,
        ),
        F(
            "breach_nature",
            _(
                "Nature of the breach, categories and approximate numbers of data subjects "
                "and records"
            ),
            lambda i, n: _breach_nature(i),
        ),
        F(
            "contact",
            _("Name and contact details of the DPO or other contact point"),
            lambda i, n: i.contact_point,
        ),
        F(
            "consequences",
            _("Likely consequences of the breach"),
            lambda i, n: i.likely_consequences,
        ),
        F(
            "measures",
            _("Measures taken or proposed, including to mitigate possible adverse effects"),
            lambda i, n: i.measures_taken,
        ),
        F("delay_reasons", _("Reasons for the delay"), lambda i, n: n.delay_reasons),
        F("plain_nature", _("What happened, in plain words"), lambda i, n: i.description),
        F("affected_systems", _("Affected information systems"), lambda i, n: i.affected_systems),
        F(
            "health_consequences",
            _(
                "Consequences on the safety of care, on the confidentiality or integrity of "
                "health data, or on the normal functioning of the establishment"
            ),
            lambda i, n: i.likely_consequences,
        ),
    )
}

STAGE_FIELDS: dict[str, tuple[str, ...]] = {
    # NIS2 Art. 23(4)(a)
    Regime.NIS2_EARLY_WARNING: ("nature", "suspected_malicious", "cross_border"),
    # NIS2 Art. 23(4)(b): updates the early warning, adds the initial assessment and IoCs
    Regime.NIS2_NOTIFICATION: (
        "nature",
        "suspected_malicious",
        "cross_border",
        "initial_assessment",
        "indicators",
    ),
    # NIS2 Art. 23(4)(e)
    Regime.NIS2_PROGRESS_REPORT: ("progress", "initial_assessment"),
    # NIS2 Art. 23(4)(d)(i)-(iv)
    Regime.NIS2_FINAL_REPORT: ("detailed_description", "root_cause", "mitigation", "cross_border"),
    # GDPR Art. 33(3)(a)-(d), and 33(1) when late
    Regime.GDPR_AUTHORITY: (
        "breach_nature",
        "contact",
        "consequences",
        "measures",
        "delay_reasons",
    ),
    # GDPR Art. 34(2): plain language, plus 33(3)(b)(c)(d)
    Regime.GDPR_DATA_SUBJECTS: ("plain_nature", "contact", "consequences", "measures"),
    Regime.GDPR_PUBLIC_COMMUNICATION: ("plain_nature", "contact", "consequences", "measures"),
    # GDPR Art. 33(2): what the controller needs for its own Art. 33(3) notification
    Regime.GDPR_CONTROLLER: ("breach_nature", "contact", "consequences", "measures"),
    # CSP L.1111-8-2; what makes an incident serious: D.1111-16-2
    Regime.HEALTH_ARS: ("nature", "affected_systems", "health_consequences", "measures"),
}

LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class DraftLine:
    code: str
    label: str
    value: str


def draft_lines(notification: Notification, language: str = "fr") -> list[DraftLine]:
    """The draft's fields in ``language``: the edited text where there is one, the
    incident's facts otherwise."""
    incident = notification.incident
    codes = list(STAGE_FIELDS[notification.regime])
    if "delay_reasons" in codes and not (notification.sent_late or notification.is_overdue()):
        codes.remove("delay_reasons")
    with translation.override(language if language in LANGUAGES else "fr"):
        return [
            DraftLine(
                code,
                str(FIELDS[code].label),
                notification.draft.get(code, FIELDS[code].prefill(incident, notification) or ""),
            )
            for code in codes
        ]
