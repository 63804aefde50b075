"""Which notifications an incident owes, and by when: the rule table.

Each row of ``RULES`` mirrors one row of the table in issue 8 and cites its article
(facts: shared/domain/BRIEF.md §2.4, §3 Art. 33 and 34, §6). The functions are pure:
they read a ``Facts`` snapshot and never touch the database, so every row has a test.

Time
----
Every instant is an aware ``datetime`` and is stored in UTC. Hour deadlines are real
elapsed hours (``aware + timedelta(hours=72)``), so a DST change in between does not move
them: 72 h are 72 h, whatever the wall clock in Paris says.

A deadline of "one month" (NIS2 Art. 23(4)(d) and (e)) is a calendar month, which has
no length in hours. ``add_one_month`` counts it on the organisation's legal calendar
(``settings.TIME_ZONE``, Europe/Paris): same day of the next month at the same wall-clock
time; when the next month has no such day, the last day of that month at that time.
So a notification sent on 31 January at 10:00 makes the final report due on 28 February
(29 in a leap year) at 10:00, never on 2 or 3 March. This is deliberately the earliest
reading of "within one month", so Egide never shows a later date than the law allows.
"""

from __future__ import annotations

import calendar
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from compliance.choices import Nis2Classification
from incidents.choices import Art34Exception, DeadlineKind, Regime

NIS2_ENTITIES = frozenset({Nis2Classification.ESSENTIAL, Nis2Classification.IMPORTANT})


def legal_timezone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def add_one_month(moment: datetime) -> datetime:
    """One calendar month after ``moment`` on the legal calendar, clamped to the last
    day of a shorter month (31 Jan → 28/29 Feb, 31 Mar → 30 Apr); returned in UTC."""
    local = moment.astimezone(legal_timezone())
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    day = min(local.day, calendar.monthrange(year, month)[1])
    naive = local.replace(tzinfo=None).replace(year=year, month=month, day=day)
    # fold=0: a wall-clock time that occurs twice (the autumn DST change) takes the first.
    return naive.replace(tzinfo=legal_timezone()).astimezone(zoneinfo.ZoneInfo("UTC"))


@dataclass(frozen=True)
class Facts:
    """What the rules read: the qualification, the moments of awareness per regime and
    what has been sent so far."""

    nis2_classification: str
    nis2_significant: bool = False
    trust_service_provider: bool = False
    personal_data_breach: bool = False
    risk_unlikely: bool = False
    high_risk: bool = False
    art34_exception: str = ""
    acting_as_processor: bool = False
    health_establishment_serious: bool = False
    ongoing: bool = True
    nis2_aware_at: datetime | None = None
    gdpr_aware_at: datetime | None = None
    health_aware_at: datetime | None = None
    handling_ended_at: datetime | None = None
    nis2_notification_sent_at: datetime | None = None

    @property
    def nis2_applies(self) -> bool:
        return self.nis2_significant and self.nis2_classification in NIS2_ENTITIES

    @property
    def gdpr_controller_breach(self) -> bool:
        # Art. 33(1) and 34(1) put the CNIL notification and the communication to the
        # data subjects on the controller; a processor's own duty is Art. 33(2).
        return self.personal_data_breach and not self.acting_as_processor


@dataclass(frozen=True)
class Owed:
    """One notification owed: its clock runs from ``starts_at`` to ``due_at``."""

    regime: str
    recipient: Promise
    starts_at: datetime
    due_at: datetime
    deadline_kind: str
    article: str


def _required(moment: datetime | None) -> datetime:
    if moment is None:
        raise ValueError("a moment of awareness is needed for this regime")
    return moment


def _nis2_notification_due(facts: Facts) -> datetime:
    hours = 24 if facts.trust_service_provider else 72
    return _required(facts.nis2_aware_at) + timedelta(hours=hours)


NIS2_RECIPIENT = _("CSIRT or competent authority (ANSSI / CERT-FR)")


