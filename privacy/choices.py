"""Stable codes of the processing register (GDPR Art. 30) and of the Article 66 routes
(loi n° 78-17); the database stores the codes, the UI shows the translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProcessingRole(models.TextChoices):
    """The organisation's role for one processing (GDPR Art. 4(7), 26, 28; register of
    Art. 30(1) for controllers, Art. 30(2) for processors)."""

    CONTROLLER = "controller", _("Controller")
    JOINT_CONTROLLER = "joint_controller", _("Joint controller")
    PROCESSOR = "processor", _("Processor")


class LegalBasis(models.TextChoices):
    """GDPR Art. 6(1)(a)-(f)."""

    CONSENT = "a", _("6(1)(a) Consent")
    CONTRACT = "b", _("6(1)(b) Contract")
    LEGAL_OBLIGATION = "c", _("6(1)(c) Legal obligation")
    VITAL_INTERESTS = "d", _("6(1)(d) Vital interests")
    PUBLIC_INTEREST = "e", _("6(1)(e) Public interest or official authority")
    LEGITIMATE_INTERESTS = "f", _("6(1)(f) Legitimate interests")


class Article9Condition(models.TextChoices):
    """GDPR Art. 9(2)(a)-(j): the exception that lifts the Art. 9(1) prohibition."""

    EXPLICIT_CONSENT = "a", _("9(2)(a) Explicit consent")
    EMPLOYMENT = "b", _("9(2)(b) Employment and social security law")
    VITAL_INTERESTS = "c", _("9(2)(c) Vital interests, person unable to consent")
    NOT_FOR_PROFIT = "d", _("9(2)(d) Not-for-profit body, its members")
    MADE_PUBLIC = "e", _("9(2)(e) Data manifestly made public")
    LEGAL_CLAIMS = "f", _("9(2)(f) Legal claims")
    SUBSTANTIAL_PUBLIC_INTEREST = "g", _("9(2)(g) Substantial public interest")
    HEALTH_CARE = "h", _("9(2)(h) Preventive or occupational medicine, diagnosis, care")
    PUBLIC_HEALTH = "i", _("9(2)(i) Public health")
    RESEARCH = "j", _("9(2)(j) Archiving, research or statistics (Art. 89(1))")


class SpecialCategory(models.TextChoices):
    """GDPR Art. 9(1) special categories of personal data."""

    HEALTH = "health", _("Health")
    GENETIC = "genetic", _("Genetic")
    BIOMETRIC = "biometric", _("Biometric (unique identification)")
    SEX_LIFE = "sex_life", _("Sex life or sexual orientation")
    RELIGION = "religion", _("Religious or philosophical beliefs")
    ETHNIC_ORIGIN = "ethnic_origin", _("Racial or ethnic origin")
    POLITICAL = "political", _("Political opinions")
    TRADE_UNION = "trade_union", _("Trade-union membership")


class Use(models.TextChoices):
    """What the data are used for, as the Article 66 rules need it: care and internal
    studies are Art. 65 exceptions; research, evaluation, statistics and warehouses are
    reuses that need a formality (LIL art. 66)."""

    CARE = "care", _("Individual patient care")
    INTERNAL_STUDY = "internal_study", _("Internal study by the care team on its own patients")
    ADMINISTRATION = "administration", _("Administration, scheduling")
    BILLING = "billing", _("Billing and reimbursement")
    HUMAN_RESOURCES = "hr", _("Human resources")
    SECURITY = "security", _("Security of premises and systems")
    RESEARCH = "research", _("Research or study")
    EVALUATION = "evaluation", _("Evaluation")
    STATISTICS = "statistics", _("Statistics")
    WAREHOUSE = "warehouse", _("Health data warehouse")
    HOSTING = "hosting", _("Hosting on behalf of a client")
    OTHER = "other", _("Other")


# Reuses of health data that Article 66 subjects to a formality (BRIEF §4.1).
SECONDARY_USES = frozenset({Use.RESEARCH, Use.EVALUATION, Use.STATISTICS, Use.WAREHOUSE})
# What an Art. 65 exemption can cover: care and the care team's internal studies.
EXEMPT_USES = frozenset(
    {Use.CARE, Use.INTERNAL_STUDY, Use.ADMINISTRATION, Use.BILLING, Use.HOSTING}
)


class DirectIdentifier(models.TextChoices):
    """Direct identifiers a reference methodology project may not hold (CNIL MRs,
    secondary source, BRIEF §4.2)."""

    NAME = "name", _("Name")
    FULL_BIRTH_DATE = "full_birth_date", _("Full date of birth")
    NIR = "nir", _("NIR (social security number)")
    IPP = "ipp", _("IPP/IPE (patient identifier of the establishment)")
    GEOLOCATION = "geolocation", _("Geolocation")


class Location(models.TextChoices):
    """Where data are stored (HDS v2 EXI 28: health data exclusively in the EEA)."""

    EEA = "eea", _("Inside the EEA")
    OUTSIDE_EEA = "outside_eea", _("Outside the EEA")


class TransferSafeguard(models.TextChoices):
    """The ground of a transfer outside the EEA (GDPR Art. 30(1)(e), 45, 46, 49(1))."""

    ADEQUACY = "adequacy", _("Adequacy decision (Art. 45)")
    APPROPRIATE_SAFEGUARDS = (
        "safeguards",
        _("Appropriate safeguards, e.g. contractual clauses (Art. 46)"),
    )
    DEROGATION = "derogation", _("Derogation for a specific situation (Art. 49(1))")


class RecipientKind(models.TextChoices):
    """Who receives the data (GDPR Art. 30(1)(d)); the commercial reuser is the
    pattern of the CNIL's SAN-2024-013 decision."""

    CARE_TEAM = "care_team", _("Care team")
    PROCESSOR = "processor", _("Processor or host")
    RESEARCH_BODY = "research_body", _("Research body")
    AUTHORITY = "authority", _("Authority or social security body")
    COMMERCIAL_REUSER = (
        "commercial_reuser",
        _("Commercial reuser (data broker, publisher selling statistics)"),
    )
    INTERNAL = "internal", _("Internal department")
    OTHER = "other", _("Other")


