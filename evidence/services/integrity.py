"""``verify_evidence``: re-hash every stored file and record what was found.

A revision's SHA-256 was computed on the way in. If the bytes under its storage name no
longer hash to it, someone changed the file after it was collected: the revision is
marked compromised, shown as such in the UI and the API, and the item no longer counts
towards any requirement. A file that is gone is marked missing. Each change of status is
an audit event, and one summary event per organisation records the run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from compliance.models import Organisation
from compliance.services.audit_trail import Actor, audit_event_record
from evidence.choices import IntegrityStatus
from evidence.models import EvidenceRevision
from evidence.services.files import hash_stored


@dataclass(frozen=True)
class RevisionCheck:
    revision_id: int
    evidence_id: int
    organisation_slug: str
    evidence_title: str
    original_name: str
    number: int
    storage_name: str
    expected_sha256: str
    found_sha256: str | None
    status: str
    previous_status: str

    @property
    def bad(self) -> bool:
        return self.status != IntegrityStatus.OK


@dataclass
class VerificationReport:
    checks: list[RevisionCheck]

    @property
    def bad(self) -> list[RevisionCheck]:
        return [check for check in self.checks if check.bad]

    @property
    def files_hashed(self) -> int:
        return len({check.storage_name for check in self.checks})


def evidence_verify(
    *, actor: Actor, organisation: Organisation | None = None
) -> VerificationReport:
    """Re-hash the files of every revision (or one organisation's), each stored file once
    however many revisions share it, outside any transaction; then record the results."""
    revisions = EvidenceRevision.objects.select_related("evidence__organisation").order_by(
        "evidence__organisation_id", "evidence_id", "number"
    )
    if organisation is not None:
        revisions = revisions.filter(evidence__organisation=organisation)

    found: dict[str, str | None] = {}
    checks: list[RevisionCheck] = []
    by_organisation: dict[int, list[RevisionCheck]] = defaultdict(list)
    organisations: dict[int, Organisation] = {}
    for revision in revisions.iterator(chunk_size=500):
        name = revision.storage_name
        if name not in found:
            found[name] = hash_stored(name)
        digest = found[name]
        if digest is None:
            status = IntegrityStatus.MISSING
        elif digest != revision.sha256:
            status = IntegrityStatus.COMPROMISED
        else:
            status = IntegrityStatus.OK
        org = revision.evidence.organisation
        check = RevisionCheck(
            revision_id=revision.pk,
            evidence_id=revision.evidence_id,
            organisation_slug=org.slug,
            evidence_title=revision.evidence.title,
            original_name=revision.original_name,
            number=revision.number,
            storage_name=name,
            expected_sha256=revision.sha256,
            found_sha256=digest,
            status=status,
            previous_status=revision.integrity_status,
        )
        checks.append(check)
        by_organisation[org.pk].append(check)
        organisations[org.pk] = org

    now = timezone.now()
    for org_id, org_checks in by_organisation.items():
        _record(actor, organisations[org_id], org_checks, now)
    return VerificationReport(checks)


def _record(
    actor: Actor, organisation: Organisation, checks: list[RevisionCheck], now: object
) -> None:
    by_status: dict[str, list[int]] = defaultdict(list)
    for check in checks:
        by_status[check.status].append(check.revision_id)
    with transaction.atomic():
        for status, ids in by_status.items():
            EvidenceRevision.objects.filter(pk__in=ids).record_verification(status, now)  # type: ignore[arg-type]
        for check in checks:
            if check.status != check.previous_status:
                revision = EvidenceRevision(pk=check.revision_id, original_name=check.original_name)
                revision.number = check.number
                audit_event_record(
                    actor=actor,
                    organisation=organisation,
                    action="evidence.integrity_change",
                    target=revision,
                    changes={
                        "integrity_status": [check.previous_status, check.status],
                        "evidence_id": check.evidence_id,
                        "expected_sha256": check.expected_sha256,
                        "found_sha256": check.found_sha256,
                    },
                )
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="evidence.verify",
            changes={
                "revisions": len(checks),
                **{status: len(ids) for status, ids in sorted(by_status.items())},
            },
        )
