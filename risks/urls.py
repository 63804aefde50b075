"""HTML pages of this app, mounted under /o/<org_slug>/ by compliance.urls."""

from django.urls import URLPattern, URLResolver, path

from risks.views import outputs, register, setup

urlpatterns: list[URLPattern | URLResolver] = [
    path("risks/", register.risk_register, name="risk_register"),
    path("risks/new/", register.risk_new, name="risk_new"),
    path("risks/<int:pk>/", register.risk_detail, name="risk_detail"),
    path("risks/<int:pk>/edit/", register.risk_edit, name="risk_edit"),
    path("risks/<int:pk>/accept/", register.risk_accept_view, name="risk_accept"),
    path("risks/<int:pk>/reassess/", register.risk_reassess_view, name="risk_reassess"),
    path("risks/<int:pk>/actions/new/", register.risk_action_new, name="risk_action_new"),
    path("risks/<int:pk>/delete/", register.risk_delete_view, name="risk_delete"),
    path("risks/assets/", setup.asset_list, name="asset_list"),
    path("risks/assets/new/", setup.asset_edit, name="asset_new"),
    path("risks/assets/<int:pk>/", setup.asset_edit, name="asset_edit"),
    path("risks/assets/<int:pk>/delete/", setup.asset_delete_view, name="asset_delete"),
    path("risks/method/", setup.risk_method, name="risk_method"),
    path("risks/method/v<int:version>/", setup.risk_method_version, name="risk_method_version"),
    path("risks/library/", setup.library, name="risk_library"),
    path("risks/library/select/", setup.library_select, name="risk_library_select"),
    path("risks/heatmap/", outputs.risk_heatmap, name="risk_heatmap"),
    path("risks/export/", outputs.risk_export, name="risk_export"),
    path("risks/treatment-plan/", outputs.treatment_plan, name="risk_treatment_plan"),
    path("risks/soa/", outputs.soa_coverage, name="risk_soa_coverage"),
    path("risks/soa/<int:pk>/justify/", outputs.soa_justify, name="risk_soa_justify"),
]
