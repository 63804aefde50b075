"""The rules engine of the processing register: small named functions, one per rule,
each citing its article. ``evaluate(facts)`` runs them all on one processing.

A rule returns ``None`` when the processing passes, or a :class:`Message` saying what is
wrong. References are catalogue keys (``gdpr:9.2`` is requirement 9.2 of
controls/catalogues/gdpr.yaml, ``lil-art66:AUTH`` the CNIL authorisation of
lil-art66.yaml, ``hds-2024:EXI-28``...) or, for texts outside the catalogues, a key of
``OTHER_REFERENCES``; a test checks that every catalogue key exists.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from privacy.choices import (
    EXEMPT_USES,
    RecipientKind,
    RouteKind,
    Severity,
    TransferSafeguard,
    Use,
)
from privacy.choices import DirectIdentifier as DI
from privacy.models import Article66Route, ProcessingActivity, Recipient

# Texts cited by the rules that are not requirements of a loaded catalogue (BRIEF §3-5).
OTHER_REFERENCES: dict[str, dict[str, str]] = {
    "gdpr-recital-26": {"fr": "RGPD considérant 26", "en": "GDPR Recital 26"},
    "gdpr-art-45": {"fr": "RGPD art. 45", "en": "GDPR Art. 45"},
    "gdpr-art-46": {"fr": "RGPD art. 46", "en": "GDPR Art. 46"},
    "gdpr-art-49": {"fr": "RGPD art. 49(1)", "en": "GDPR Art. 49(1)"},
    "wp216": {
        "fr": "Avis G29 05/2014 sur l'anonymisation (WP216)",
        "en": "WP29 Opinion 05/2014 on anonymisation (WP216)",
    },
    "cnil-san-2024-013": {
        "fr": "CNIL, SAN-2024-013 du 5 sept. 2024 (Cegedim Santé)",
        "en": "CNIL, SAN-2024-013 of 5 Sep 2024 (Cegedim Santé)",
    },
    "cjeu-c-667-21": {
        "fr": "CJUE C-667/21 (source secondaire)",
        "en": "CJEU C-667/21 (secondary source)",
    },
    "csp-l1111-8": {"fr": "CSP art. L.1111-8", "en": "CSP Art. L.1111-8"},
}

_LIL = {
    "PUBLIC-INTEREST": ("art. 66 loi n° 78-17", "Art. 66 loi n° 78-17"),
    "EXEMPT": ("art. 65 loi n° 78-17", "Art. 65 loi n° 78-17"),
    "EXEMPT-CARE": ("art. 65 loi n° 78-17 (soins)", "Art. 65 loi n° 78-17 (care)"),
    "EXEMPT-INTERNAL": (
        "art. 65 loi n° 78-17 (études internes)",
        "Art. 65 loi n° 78-17 (internal studies)",
    ),
    "MR": ("art. 66 loi n° 78-17, méthodologies de référence", "Art. 66 loi n° 78-17, MRs"),
    "EDS": (
        "référentiel CNIL « entrepôts de données de santé »",
        "CNIL health data warehouse référentiel",
    ),
    "AUTH": ("art. 66-III loi n° 78-17", "Art. 66-III loi n° 78-17"),
    "CESREES": ("art. 66 loi n° 78-17, avis du CESREES", "Art. 66 loi n° 78-17, CESREES opinion"),
}


def reference_label(key: str, language: str | None = None) -> str:
    """``gdpr:9.2.a`` → "RGPD art. 9(2)(a)" / "GDPR Art. 9(2)(a)"."""
    english = (language or translation.get_language() or "fr").startswith("en")
    if key in OTHER_REFERENCES:
        return OTHER_REFERENCES[key]["en" if english else "fr"]
    framework, _sep, ref = key.partition(":")
    if framework == "gdpr":
        number, *points = ref.split(".")
        return (
            ("GDPR Art. " if english else "RGPD art. ") + number + "".join(f"({p})" for p in points)
        )
    if framework == "lil-art66":
        if re.fullmatch(r"MR-00\d", ref):
            return f"{'Art.' if english else 'art.'} 66 loi n° 78-17, {ref}"
        fr_label, en_label = _LIL[ref]
        return en_label if english else fr_label
    if framework == "hds-2024":
        return ("HDS v2 " if english else "Référentiel HDS v2, ") + ref.replace("-", " ")
    return key


def references_label(keys: str | tuple[str, ...] | list[str], language: str | None = None) -> str:
    if isinstance(keys, str):
        keys = keys.split()
    return " ; ".join(reference_label(key, language) for key in keys)


@dataclass(frozen=True)
class Message:
    """A finding's text: a translatable msgid and its parameters, rendered in French and
    English when the finding is stored."""

    text: Promise
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, language: str) -> str:
        with translation.override(language):
            values = {
                name: ", ".join(str(v) for v in value)
                if isinstance(value, list | tuple)
                else str(value)
                for name, value in self.params.items()
            }
            return str(self.text) % values if values else str(self.text)


@dataclass(frozen=True)
class Facts:
    """What the rules look at for one processing (loaded once, no query per rule)."""

    processing: ProcessingActivity
    recipients: list[Recipient]
    route: Article66Route | None
    today: datetime.date
    anonymity_assessment_passed: bool = False

    @property
    def commercial_reusers(self) -> list[Recipient]:
        return [r for r in self.recipients if r.kind == RecipientKind.COMMERCIAL_REUSER]


RuleCheck = Callable[[Facts], Message | None]


@dataclass(frozen=True)
class Rule:
    code: str
    title: Promise
    summary: Promise
    severity: Severity
    references: tuple[str, ...]
    check: RuleCheck

    @property
    def explanation(self) -> str:
        return (self.check.__doc__ or "").strip()

    def references_label(self, language: str | None = None) -> str:
        return references_label(self.references, language)


RULES: list[Rule] = []


def rule(
    code: str,
    *,
    title: Promise,
    summary: Promise,
    severity: Severity,
    references: tuple[str, ...],
) -> Callable[[RuleCheck], RuleCheck]:
    """Register a rule: its code, a title and a one-sentence summary for the rules page
    (translated), its severity and the texts it applies (catalogue keys)."""

    def register(check: RuleCheck) -> RuleCheck:
        RULES.append(Rule(code, title, summary, severity, references, check))
        return check

    return register


def anonymity_assessment_passed(processing: ProcessingActivity) -> bool:
    """HOOK for issue 7 (anonymity assessments, WP216 three criteria).

    A processing that declares its data anonymised is treated as pseudonymised until a
    *passing* anonymity assessment is linked to it. The ``anonymity`` app answers through
    ``anonymity.selectors.passing_assessment_exists(processing) -> bool`` (its latest
    linked assessment says "anonymous") and calls ``privacy.services.findings_recompute``
    when an assessment changes. Without that app, no claim passes."""
    if processing.pk is None or not apps.is_installed("anonymity"):
        return False
    try:
        from anonymity import selectors  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return False
    check = getattr(selectors, "passing_assessment_exists", None)
    return bool(check(processing)) if callable(check) else False


# --- Article 66 (loi n° 78-17) ------------------------------------------------------


def _needs_formality(facts: Facts) -> bool:
    processing = facts.processing
    return processing.has_health_data and bool(
        processing.secondary_uses or facts.commercial_reusers
    )


@rule(
    "ART66-MISSING",
    summary=_(
        "Health data reused for research, studies, evaluation or statistics, or passed to a "
        "commercial reuser, need a declaration of conformity or a CNIL authorisation before the "
        "processing starts."
    ),
    title=_("Article 66 formality missing"),
    severity=Severity.CRITICAL,
    references=("lil-art66:PUBLIC-INTEREST", "lil-art66:MR", "lil-art66:AUTH", "gdpr:9.2"),
)
def article66_formality_missing(facts: Facts) -> Message | None:
    """Loi n° 78-17 art. 66 (under GDPR Art. 9(4)): health data reused for research,
    studies, evaluation or statistics, or passed to a commercial reuser, need a
    declaration of conformity to an MR or référentiel or a CNIL authorisation
    (art. 66-III) before the processing starts. An Art. 65 exemption does not cover
    these reuses (that is the scope rule); a lodged file is not yet a formality."""
    if not _needs_formality(facts):
        return None
    if facts.route is not None and facts.route.kind not in (RouteKind.PENDING, RouteKind.EXEMPT):
        return None
    reasons: list[Any] = [Use(u).label for u in facts.processing.secondary_uses]
    reasons += [r.name for r in facts.commercial_reusers]
    if facts.route is not None and facts.route.kind == RouteKind.EXEMPT:
        return Message(
            _(
                "Health data are reused (%(reasons)s) under an Art. 65 exemption, which "
                "covers only care and the care team's internal studies: a declaration or a "
                "CNIL authorisation is needed."
            ),
            {"reasons": reasons},
        )
    if facts.route is not None:
        return Message(
            _(
                "Health data are reused (%(reasons)s) while the Article 66 file is only "
                "pending: the processing may not start before the CNIL decides."
            ),
            {"reasons": reasons},
        )
    return Message(
        _(
            "Health data are reused (%(reasons)s) with no Article 66 formality: declare "
            "conformity to a reference methodology or référentiel, or obtain a CNIL "
            "authorisation (art. 66-III)."
        ),
        {"reasons": reasons},
    )


@rule(
    "ART66-NO-ROUTE",
    summary=_(
        "Every processing of health data is either exempt (Art. 65) or follows a formality: the "
        "choice is written in the register."
    ),
    title=_("Health-data processing not placed on an Article 66 route"),
    severity=Severity.MEDIUM,
    references=("lil-art66:EXEMPT", "gdpr:30.1"),
)
def article66_route_not_recorded(facts: Facts) -> Message | None:
    """Loi n° 78-17 art. 65-66: every processing of health data is either exempt (art. 65,
    e.g. individual care) or subject to a formality; the CNIL expects the choice to be
    documented in the Art. 30 register. Reuses without a route are the critical rule."""
    if not facts.processing.has_health_data or facts.route is not None:
        return None
    if facts.processing.role == "processor" or _needs_formality(facts):
        return None
    return Message(
        _(
            "This processing of health data is on no Article 66 route: record the Art. 65 "
            "exemption (care, internal study) or the formality it follows."
        )
    )


@rule(
    "ART66-EXPIRED",
    summary=_("A CNIL authorisation covers the processing only until its expiry date."),
    title=_("Article 66 authorisation expired"),
    severity=Severity.HIGH,
    references=("lil-art66:AUTH",),
)
def article66_route_expired(facts: Facts) -> Message | None:
    """Loi n° 78-17 art. 66-III: a CNIL authorisation covers the processing only until
    its expiry date; after it, the processing has no formality."""
    route = facts.route
    if route is None or not route.expired_on(facts.today):
        return None
    return Message(
        _("The Article 66 route expired on %(date)s: renew it or stop the processing."),
        {"date": route.expires_on.isoformat() if route.expires_on else ""},
    )


@rule(
    "ART66-SCOPE",
    summary=_(
        "A route covers only the uses and recipients it names; an exemption covers only care and "
        "the care team's internal studies."
    ),
    title=_("Article 66 route does not cover what is recorded"),
    severity=Severity.HIGH,
    references=("lil-art66:EXEMPT", "lil-art66:AUTH", "lil-art66:MR"),
)
def article66_route_scope(facts: Facts) -> Message | None:
    """Loi n° 78-17 art. 65-66: an Art. 65 exemption covers only care and the care team's
    internal studies; a declaration or an authorisation covers only the purposes and
    recipients it names. Any recorded use or recipient type outside that scope needs its
    own formality."""
    route = facts.route
    if route is None or route.kind == RouteKind.PENDING:
        return None
    processing = facts.processing
    if route.kind == RouteKind.EXEMPT and _needs_formality(facts):
        return None  # a reuse under an exemption is "formality missing", critical
    if route.kind == RouteKind.EXEMPT:
        covered_uses: set[str] = set(EXEMPT_USES)
        covered_kinds = set(RecipientKind.values) - {RecipientKind.COMMERCIAL_REUSER}
    else:
        covered_uses = set(route.covered_uses)
        covered_kinds = set(route.covered_recipient_kinds)
        if not covered_uses and not covered_kinds:
            return None  # scope recorded as free text only: nothing to compare
    missing_uses = [Use(u).label for u in processing.uses if covered_uses and u not in covered_uses]
    missing_kinds = sorted(
        {
            RecipientKind(r.kind).label
            for r in facts.recipients
            if covered_kinds and r.kind not in covered_kinds
        },
        key=str,
    )
    if not missing_uses and not missing_kinds:
        return None
    return Message(
        _(
            "The route (%(route)s) does not cover these uses: %(uses)s; nor these "
            "recipients: %(recipients)s."
        ),
        {
            "route": RouteKind(route.kind).label,
            "uses": missing_uses or ["—"],
            "recipients": missing_kinds or ["—"],
        },
    )


@rule(
    "ART66-MR-IDENTIFIERS",
    summary=_(
        "A project under a reference methodology may not hold direct identifiers such as the "
        "name, the full date of birth or the NIR."
    ),
    title=_("Direct identifiers under a reference methodology"),
    severity=Severity.HIGH,
    references=("lil-art66:MR",),
)
def mr_direct_identifiers(facts: Facts) -> Message | None:
    """CNIL reference methodologies (MR-001 … MR-008): a project declared under an MR may
    not hold direct identifiers such as the name, the full date of birth, the NIR, the
    IPP/IPE or geolocation (secondary source, BRIEF §4.2). Holding them takes the project
    out of the MR: it then needs a CNIL authorisation (art. 66-III)."""
    route = facts.route
    if route is None or route.kind != RouteKind.MR_DECLARATION:
        return None
    held = [DI(code).label for code in facts.processing.direct_identifiers if code in DI.values]
    if not held:
        return None
    return Message(
        _("%(mr)s excludes direct identifiers, yet the register records: %(identifiers)s."),
        {"mr": route.methodology or "MR", "identifiers": held},
    )


# --- Anonymisation ------------------------------------------------------------------


@rule(
    "ANON-CLAIM",
    summary=_(
        "Pseudonymised data are personal data: a claim of anonymity counts only with a passing "
        "anonymity assessment (singling out, linkability, inference)."
    ),
    title=_("Claimed anonymous: treat as pseudonymised"),
    severity=Severity.HIGH,
    references=("gdpr-recital-26", "wp216", "cnil-san-2024-013", "lil-art66:AUTH"),
)
def claimed_anonymous(facts: Facts) -> Message | None:
    """GDPR Recital 26 and WP29 Opinion 05/2014 (WP216): pseudonymised data that can be
    attributed to a person are personal data; only data that resist singling out,
    linkability and inference are anonymous. In SAN-2024-013 the CNIL found "anonymised"
    consultation data to be pseudonymised, so the GDPR and Article 66 applied. A claim is
    accepted only with a passing anonymity assessment."""
    if not facts.processing.claims_anonymised or facts.anonymity_assessment_passed:
        return None
    return Message(
        _(
            "Data declared anonymised with no passing anonymity assessment: treat them as "
            "pseudonymised; the GDPR and Article 66 apply."
        )
    )


# --- GDPR Art. 6 and 9 --------------------------------------------------------------


@rule(
    "ART9-NO-CONDITION",
    summary=_(
        "Special-category data may be processed only under one of the conditions of Art. 9(2)."
    ),
    title=_("Special-category data without an Art. 9(2) condition"),
    severity=Severity.CRITICAL,
    references=("gdpr:9.1", "gdpr:9.2"),
)
def article9_condition_missing(facts: Facts) -> Message | None:
    """GDPR Art. 9(1) prohibits processing special categories of data (health, genetic,
    biometric, ...) unless one of the conditions of Art. 9(2)(a)-(j) applies. The
    controller chooses it: a processor line is not checked."""
    processing = facts.processing
    if processing.role == "processor":
        return None  # the condition is the controller's (a processor line records its client)
    if not processing.special_categories or processing.article9_condition:
        return None
    return Message(
        _("Special categories (%(categories)s) are processed with no Art. 9(2) condition."),
        {"categories": processing.special_category_labels()},
    )


@rule(
    "ART6-NO-BASIS",
    summary=_(
        "Every processing needs an Art. 6(1) lawful basis, in addition to the Art. 9(2) "
        "condition for special categories."
    ),
    title=_("No Art. 6(1) lawful basis"),
    severity=Severity.HIGH,
    references=("gdpr:6.1", "gdpr:9.2", "cjeu-c-667-21"),
)
def article6_basis_missing(facts: Facts) -> Message | None:
    """GDPR Art. 6(1): every processing needs one lawful basis (a)-(f). An Art. 9(2)
    condition does not replace it: CJEU C-667/21 holds that both are needed (secondary
    source, BRIEF §3)."""
    processing = facts.processing
    if processing.legal_basis or processing.role == "processor":
        return None
    if processing.article9_condition:
        return Message(
            _("An Art. 9(2) condition is recorded but no Art. 6(1) lawful basis: both are needed.")
        )
    return Message(_("No Art. 6(1) lawful basis is recorded."))


# --- DPIA (Art. 35) -----------------------------------------------------------------


@rule(
    "DPIA-MISSING",
    summary=_(
        "A DPIA is required for the cases of Art. 35(3), large-scale health data being the "
        "common one in health."
    ),
    title=_("DPIA required and not carried out"),
    severity=Severity.HIGH,
    references=("gdpr:35.1", "gdpr:35.3"),
)
def dpia_missing(facts: Facts) -> Message | None:
    """GDPR Art. 35(1) and 35(3): a DPIA is required before processing likely to cause a
    high risk, in particular (a) systematic automated evaluation with legal or similar
    effects, (b) large-scale special-category data (large-scale health data, the common
    case in health), (c) large-scale systematic monitoring of a public area. The DPIA is
    the controller's: a processor line is not checked."""
    cases = facts.processing.dpia_required()
    if facts.processing.role == "processor":
        return None  # Art. 35(1): the controller carries out the DPIA
    if not cases or facts.processing.dpia_done_on:
        return None
    return Message(_("A DPIA is required (%(cases)s) and none is recorded."), {"cases": cases})


