"""The one scoping entry point for tenant data.

Every model that belongs to an organisation uses a queryset derived from
``TenantQuerySet``. Views and API endpoints start every query from ``for_user``,
``for_api_key`` or ``for_membership``; none of them filters by organisation by hand, so
another organisation's object is simply not found (404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.db import models

if TYPE_CHECKING:
    from compliance.models.api_key import ApiKey
    from compliance.models.organisation import Membership


class TenantQuerySet(models.QuerySet[Any]):
    # Lookup path from the model to its Organisation ("organisation", "audit__organisation").
    tenant_path: ClassVar[str] = "organisation"

    def for_user(self, user: Any) -> Self:
        """Rows of every organisation the user is an active member of."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(
            **{
                f"{self.tenant_path}__memberships__user": user,
                f"{self.tenant_path}__is_active": True,
            }
        )

    def for_api_key(self, api_key: ApiKey) -> Self:
        """Rows of the API key's organisation only."""
        return self.filter(**{self.tenant_path: api_key.organisation_id})

    def for_membership(self, membership: Membership) -> Self:
        """Rows of the organisation a (resolved, current) membership opens."""
        return self.filter(**{self.tenant_path: membership.organisation_id})
