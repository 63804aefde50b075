"""Writes of the incidents app. Each runs in one transaction and records its audit event.

The notifications owed are never edited by hand: ``notifications_recompute`` derives
them from the rule table (``incidents.rules``) whenever the qualification, the moments of
awareness or a sent notification change what is owed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.models import Organisation, User
from compliance.services.audit_trail import Actor, actor_label, audit_event_record, diff, snapshot
from incidents.choices import EventKind, Regime
from incidents.models import DataSubjectCampaign, Incident, IncidentEvent, Notification
from incidents.rules import owed_notifications

FACT_FIELDS = (
    "title",
    "description",
    "started_at",
    "affected_systems",
    "data_categories",
    "data_subjects_count",
    "records_count",
    "likely_consequences",
    "measures_taken",
    "contact_point",
    "suspected_malicious",
    "cross_border_impact",
    "indicators_of_compromise",
    "root_cause",
    "owner",
)
QUALIFICATION_FIELDS = Incident.QUALIFICATION_FIELDS


def _label(name: str) -> str:
    field = Incident._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def _event(
    incident: Incident, kind: str, text: str, actor: Actor, at: datetime | None = None
) -> None:
    IncidentEvent.objects.create(
        incident=incident,
        kind=kind,
        occurred_at=at or timezone.now(),
        text=text,
        actor_label=actor_label(actor)[:254],
    )


def _check_owner(organisation: Organisation, owner: User | None) -> None:
    if owner is not None and not owner.memberships.filter(organisation=organisation).exists():
        raise ValidationError({"owner": _("The owner must be a member of this organisation.")})


def _check_qualification(incident: Incident) -> None:
    errors: dict[str, str] = {}
    if incident.art34_exception and not incident.high_risk:
        errors["art34_exception"] = _("An Art. 34(3) exception only applies to a high-risk breach.")
    if (incident.high_risk or incident.risk_unlikely or incident.acting_as_processor) and not (
        incident.personal_data_breach
    ):
        errors["personal_data_breach"] = _(
            "Risk levels and the processor role only apply to a personal data breach."
        )
    if incident.high_risk and incident.risk_unlikely:
        errors["risk_unlikely"] = _(
            "A breach cannot be both high-risk and unlikely to result in a risk."
        )
    now = timezone.now()
    for field in ("aware_at", "nis2_aware_at", "gdpr_aware_at", "health_aware_at"):
        value = getattr(incident, field)
        if value is not None and value > now + timedelta(minutes=5):
            errors[field] = _("Awareness cannot be in the future.")
    if incident.started_at and incident.started_at > incident.aware_at:
        errors["started_at"] = _(
            "An incident cannot start after the organisation became aware of it."
        )
    if incident.handling_ended_at and incident.handling_ended_at < incident.aware_at:
        errors["handling_ended_at"] = _("Handling cannot end before awareness.")
    if errors:
        raise ValidationError(errors)


def notifications_recompute(incident: Incident) -> dict[str, Any]:
    """Bring the incident's notifications in line with the rule table.

    Sent notifications are history and stay as they are; an unsent one that is no
    longer owed is removed, one whose deadline moved is updated, a new duty is added.
    Returns what changed, for the audit trail and the timeline."""
    existing = {n.regime: n for n in incident.notifications.select_for_update()}
    nis2 = existing.get(Regime.NIS2_NOTIFICATION)
    owed = owed_notifications(
        incident.facts(nis2_notification_sent_at=nis2.sent_at if nis2 else None)
    )
    changes: dict[str, Any] = {"added": [], "removed": [], "moved": {}}
    wanted = {item.regime for item in owed}
    for regime, notification in existing.items():
        if regime not in wanted and notification.sent_at is None:
            notification.delete()
            changes["removed"].append(regime)
    for item in owed:
        current = existing.get(item.regime)
        if current is None:
            Notification.objects.create(
                incident=incident,
                regime=item.regime,
                recipient=str(item.recipient),
                article=item.article,
                starts_at=item.starts_at,
                due_at=item.due_at,
                deadline_kind=item.deadline_kind,
            )
            changes["added"].append(item.regime)
        elif current.sent_at is None and (
            current.due_at != item.due_at or current.starts_at != item.starts_at
        ):
            changes["moved"][item.regime] = [current.due_at.isoformat(), item.due_at.isoformat()]
            current.due_at, current.starts_at = item.due_at, item.starts_at
            current.deadline_kind, current.article = item.deadline_kind, item.article
            current.save(update_fields=["due_at", "starts_at", "deadline_kind", "article"])
    return {key: value for key, value in changes.items() if value}


def _summary(changes: dict[str, Any]) -> str:
    labels = dict(Regime.choices)
    parts = []
    if changes.get("added"):
        parts.append(_("now owed: %s") % ", ".join(str(labels[r]) for r in changes["added"]))
    if changes.get("removed"):
        parts.append(
            _("no longer owed: %s") % ", ".join(str(labels[r]) for r in changes["removed"])
        )
    if changes.get("moved"):
        parts.append(_("deadline moved: %s") % ", ".join(str(labels[r]) for r in changes["moved"]))
    return "; ".join(parts)


def incident_create(
    *, actor: Actor, organisation: Organisation, title: str, aware_at: datetime, **fields: Any
) -> Incident:
    """Declare an incident; its notifications are owed from this moment on."""
    with transaction.atomic():
        incident = Incident(organisation=organisation, title=title, aware_at=aware_at, **fields)
        if incident.art34_exception is None:
            incident.art34_exception = ""
        if not incident.ongoing and incident.handling_ended_at is None:
            incident.handling_ended_at = timezone.now()
        incident.full_clean(exclude=["organisation"])
        _check_qualification(incident)
        _check_owner(organisation, incident.owner)
        incident.save()
        _event(incident, EventKind.DECLARED, _("Incident declared."), actor, at=incident.aware_at)
        changes = notifications_recompute(incident)
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="incidents.create",
            target=incident,
            changes={
                **snapshot(incident, ("title", *QUALIFICATION_FIELDS)),
                "notifications": changes.get("added", []),
            },
        )
    return incident


def incident_update_facts(*, actor: Actor, incident: Incident, **fields: Any) -> Incident:
    """Edit what is known of the incident (not its qualification)."""
    unknown = set(fields) - set(FACT_FIELDS)
    if unknown:
        raise ValueError(f"not a fact field: {sorted(unknown)}")
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update().select_related("organisation").get(pk=incident.pk)
        )
        before = snapshot(incident, fields)
        for name, value in fields.items():
            setattr(incident, name, value)
        incident.full_clean(exclude=["organisation"])
        _check_qualification(incident)
        _check_owner(incident.organisation, incident.owner)
        changes = diff(before, snapshot(incident, fields))
        if not changes:
            return incident
        incident.save()
        _event(
            incident,
            EventKind.FACTS,
            _("Facts updated: %s.") % ", ".join(_label(name) for name in changes),
            actor,
        )
        audit_event_record(
            actor=actor,
            organisation=incident.organisation,
            action="incidents.update",
            target=incident,
            changes=changes,
        )
    return incident


def incident_qualify(*, actor: Actor, incident: Incident, **qualification: Any) -> Incident:
    """Change the qualification or the moments of awareness; what is owed is recomputed
    and both the change and its consequences go to the audit trail and the timeline."""
    unknown = set(qualification) - set(QUALIFICATION_FIELDS)
    if unknown:
        raise ValueError(f"not a qualification field: {sorted(unknown)}")
    if qualification.get("art34_exception", "") is None:
        qualification["art34_exception"] = ""
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update().select_related("organisation").get(pk=incident.pk)
        )
        before = snapshot(incident, QUALIFICATION_FIELDS)
        for name, value in qualification.items():
            setattr(incident, name, value)
        if incident.ongoing:
            incident.handling_ended_at = None
        elif incident.handling_ended_at is None:
            incident.handling_ended_at = timezone.now()
        incident.full_clean(exclude=["organisation"])
        _check_qualification(incident)
        changes = diff(before, snapshot(incident, QUALIFICATION_FIELDS))
        if not changes:
            return incident
        incident.save()
        owed_changes = notifications_recompute(incident)
        labels = ", ".join(_label(name) for name in changes)
        summary = _summary(owed_changes)
        _event(
            incident,
            EventKind.QUALIFIED,
            _("Qualification changed (%(fields)s).") % {"fields": labels}
            + (f" {summary}." if summary else ""),
            actor,
        )
        audit_event_record(
            actor=actor,
            organisation=incident.organisation,
            action="incidents.qualify",
            target=incident,
            changes={**changes, "notifications": owed_changes},
        )
    return incident


def notification_mark_sent(
    *,
    actor: Actor,
    notification: Notification,
    sent_at: datetime | None = None,
    reference: str = "",
    delay_reasons: str = "",
) -> Notification:
    """Record that a notification went out. A GDPR notification to the CNIL sent after
    72 h must give the reasons for the delay (GDPR Art. 33(1))."""
    sent_at = sent_at or timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("incident__organisation")
            .get(pk=notification.pk)
        )
        if notification.sent_at is not None:
            raise ValidationError(_("This notification is already recorded as sent."))
        if sent_at > timezone.now() + timedelta(minutes=5):
            raise ValidationError({"sent_at": _("A notification cannot be sent in the future.")})
        if sent_at < notification.incident.aware_at:
            raise ValidationError({"sent_at": _("A notification cannot be sent before awareness.")})
        late = notification.deadline_kind == "hours" and sent_at > notification.due_at
        if late and notification.regime == Regime.GDPR_AUTHORITY and not delay_reasons.strip():
            raise ValidationError(
                {
                    "delay_reasons": _(
                        "Sent after 72 hours: give the reasons for the delay (GDPR Art. 33(1))."
                    )
                }
            )
        notification.sent_at = sent_at
        notification.reference = reference.strip()
        notification.delay_reasons = delay_reasons.strip()
        notification.save(update_fields=["sent_at", "reference", "delay_reasons"])
        incident = notification.incident
        _event(
            incident,
            EventKind.NOTIFICATION_SENT,
            _("%(regime)s sent to %(recipient)s%(reference)s.")
            % {
                "regime": notification.get_regime_display(),
                "recipient": notification.recipient,
                "reference": f" ({_('reference')} {notification.reference})"
                if notification.reference
                else "",
            },
            actor,
            at=sent_at,
        )
        # The NIS2 final report counts from the notification's sending (Art. 23(4)(d)).
        owed_changes = notifications_recompute(incident)
        audit_event_record(
            actor=actor,
            organisation=incident.organisation,
            action="incidents.notification_sent",
            target=notification,
            changes={
                "regime": notification.regime,
                "sent_at": sent_at,
                "reference": notification.reference,
                "late": late,
                "delay_reasons": notification.delay_reasons,
                "notifications": owed_changes,
            },
        )
    return notification


def notification_draft_save(
    *, actor: Actor, notification: Notification, draft: dict[str, str]
) -> Notification:
    """Keep the edited text of a notification's draft document."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("incident__organisation")
            .get(pk=notification.pk)
        )
        before = notification.draft
        notification.draft = {key: str(value)[:10_000] for key, value in draft.items()}
        if notification.draft == before:
            return notification
        notification.save(update_fields=["draft"])
        audit_event_record(
            actor=actor,
            organisation=notification.incident.organisation,
            action="incidents.draft_save",
            target=notification,
            changes={
                "fields": sorted(
                    k for k in notification.draft if notification.draft.get(k) != before.get(k)
                )
            },
        )
    return notification