def nis2_early_warning(facts: Facts) -> list[Owed]:
    """NIS2 Art. 23(4)(a): an early warning without undue delay and at the latest 24 h
    after becoming aware of a significant incident (Art. 23(3)), for an essential or
    important entity (Art. 3)."""
    if not facts.nis2_applies:
        return []
    aware = _required(facts.nis2_aware_at)
    return [
        Owed(
            Regime.NIS2_EARLY_WARNING,
            NIS2_RECIPIENT,
            aware,
            aware + timedelta(hours=24),
            DeadlineKind.HOURS,
            "NIS2 Art. 23(4)(a)",
        )
    ]


def nis2_notification(facts: Facts) -> list[Owed]:
    """NIS2 Art. 23(4)(b): the incident notification within 72 h of becoming aware;
    within 24 h for a trust service provider (Art. 23(4)(b), second subparagraph)."""
    if not facts.nis2_applies:
        return []
    aware = _required(facts.nis2_aware_at)
    return [
        Owed(
            Regime.NIS2_NOTIFICATION,
            NIS2_RECIPIENT,
            aware,
            _nis2_notification_due(facts),
            DeadlineKind.HOURS,
            "NIS2 Art. 23(4)(b)",
        )
    ]


def nis2_final_report(facts: Facts) -> list[Owed]:
    """NIS2 Art. 23(4)(d) and (e): the final report one month after the incident
    notification was sent (until it is sent, one month after its due time).

    If the incident is still ongoing at that point, Art. 23(4)(e) asks for a progress
    report then, and the final report one month after the handling ended. Egide reads
    "ongoing" as the incident's current state:

    - ongoing now: a ``nis2_progress_report`` is owed at the one-month mark (if the
      handling ends before, recomputation turns it into the final report, same date);
    - handling ended before the mark: the final report is due at the mark;
    - handling ended after the mark: the progress report was owed at the mark and the
      final report is due one month after the end of handling.
    """
    if not facts.nis2_applies:
        return []
    base = facts.nis2_notification_sent_at or _nis2_notification_due(facts)
    mark = add_one_month(base)
    article_d, article_e = "NIS2 Art. 23(4)(d)", "NIS2 Art. 23(4)(e)"

    def progress() -> Owed:
        return Owed(
            Regime.NIS2_PROGRESS_REPORT, NIS2_RECIPIENT, base, mark, DeadlineKind.HOURS, article_e
        )

    if facts.ongoing or facts.handling_ended_at is None:
        return [progress()]
    ended = facts.handling_ended_at
    if ended <= mark:
        return [
            Owed(
                Regime.NIS2_FINAL_REPORT, NIS2_RECIPIENT, base, mark, DeadlineKind.HOURS, article_d
            )
        ]
    return [
        progress(),
        Owed(
            Regime.NIS2_FINAL_REPORT,
            NIS2_RECIPIENT,
            ended,
            add_one_month(ended),
            DeadlineKind.HOURS,
            article_e,
        ),
    ]


def gdpr_authority(facts: Facts) -> list[Owed]:
    """GDPR Art. 33(1): the controller notifies the supervisory authority (the CNIL)
    without undue delay and, where feasible, within 72 h of becoming aware of a personal
    data breach (Art. 4(12)), unless it is unlikely to result in a risk; a notification
    sent later gives the reasons for the delay."""
    if not facts.gdpr_controller_breach or facts.risk_unlikely:
        return []
    aware = _required(facts.gdpr_aware_at)
    return [
        Owed(
            Regime.GDPR_AUTHORITY,
            _("CNIL (supervisory authority)"),
            aware,
            aware + timedelta(hours=72),
            DeadlineKind.HOURS,
            "GDPR Art. 33(1)",
        )
    ]


