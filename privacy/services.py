"""Writes to the processing register. Each service runs in one transaction, records its
audit event and recomputes the findings of the processings it touched, so the register,
the processing page and the API always show the findings of the current data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.models import Organisation
from compliance.services.audit_trail import Actor, audit_event_record, diff, snapshot
from privacy.choices import (
    DirectIdentifier,
    HdsActivity,
    RecipientKind,
    RouteKind,
    SpecialCategory,
    Use,
)
from privacy.models import (
    Article66Route,
    ComplianceFinding,
    ProcessingActivity,
    Processor,
    Recipient,
)
from privacy.rules import Facts, anonymity_assessment_passed, evaluate

PROCESSING_FIELDS = (
    "reference",
    "name",
    "role",
    "controller_name",
    "controller_contact",
    "joint_controllers",
    "representative",
    "dpo_contact",
    "purposes",
    "uses",
    "data_subject_categories",
    "personal_data_categories",
    "special_categories",
    "direct_identifiers",
    "legal_basis",
    "article9_condition",
    "data_location",
    "third_country_transfers",
    "transfer_safeguard",
    "transfer_safeguard_documentation",
    "retention",
    "security_measures",
    "large_scale",
    "automated_evaluation",
    "public_monitoring",
    "dpia_done_on",
    "dpia_review_on",
    "claims_anonymised",
    "notes",
)
PROCESSOR_FIELDS = (
    "name",
    "contact",
    "service",
    "hosts_data",
    "location",
    "hds_certificate_number",
    "hds_certificate_expires_on",
    "hds_activities",
    "notes",
)
ROUTE_FIELDS = (
    "kind",
    "exemption_reason",
    "justification",
    "methodology",
    "filing_date",
    "receipt_number",
    "decision_number",
    "decision_date",
    "scope",
    "conditions",
    "expires_on",
    "cesrees_opinion_date",
    "cesrees_opinion_reference",
    "covered_uses",
    "covered_recipient_kinds",
)
_CODE_LISTS = {
    "uses": Use,
    "special_categories": SpecialCategory,
    "direct_identifiers": DirectIdentifier,
    "covered_uses": Use,
    "covered_recipient_kinds": RecipientKind,
    "hds_activities": HdsActivity,
}


def _check_codes(fields: dict[str, Any]) -> None:
    for name, choices in _CODE_LISTS.items():
        if name in fields:
            values = list(dict.fromkeys(fields[name] or []))
            unknown = [v for v in values if v not in choices.values]
            if unknown:
                raise ValidationError(
                    {name: _("Unknown values: %s.") % ", ".join(map(str, unknown))}
                )
            fields[name] = values


def _unknown(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    extra = set(fields) - set(allowed)
    if extra:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(extra))}
        )


def _full_clean(instance: Any, exclude: list[str] | None = None) -> None:
    instance.full_clean(
        exclude=[*(exclude or []), "organisation", "processing"], validate_unique=False
    )


# --- Findings -------------------------------------------------------------------------


def processing_facts(processing: ProcessingActivity) -> Facts:
    recipients = list(processing.recipients.select_related("processor"))
    route = Article66Route.objects.filter(processing=processing).first()
    return Facts(
        processing=processing,
        recipients=recipients,
        route=route,
        today=timezone.localdate(),
        anonymity_assessment_passed=(
            anonymity_assessment_passed(processing) if processing.claims_anonymised else False
        ),
    )


def findings_recompute(processing: ProcessingActivity) -> list[ComplianceFinding]:
    """Replace the processing's findings by what the rules say today (GDPR Art. 5(2):
    the controller must be able to show where it stands)."""
    with transaction.atomic():
        drafts = evaluate(processing_facts(processing))
        ComplianceFinding.objects.filter(processing=processing).delete()
        now = timezone.now()
        return ComplianceFinding.objects.bulk_create(
            ComplianceFinding(
                organisation_id=processing.organisation_id,
                processing=processing,
                rule_code=draft.rule.code,
                severity=draft.rule.severity,
                article=" ".join(draft.rule.references),
                message_fr=draft.message_fr,
                message_en=draft.message_en,
                created_at=now,
            )
            for draft in drafts
        )


def findings_recompute_all(*, organisation: Organisation | None = None) -> int:
    """Re-run the rules on every processing (nightly: expiry dates pass without a write)."""
    processings = ProcessingActivity.objects.all()
    if organisation is not None:
        processings = processings.filter(organisation=organisation)
    count = 0
    for processing in processings.iterator():
        findings_recompute(processing)
        count += 1
    return count


# --- Processing activities --------------------------------------------------------------


def _validate_processing(organisation: Organisation, processing: ProcessingActivity) -> None:
    _full_clean(processing)
    clash = ProcessingActivity.objects.filter(
        organisation=organisation, reference__iexact=processing.reference
    ).exclude(pk=processing.pk)
    if clash.exists():
        raise ValidationError({"reference": _("Another processing already uses this reference.")})
    if processing.dpia_review_on and not processing.dpia_done_on:
        raise ValidationError(
            {"dpia_done_on": _("Give the date of the DPIA before its review date.")}
        )


def processing_create(
    *, actor: Actor, organisation: Organisation, **fields: Any
) -> ProcessingActivity:
    """Add a line to the register (GDPR Art. 30(1), or 30(2) for a processor)."""
    _unknown(fields, PROCESSING_FIELDS)
    _check_codes(fields)
    processing = ProcessingActivity(organisation=organisation, **fields)
    _validate_processing(organisation, processing)
    with transaction.atomic():
        processing.save()
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="privacy.processing_create",
            target=processing,
            changes=snapshot(processing, PROCESSING_FIELDS),
        )
        findings_recompute(processing)
    return processing


def processing_update(
    *, actor: Actor, processing: ProcessingActivity, **fields: Any
) -> ProcessingActivity:
    _unknown(fields, PROCESSING_FIELDS)
    _check_codes(fields)
    with transaction.atomic():
        processing = ProcessingActivity.objects.select_for_update().get(pk=processing.pk)
        before = snapshot(processing, PROCESSING_FIELDS)
        for name, value in fields.items():
            setattr(processing, name, value)
        _validate_processing(processing.organisation, processing)
        changes = diff(before, snapshot(processing, PROCESSING_FIELDS))
        if changes:
            processing.save()
            audit_event_record(
                actor=actor,
                organisation=processing.organisation,
                action="privacy.processing_update",
                target=processing,
                changes=changes,
            )
        findings_recompute(processing)
    return processing


def processing_delete(*, actor: Actor, processing: ProcessingActivity) -> None:
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            organisation=processing.organisation,
            action="privacy.processing_delete",
            target=processing,
            changes={"reference": processing.reference, "name": processing.name},
        )
        processing.delete()


# --- Recipients ---------------------------------------------------------------------------


def recipient_add(
    *,
    actor: Actor,
    processing: ProcessingActivity,
    kind: str,
    name: str,
    processor: Processor | None = None,
    location: str = "eea",
) -> Recipient:
    """A typed recipient (GDPR Art. 30(1)(d)); a processor comes from the organisation's
    own processor directory."""
    if processor is not None and processor.organisation_id != processing.organisation_id:
        raise ValidationError({"processor": _("Unknown processor.")})
    if processor is not None and not name:
        name = processor.name
    if processor is not None:
        location = processor.location
    recipient = Recipient(
        processing=processing, kind=kind, name=name, processor=processor, location=location
    )
    _full_clean(recipient, exclude=["processor"])
    with transaction.atomic():
        recipient.save()
        audit_event_record(
            actor=actor,
            organisation=processing.organisation,
            action="privacy.recipient_add",
            target=processing,
            changes={"recipient": str(recipient), "processor": processor.pk if processor else None},
        )
        findings_recompute(processing)
    return recipient


def recipients_replace(
    *, actor: Actor, processing: ProcessingActivity, recipients: list[dict[str, Any]]
) -> None:
    """Replace the typed recipients of a processing (API writes): processors are looked
    up in the processing's organisation only."""
    processors = {
        p.pk: p for p in Processor.objects.filter(organisation_id=processing.organisation_id)
    }
    rows = []
    for item in recipients:
        processor = None
        if item.get("processor_id") is not None:
            processor = processors.get(item["processor_id"])
            if processor is None:
                raise ValidationError({"recipients": _("Unknown processor.")})
        name = item.get("name") or (processor.name if processor else "")
        location = processor.location if processor else item.get("location", "eea")
        recipient = Recipient(
            processing=processing,
            kind=item["kind"],
            name=name,
            processor=processor,
            location=location,
        )
        _full_clean(recipient, exclude=["processor"])
        rows.append(recipient)
    with transaction.atomic():
        before = sorted(str(r) for r in processing.recipients.all())
        processing.recipients.all().delete()
        Recipient.objects.bulk_create(rows)
        after = sorted(str(r) for r in rows)
        if before != after:
            audit_event_record(
                actor=actor,
                organisation=processing.organisation,
                action="privacy.recipients_replace",
                target=processing,
                changes={"recipients": [before, after]},
            )
        findings_recompute(processing)


