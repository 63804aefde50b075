"""The letter telling data subjects about a breach, in plain French (GDPR Art. 34(2):
clear and plain language, the nature of the breach, and the contact point, the likely
consequences and the measures of Art. 33(3)(b), (c) and (d))."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from incidents.models import Incident


def campaign_letter_default(incident: Incident) -> str:
    """The letter pre-filled from the incident; the user edits it before sending."""
    return render_to_string(
        "incidents/letter_fr.txt",
        {
            "incident": incident,
            "organisation": incident.organisation,
            "aware_on": timezone.localtime(incident.aware_for("gdpr_aware_at")).date(),
        },
    ).strip()
