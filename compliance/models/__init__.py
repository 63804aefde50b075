from compliance.models.api_key import ApiKey
from compliance.models.audit import AuditChainHead, AuditEvent
from compliance.models.organisation import Membership, Organisation
from compliance.models.tenancy import TenantQuerySet
from compliance.models.user import User

__all__ = [
    "ApiKey",
    "AuditChainHead",
    "AuditEvent",
    "Membership",
    "Organisation",
    "TenantQuerySet",
    "User",
]