def recipient_remove(*, actor: Actor, recipient: Recipient) -> None:
    processing = recipient.processing
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            organisation=processing.organisation,
            action="privacy.recipient_remove",
            target=processing,
            changes={"recipient": str(recipient)},
        )
        recipient.delete()
        findings_recompute(processing)


# --- Processors -----------------------------------------------------------------------------


def _affected_processings(processor: Processor) -> list[ProcessingActivity]:
    return list(ProcessingActivity.objects.filter(recipients__processor=processor).distinct())


def processor_create(*, actor: Actor, organisation: Organisation, **fields: Any) -> Processor:
    """A processor or host of the organisation (GDPR Art. 28), with its HDS certificate
    (CSP art. L.1111-8)."""
    _unknown(fields, PROCESSOR_FIELDS)
    _check_codes(fields)
    processor = Processor(organisation=organisation, **fields)
    _full_clean(processor)
    with transaction.atomic():
        processor.save()
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="privacy.processor_create",
            target=processor,
            changes=snapshot(processor, PROCESSOR_FIELDS),
        )
    return processor


def processor_update(*, actor: Actor, processor: Processor, **fields: Any) -> Processor:
    _unknown(fields, PROCESSOR_FIELDS)
    _check_codes(fields)
    with transaction.atomic():
        processor = Processor.objects.select_for_update().get(pk=processor.pk)
        before = snapshot(processor, PROCESSOR_FIELDS)
        for name, value in fields.items():
            setattr(processor, name, value)
        _full_clean(processor)
        changes = diff(before, snapshot(processor, PROCESSOR_FIELDS))
        if changes:
            processor.save()
            if "location" in changes:
                processor.recipients.update(location=processor.location)
            audit_event_record(
                actor=actor,
                organisation=processor.organisation,
                action="privacy.processor_update",
                target=processor,
                changes=changes,
            )
            for processing in _affected_processings(processor):
                findings_recompute(processing)
    return processor


