from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from compliance.api import views

router = SimpleRouter(trailing_slash=True)
router.register("members", views.MemberViewSet, basename="api-member")
router.register("audit-events", views.AuditEventViewSet, basename="api-audit-event")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up code as a script file: no inline script,
    # so the Content-Security-Policy holds on this page too. Swagger UI injects its own
    # <style> element, allowed on this page only.
    path(
        "docs/",
        csp_update({"style-src-elem": [SELF, UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("organisation/", views.OrganisationView.as_view(), name="api-organisation"),
    path("", include(router.urls)),
    path("", include("controls.api.urls")),
    path("", include("evidence.api.urls")),
    path("", include("audits.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("privacy.api.urls")),
    path("", include("incidents.api.urls")),
    path("", include("risks.api.urls")),
    path("", include("anonymity.api.urls")),
]

# bench/load only: the stack's ceiling, see compliance/api/bench.py.
if settings.EGIDE_BENCH_ENDPOINTS:
    from compliance.api.bench import CeilingView

    urlpatterns.append(path("bench/ceiling/", CeilingView.as_view(), name="api-bench-ceiling"))
