from django.urls import path

from controls.views import soa

urlpatterns = [
    path("frameworks/", soa.framework_list, name="framework_list"),
    path("frameworks/<slug:code>/", soa.framework_detail, name="framework_detail"),
    path("requirements/<int:pk>/", soa.requirement_save, name="requirement_save"),
    path("requirements/<int:pk>/suggestion/", soa.suggestion_decide, name="suggestion_decide"),
    path("soa/", soa.soa_page, name="soa"),
    path("soa/bulk/", soa.soa_bulk, name="soa_bulk"),
    path("soa/issue/", soa.soa_issue_view, name="soa_issue"),
    path("soa/export/", soa.soa_export, name="soa_export"),
    path("soa/versions/", soa.soa_versions, name="soa_versions"),
    path("soa/versions/<int:number>/", soa.soa_version, name="soa_version"),
]