def processor_delete(*, actor: Actor, processor: Processor) -> None:
    if processor.recipients.exists():
        raise ValidationError(
            _("This processor is a recipient of processing activities: remove it from them first.")
        )
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            organisation=processor.organisation,
            action="privacy.processor_delete",
            target=processor,
            changes={"name": processor.name},
        )
        processor.delete()


# --- Article 66 routes --------------------------------------------------------------------

_ROUTE_REQUIRED = {
    RouteKind.EXEMPT: ("exemption_reason",),
    RouteKind.MR_DECLARATION: ("methodology", "filing_date", "receipt_number"),
    RouteKind.WAREHOUSE_DECLARATION: ("filing_date", "receipt_number"),
    RouteKind.AUTHORISATION: ("decision_number", "decision_date", "scope"),
    RouteKind.PENDING: ("filing_date",),
}


def _validate_route(route: Article66Route) -> None:
    _full_clean(route)
    if not route.processing.has_health_data:
        raise ValidationError(
            _("Only a processing of health data is placed on an Article 66 route.")
        )
    missing = {
        name: _("Required for this route.")
        for name in _ROUTE_REQUIRED[RouteKind(route.kind)]
        if not getattr(route, name)
    }
    if missing:
        raise ValidationError(missing)
    if route.kind != RouteKind.MR_DECLARATION:
        route.methodology = ""
    if route.kind != RouteKind.EXEMPT:
        route.exemption_reason = ""
    if route.expires_on and route.decision_date and route.expires_on < route.decision_date:
        raise ValidationError({"expires_on": _("The expiry cannot precede the decision.")})


def route_set(*, actor: Actor, processing: ProcessingActivity, **fields: Any) -> Article66Route:
    """Place a health-data processing on its one Article 66 route (loi n° 78-17 art. 65,
    66, 66-III), or change it; the previous route's evidence is kept in the audit trail."""
    _unknown(fields, ROUTE_FIELDS)
    _check_codes(fields)
    with transaction.atomic():
        route = Article66Route.objects.select_for_update().filter(processing=processing).first()
        created = route is None
        if route is None:
            route = Article66Route(processing=processing)
        before = {} if created else snapshot(route, ROUTE_FIELDS)
        for name, value in fields.items():
            setattr(route, name, value)
        _validate_route(route)
        changes = diff(before, snapshot(route, ROUTE_FIELDS))
        if changes:
            route.save()
            audit_event_record(
                actor=actor,
                organisation=processing.organisation,
                action="privacy.route_set",
                target=route,
                changes=changes,
            )
        findings_recompute(processing)
    return route


def route_delete(*, actor: Actor, route: Article66Route) -> None:
    processing = route.processing
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            organisation=processing.organisation,
            action="privacy.route_delete",
            target=route,
            changes=snapshot(route, ROUTE_FIELDS),
        )
        route.delete()
        findings_recompute(processing)
