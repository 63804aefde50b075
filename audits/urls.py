"""HTML pages of this app, mounted under /o/<org_slug>/ by compliance.urls."""

from django.urls import URLPattern, URLResolver, path

from audits.views import audits, findings, plan

app_name = "audits"

urlpatterns: list[URLPattern | URLResolver] = [
    path("audits/", audits.audit_list, name="audit_list"),
    path("audits/new/", audits.audit_create_view, name="audit_create"),
    path("audits/<int:pk>/", audits.audit_detail, name="audit_detail"),
    path("audits/<int:pk>/edit/", audits.audit_edit, name="audit_edit"),
    path("audits/<int:pk>/status/", audits.audit_transition_view, name="audit_transition"),
    path("audits/<int:pk>/checklist/", audits.checklist, name="checklist"),
    path("audits/<int:audit_pk>/checks/<int:pk>/", audits.check_detail, name="check_detail"),
    path("audits/<int:audit_pk>/checks/<int:pk>/save/", audits.check_save, name="check_save"),
    path("findings/", findings.finding_list, name="finding_list"),
    path("findings/new/", findings.finding_create_view, name="finding_create"),
    path("findings/<int:pk>/", findings.finding_detail, name="finding_detail"),
    path("findings/<int:finding_pk>/actions/new/", plan.action_create_view, name="action_create"),
    path("plan/", plan.plan, name="plan"),
    path("plan/actions/<int:pk>/", plan.action_edit, name="action_edit"),
    path("plan/actions/<int:pk>/verify/", plan.action_verify_view, name="action_verify"),
]
