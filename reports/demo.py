"""Demo data of this app for ``seed_demo`` (idempotent)."""

from __future__ import annotations

from compliance.models import Organisation
from compliance.services.audit_trail import SystemActor
from reports.models import ReportJob
from reports.signing import demo_certificate_install

DEMO_SIGNING_ORGANISATION = "clinique-des-lilas"


def seed(*, organisations: dict[str, Organisation], actor: SystemActor) -> None:
    """A self-signed signing certificate for the clinic (generated here, never shipped),
    so the demo exercises PAdES signing; and its SoA as a PDF when a version is issued."""
    from controls.models import SoaVersion
    from reports.services import report_request

    clinic = organisations.get(DEMO_SIGNING_ORGANISATION)
    if clinic is None:
        return
    demo_certificate_install(clinic.slug, clinic.name)
    latest = SoaVersion.objects.filter(organisation=clinic).order_by("-number").first()
    if (
        latest is not None
        and not ReportJob.objects.filter(organisation=clinic, kind="soa").exists()
    ):
        report_request(
            actor=actor,
            organisation=clinic,
            kind="soa",
            parameters={"version": latest.number},
            language="fr",
        )