@rule(
    "DPIA-REVIEW",
    summary=_("The DPIA is reviewed when the risk changes, at the latest on the review date set."),
    title=_("DPIA review date passed"),
    severity=Severity.MEDIUM,
    references=("gdpr:35.7",),
)
def dpia_review_overdue(facts: Facts) -> Message | None:
    """GDPR Art. 35: the DPIA is reviewed when the risk changes; Egide tracks the review
    date the DPO set and flags it once passed."""
    review = facts.processing.dpia_review_on
    if not facts.processing.dpia_done_on or review is None or review >= facts.today:
        return None
    return Message(_("The DPIA was due for review on %(date)s."), {"date": review.isoformat()})


# --- Transfers and hosting ------------------------------------------------------------


@rule(
    "TRANSFER-NO-SAFEGUARD",
    summary=_(
        "Data leaving the EEA need an adequacy decision, appropriate safeguards or a documented "
        "derogation."
    ),
    title=_("Transfer outside the EEA without safeguards"),
    severity=Severity.HIGH,
    references=("gdpr:30.1", "gdpr-art-45", "gdpr-art-46", "gdpr-art-49", "hds-2024:EXI-29"),
)
def transfer_without_safeguard(facts: Facts) -> Message | None:
    """GDPR Art. 30(1)(e) and Art. 45, 46, 49(1): data stored or received outside the EEA
    need an adequacy decision, appropriate safeguards or a documented derogation
    (HDS v2 EXI 29 for remote access to health data)."""
    processing = facts.processing
    outside: list[Any] = []
    if processing.data_location == "outside_eea":
        outside.append(_("the data themselves"))
    if processing.third_country_transfers.strip():
        outside.append(processing.third_country_transfers.strip()[:80])
    outside += [r.name for r in facts.recipients if r.location == "outside_eea"]
    if not outside:
        return None
    if processing.transfer_safeguard and (
        processing.transfer_safeguard != TransferSafeguard.DEROGATION
        or processing.transfer_safeguard_documentation.strip()
    ):
        return None
    return Message(
        _("Data leave the EEA (%(where)s) with no documented safeguard (Art. 45, 46 or 49(1))."),
        {"where": outside},
    )


