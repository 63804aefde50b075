"""Pages of this app that span organisations, mounted under /audits/ by compliance.urls."""

from django.urls import URLPattern, URLResolver, path

from audits.views import portfolio

urlpatterns: list[URLPattern | URLResolver] = [
    path("portfolio/", portfolio.portfolio, name="audits_portfolio"),
]
