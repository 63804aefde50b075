"""The request button other apps include on their pages."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import RequestFactory


def test_the_include_posts_the_kind_its_parameter_and_comes_back(org_a, owner):
    request = RequestFactory().get("/o/clinique-des-tilleuls/audits/7/")
    request.user = owner

    html = render_to_string(
        "reports/_request_form.html",
        {
            "kind": "evidence_pack",
            "param_name": "audit",
            "param_value": 7,
            "button": "Dossier de preuves",
            "current_organisation": org_a,
        },
        request=request,
    )

    assert f'action="/o/{org_a.slug}/reports/request/"' in html
    assert 'name="kind" value="evidence_pack"' in html
    assert 'name="param_audit" value="7"' in html
    assert 'name="next" value="/o/clinique-des-tilleuls/audits/7/"' in html
    assert "Dossier de preuves" in html
    assert "include" not in html