def gdpr_data_subjects(facts: Facts) -> list[Owed]:
    """GDPR Art. 34(1): when the breach is likely to result in a high risk to the rights
    and freedoms of persons, the controller tells the data subjects without undue delay,
    unless an exception of Art. 34(3) applies."""
    if not facts.gdpr_controller_breach or not facts.high_risk or facts.art34_exception:
        return []
    aware = _required(facts.gdpr_aware_at)
    return [
        Owed(
            Regime.GDPR_DATA_SUBJECTS,
            _("The data subjects"),
            aware,
            aware,
            DeadlineKind.WITHOUT_UNDUE_DELAY,
            "GDPR Art. 34(1)",
        )
    ]


def gdpr_public_communication(facts: Facts) -> list[Owed]:
    """GDPR Art. 34(3)(c): when telling each person would involve disproportionate
    effort, a public communication (or similar measure) informs them as effectively."""
    if (
        not facts.gdpr_controller_breach
        or not facts.high_risk
        or facts.art34_exception != Art34Exception.DISPROPORTIONATE_EFFORT
    ):
        return []
    aware = _required(facts.gdpr_aware_at)
    return [
        Owed(
            Regime.GDPR_PUBLIC_COMMUNICATION,
            _("The public"),
            aware,
            aware,
            DeadlineKind.WITHOUT_UNDUE_DELAY,
            "GDPR Art. 34(3)(c)",
        )
    ]


def gdpr_controller(facts: Facts) -> list[Owed]:
    """GDPR Art. 33(2): a processor tells the controller without undue delay after
    becoming aware of a personal data breach."""
    if not facts.personal_data_breach or not facts.acting_as_processor:
        return []
    aware = _required(facts.gdpr_aware_at)
    return [
        Owed(
            Regime.GDPR_CONTROLLER,
            _("The controller (the customer whose data were breached)"),
            aware,
            aware,
            DeadlineKind.WITHOUT_UNDUE_DELAY,
            "GDPR Art. 33(2)",
        )
    ]


def health_ars(facts: Facts) -> list[Owed]:
    """Art. L.1111-8-2 CSP (décret 2016-1214, extended by décret 2022-715): a health
    establishment reports a serious (or significant) incident of its information
    systems to the ARS "sans délai", through the portail de signalement des événements
    sanitaires indésirables."""
    if not facts.health_establishment_serious:
        return []
    aware = _required(facts.health_aware_at)
    return [
        Owed(
            Regime.HEALTH_ARS,
            _("ARS (portail de signalement; CERT Santé)"),
            aware,
            aware,
            DeadlineKind.WITHOUT_UNDUE_DELAY,
            "CSP art. L.1111-8-2",
        )
    ]


RULES: tuple[Callable[[Facts], list[Owed]], ...] = (
    nis2_early_warning,
    nis2_notification,
    nis2_final_report,
    gdpr_authority,
    gdpr_data_subjects,
    gdpr_public_communication,
    gdpr_controller,
    health_ars,
)


def owed_notifications(facts: Facts) -> list[Owed]:
    """Every notification the facts make owed, in the order of the table."""
    return [owed for rule in RULES for owed in rule(facts)]


# What each stage must contain (the draft documents' fields), by regime.
STAGE_ARTICLE: dict[str, str] = {
    Regime.NIS2_EARLY_WARNING: "NIS2 Art. 23(4)(a)",
    Regime.NIS2_NOTIFICATION: "NIS2 Art. 23(4)(b)",
    Regime.NIS2_PROGRESS_REPORT: "NIS2 Art. 23(4)(e)",
    Regime.NIS2_FINAL_REPORT: "NIS2 Art. 23(4)(d)",
    Regime.GDPR_AUTHORITY: "GDPR Art. 33(3)",
    Regime.GDPR_DATA_SUBJECTS: "GDPR Art. 34(2)",
    Regime.GDPR_PUBLIC_COMMUNICATION: "GDPR Art. 34(3)(c)",
    Regime.GDPR_CONTROLLER: "GDPR Art. 33(2)",
    Regime.HEALTH_ARS: "CSP art. L.1111-8-2, D.1111-16-2",
}
