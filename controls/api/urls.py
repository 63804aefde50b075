from django.urls import path

from controls.api import views

urlpatterns = [
    path("frameworks/", views.FrameworkList.as_view(), name="api-framework-list"),
    path(
        "frameworks/<slug:code>/requirements/",
        views.RequirementList.as_view(),
        name="api-requirement-list",
    ),
    path("frameworks/<slug:code>/statuses/", views.StatusList.as_view(), name="api-status-list"),
    path(
        "frameworks/<slug:code>/statuses/<str:ref_id>/",
        views.StatusDetail.as_view(),
        name="api-status-detail",
    ),
    path("soa/", views.SoaList.as_view(), name="api-soa-list"),
    path("soa/<str:ref_id>/", views.SoaLineDetail.as_view(), name="api-soa-line"),
]
