"""Stable codes of the incidents app; the UI shows the translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Regime(models.TextChoices):
    """One notification owed after an incident (see ``incidents.rules`` for when)."""

    NIS2_EARLY_WARNING = "nis2_early_warning", _("NIS2 early warning")
    NIS2_NOTIFICATION = "nis2_notification", _("NIS2 incident notification")
    NIS2_PROGRESS_REPORT = "nis2_progress_report", _("NIS2 progress report")
    NIS2_FINAL_REPORT = "nis2_final_report", _("NIS2 final report")
    GDPR_AUTHORITY = "gdpr_authority", _("GDPR notification to the CNIL")
    GDPR_DATA_SUBJECTS = "gdpr_data_subjects", _("GDPR communication to the data subjects")
    GDPR_PUBLIC_COMMUNICATION = (
        "gdpr_public_communication",
        _("GDPR public communication (instead of telling each person)"),
    )
    GDPR_CONTROLLER = "gdpr_controller", _("GDPR notification to the controller")
    HEALTH_ARS = "health_ars", _("Report to the ARS (serious health IS incident)")


class DeadlineKind(models.TextChoices):
    HOURS = "hours", _("Fixed deadline")
    WITHOUT_UNDUE_DELAY = "without_undue_delay", _("Without undue delay")


class Art34Exception(models.TextChoices):
    """GDPR Art. 34(3): when telling each data subject is not required."""

    UNINTELLIGIBLE = (
        "unintelligible",
        _("Data unintelligible to anyone not authorised (Art. 34(3)(a))"),
    )
    RISK_NO_LONGER_LIKELY = (
        "risk_no_longer_likely",
        _("Later measures make the high risk no longer likely (Art. 34(3)(b))"),
    )
    DISPROPORTIONATE_EFFORT = (
        "disproportionate_effort",
        _("Disproportionate effort: a public communication instead (Art. 34(3)(c))"),
    )


class EventKind(models.TextChoices):
    """A line of the incident's timeline."""

    DECLARED = "declared", _("Incident declared")
    NOTE = "note", _("Action or observation")
    QUALIFIED = "qualified", _("Qualification changed")
    FACTS = "facts", _("Facts updated")
    NOTIFICATION_SENT = "notification_sent", _("Notification sent")
    CAMPAIGN = "campaign", _("Data subjects campaign")
    CLOSED = "closed", _("Incident closed")
    LESSONS = "lessons", _("Lessons learned")


class Channel(models.TextChoices):
    LETTER = "letter", _("Postal letter")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")
    PHONE = "phone", _("Telephone")
    IN_PERSON = "in_person", _("In person")
    PUBLIC = "public", _("Public communication")


class ReminderKind(models.TextChoices):
    FRACTION = "fraction", _("Part of the time elapsed")
    BEFORE = "before", _("Hours before the deadline")
    OVERDUE = "overdue", _("Deadline passed")