def incident_event_add(
    *, actor: Actor, incident: Incident, occurred_at: datetime, text: str
) -> IncidentEvent:
    """Add an action or observation to the timeline."""
    if occurred_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("A timeline event cannot be in the future.")})
    with transaction.atomic():
        event = IncidentEvent.objects.create(
            incident=incident,
            kind=EventKind.NOTE,
            occurred_at=occurred_at,
            text=text.strip(),
            actor_label=actor_label(actor)[:254],
        )
        audit_event_record(
            actor=actor,
            organisation=incident.organisation,
            action="incidents.event_add",
            target=incident,
            changes={"occurred_at": occurred_at, "text": event.text[:500]},
        )
    return event


def incident_close(*, actor: Actor, incident: Incident) -> Incident:
    """Close the incident (its handling has ended). Unsent notifications still show."""
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update().select_related("organisation").get(pk=incident.pk)
        )
        if incident.closed_at is not None:
            return incident
        now = timezone.now()
        incident.closed_at = now
        was_ongoing = incident.ongoing
        incident.ongoing = False
        incident.handling_ended_at = incident.handling_ended_at or now
        incident.save(update_fields=["closed_at", "ongoing", "handling_ended_at", "updated_at"])
        owed_changes = notifications_recompute(incident) if was_ongoing else {}
        _event(incident, EventKind.CLOSED, _("Incident closed."), actor, at=now)
        audit_event_record(
            actor=actor,
            organisation=incident.organisation,
            action="incidents.close",
            target=incident,
            changes={"closed_at": now, "notifications": owed_changes},
        )
    return incident