class RouteKind(models.TextChoices):
    """The Article 66 route of a health-data processing (BRIEF §4.1)."""

    EXEMPT = "exempt", _("Exempt (Art. 65)")
    MR_DECLARATION = (
        "mr_declaration",
        _("Declaration of conformity to a reference methodology (MR)"),
    )
    WAREHOUSE_DECLARATION = (
        "warehouse_declaration",
        _("Declaration of conformity to the health data warehouse référentiel"),
    )
    AUTHORISATION = "authorisation", _("CNIL authorisation (Art. 66-III)")
    PENDING = "pending", _("Pending (file lodged, not decided)")


class ExemptionReason(models.TextChoices):
    """Art. 65 exceptions as the CNIL cites them (catalogue lil-art66 EXEMPT-*)."""

    CARE = "care", _("Individual care of the patients")
    INTERNAL_STUDY = "internal_study", _("Internal study by the care team on its own patients")


class Methodology(models.TextChoices):
    MR_001 = "MR-001", _("MR-001: research involving the human person, with consent")
    MR_002 = "MR-002", _("MR-002: performance studies of in-vitro diagnostic devices")
    MR_003 = "MR-003", _("MR-003: research involving the human person, without consent")
    MR_004 = "MR-004", _("MR-004: research not involving the human person")
    MR_005 = "MR-005", _("MR-005: health establishments' access to PMSI and RPU")
    MR_006 = "MR-006", _("MR-006: health-industry access to PMSI")
    MR_007 = "MR-007", _("MR-007: SNDS main database, public-interest mission")
    MR_008 = "MR-008", _("MR-008: SNDS main database, legitimate interest")


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


SEVERITY_ORDER = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW]


class HdsActivity(models.TextChoices):
    """The six HDS hosting activities (art. R.1111-9 CSP)."""

    SITES = "1", _("1. Physical sites")
    HARDWARE = "2", _("2. Hardware infrastructure")
    VIRTUAL = "3", _("3. Virtual infrastructure")
    PLATFORM = "4", _("4. Application-hosting platform")
    OPERATION = "5", _("5. Administration and operation")
    BACKUP = "6", _("6. Backup")


class ImportStatus(models.TextChoices):
    """``queued → running → done | failed`` (a worker applies the file). A context of
    their own: other apps translate the same words for other jobs."""

    QUEUED = "queued", pgettext_lazy("register import", "Queued")
    RUNNING = "running", pgettext_lazy("register import", "Running")
    DONE = "done", pgettext_lazy("register import", "Done")
    FAILED = "failed", pgettext_lazy("register import", "Failed")


class ImportStep(models.TextChoices):
    """What the worker is doing, shown beside the progress bar."""

    READING = "reading", _("Reading the file")
    CHECKING = "checking", _("Checking every line")
    WRITING = "writing", _("Writing the register")
