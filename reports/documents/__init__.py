"""The documents this app registers itself: the SoA now, the evidence pack and the
remediation plan once the audits and evidence apps provide their models."""

from __future__ import annotations


def register_builtin_documents() -> None:
    from reports.documents import soa
    from reports.registry import register_document, register_manifest_check

    register_document("soa", label=soa.LABEL, build=soa.build, clean=soa.clean)
    register_manifest_check("soa_version", soa.check_soa_version)
