from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from compliance.views import accounts, api_keys, audit_trail, health, members, organisations

organisation_patterns: list[URLPattern | URLResolver] = [
    path("", organisations.organisation_home, name="organisation_home"),
    path("settings/", organisations.organisation_settings, name="organisation_settings"),
    path("search/", organisations.organisation_search, name="organisation_search"),
    path("members/", members.member_list, name="member_list"),
    path("members/invite/", members.member_invite, name="member_invite"),
    path("members/<int:pk>/role/", members.member_change_role, name="member_change_role"),
    path("members/<int:pk>/remove/", members.member_remove, name="member_remove"),
    path(
        "members/<int:pk>/resend-invitation/",
        members.member_resend_invitation,
        name="member_resend_invitation",
    ),
    path("api-keys/", api_keys.api_key_list, name="api_key_list"),
    path("api-keys/new/", api_keys.api_key_new, name="api_key_new"),
    path("api-keys/<int:pk>/revoke/", api_keys.api_key_revoke_view, name="api_key_revoke"),
    path("audit-trail/", audit_trail.audit_trail, name="audit_trail"),
    path("", include("controls.urls")),
    path("", include("evidence.urls")),
    path("", include("audits.urls")),
    path("", include("reports.urls")),
    path("", include("privacy.urls")),
    path("", include("incidents.urls")),
    path("", include("risks.urls")),
    path("", include("anonymity.urls")),
]

urlpatterns = [
    path("", organisations.home, name="home"),
    path("organisations/", organisations.organisation_list, name="organisation_list"),
    path("o/<slug:org_slug>/", include(organisation_patterns)),
    path("audits/", include("audits.urls_global")),  # the lead auditor's cross-organisation pages
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", accounts.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", accounts.two_factor_verify, name="two_factor_verify"),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        accounts.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/", include("compliance.api.urls")),
]

handler404 = "compliance.views.errors.not_found"
handler400 = "compliance.views.errors.bad_request"
handler403 = "compliance.views.errors.permission_denied"
handler500 = "compliance.views.errors.server_error"