@rule(
    "HDS-EEA-STORAGE",
    summary=_("Health data hosted by an HDS host are stored exclusively in the EEA."),
    title=_("Health data stored outside the EEA"),
    severity=Severity.HIGH,
    references=("hds-2024:EXI-28",),
)
def health_data_stored_outside_eea(facts: Facts) -> Message | None:
    """HDS v2 EXI 28: where hosting involves storage, personal health data are stored
    exclusively in the EEA, and the location is documented."""
    processing = facts.processing
    if not processing.has_health_data:
        return None
    hosts: list[Any] = [
        r.processor.name
        for r in facts.recipients
        if r.processor is not None
        and r.processor.hosts_data
        and r.processor.location == "outside_eea"
    ]
    if processing.data_location == "outside_eea":
        hosts.insert(0, _("the data themselves"))
    if not hosts:
        return None
    return Message(_("Health data are stored outside the EEA: %(hosts)s."), {"hosts": hosts})


@rule(
    "HDS-CERTIFICATE",
    summary=_(
        "Whoever hosts health data on behalf of a care provider or a patient must hold a valid "
        "HDS certificate."
    ),
    title=_("Health data hosted by a processor without a valid HDS certificate"),
    severity=Severity.HIGH,
    references=("csp-l1111-8", "hds-2024:EXI-01"),
)
def hds_certificate_missing(facts: Facts) -> Message | None:
    """CSP art. L.1111-8: whoever hosts personal health data on behalf of the producer or
    the patient must hold the HDS certification; a certificate past its expiry date no
    longer covers the hosting."""
    if not facts.processing.has_health_data:
        return None
    hosts: list[Any] = [
        r.processor.name
        for r in facts.recipients
        if r.processor is not None
        and r.processor.hosts_data
        and not r.processor.hds_valid_on(facts.today)
    ]
    if not hosts:
        return None
    return Message(
        _("Health data are hosted by %(hosts)s with no valid HDS certificate."), {"hosts": hosts}
    )