CAMPAIGN_FIELDS = ("audience", "channel", "to_tell", "told", "unreachable", "letter")


def campaign_save(*, actor: Actor, incident: Incident, **fields: Any) -> DataSubjectCampaign:
    """Create or update the campaign telling the data subjects of a breach (Art. 34)."""
    if not incident.personal_data_breach:
        raise ValidationError(_("Only a personal data breach has data subjects to tell."))
    with transaction.atomic():
        campaign = DataSubjectCampaign.objects.select_for_update().filter(incident=incident).first()
        created = campaign is None
        if campaign is None:
            campaign = DataSubjectCampaign(incident=incident)
        before = snapshot(campaign, CAMPAIGN_FIELDS)
        for name, value in fields.items():
            if name not in CAMPAIGN_FIELDS:
                raise ValueError(name)
            setattr(campaign, name, value)
        campaign.full_clean(exclude=["incident"], validate_constraints=False)
        if campaign.told + campaign.unreachable > campaign.to_tell:
            raise ValidationError(
                {"told": _("Told plus unreachable cannot exceed the persons to tell.")}
            )
        changes = diff(before, snapshot(campaign, CAMPAIGN_FIELDS))
        if not changes and not created:
            return campaign
        campaign.save()
        _event(
            incident,
            EventKind.CAMPAIGN,
            _("Data subjects: %(told)s told of %(total)s, %(unreachable)s unreachable.")
            % {
                "told": campaign.told,
                "total": campaign.to_tell,
                "unreachable": campaign.unreachable,
            },
            actor,
        )
        audit_event_record(
            actor=actor,
            organisation=incident.organisation,
            action="incidents.campaign_create" if created else "incidents.campaign_update",
            target=incident,
            changes={k: v for k, v in changes.items() if k != "letter"}
            | ({"letter": "changed"} if "letter" in changes else {}),
        )
    return campaign
