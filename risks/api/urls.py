"""API endpoints of this app, mounted under /api/v1/ by compliance.api.urls."""

from django.urls import URLPattern, URLResolver, path

from risks.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("risks/", views.RiskList.as_view(), name="api-risk-list"),
    path("risks/<int:pk>/", views.RiskDetail.as_view(), name="api-risk-detail"),
    path("risks/assets/", views.AssetList.as_view(), name="api-asset-list"),
    path("risks/assets/<int:pk>/", views.AssetDetail.as_view(), name="api-asset-detail"),
    path("risks/treatments/", views.TreatmentList.as_view(), name="api-treatment-list"),
    path("risks/<int:pk>/treatment/", views.TreatmentDetail.as_view(), name="api-treatment-detail"),
    path("risks/library/", views.LibraryList.as_view(), name="api-risk-library"),
    path("risks/library/select/", views.LibrarySelect.as_view(), name="api-risk-library-select"),
    path("risks/method/", views.MethodView.as_view(), name="api-risk-method"),
]