# --- Roles and the register itself ----------------------------------------------------


@rule(
    "PROCESSOR-REUSE",
    summary=_(
        "A processor acts only on the controller's instructions; reusing the data for its own "
        "studies or sales makes it a controller."
    ),
    title=_("A processor that reuses the data for its own purposes"),
    severity=Severity.CRITICAL,
    references=("gdpr:28.3", "cnil-san-2024-013"),
)
def processor_reuses_data(facts: Facts) -> Message | None:
    """GDPR Art. 28(3)(a): a processor acts only on the controller's documented
    instructions. A party that reuses the data for studies or statistics, or sells them,
    decides purposes of its own: the CNIL held such a publisher to be a controller, not a
    processor (SAN-2024-013)."""
    processing = facts.processing
    if processing.role != "processor":
        return None
    if not processing.secondary_uses and not facts.commercial_reusers:
        return None
    return Message(
        _(
            "Recorded as a processor, yet the data are reused (studies, statistics or "
            "commercial recipients): for that reuse the organisation is a controller."
        )
    )


@rule(
    "REGISTER-INCOMPLETE",
    summary=_("The register holds every field of Art. 30(1) (controller) or 30(2) (processor)."),
    title=_("Register line incomplete"),
    severity=Severity.LOW,
    references=("gdpr:30.1", "gdpr:30.2"),
)
def register_incomplete(facts: Facts) -> Message | None:
    """GDPR Art. 30(1) (controller) and 30(2) (processor) list what the register holds:
    contacts, purposes, categories of data subjects and data, recipients, transfers,
    erasure time limits, security measures."""
    p = facts.processing
    if p.role == "processor":
        wanted = {
            _("controller"): p.controller_name,
            _("categories of processing"): p.purposes,
            _("security measures"): p.security_measures,
        }
    else:
        wanted = {
            _("purposes"): p.purposes,
            _("categories of data subjects"): p.data_subject_categories,
            _("categories of personal data"): p.personal_data_categories,
            _("erasure time limits"): p.retention,
            _("security measures"): p.security_measures,
        }
    missing = [label for label, value in wanted.items() if not str(value).strip()]
    if not missing:
        return None
    return Message(_("Missing from the register: %(fields)s."), {"fields": missing})


RULES_BY_CODE = {r.code: r for r in RULES}


@dataclass(frozen=True)
class FindingDraft:
    rule: Rule
    message_fr: str
    message_en: str


def evaluate(facts: Facts) -> list[FindingDraft]:
    """Every rule on one processing; the findings to store."""
    drafts = []
    for item in RULES:
        message = item.check(facts)
        if message is not None:
            drafts.append(FindingDraft(item, message.render("fr"), message.render("en")))
    return drafts
