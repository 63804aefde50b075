"""The documents this app registers itself: the SoA, and the evidence pack and the
remediation plan built from the audits and evidence apps' models."""

from __future__ import annotations


def register_builtin_documents() -> None:
    from reports.documents import audit_pack, soa
    from reports.registry import register_document, register_manifest_check

    register_document("soa", label=soa.LABEL, build=soa.build, clean=soa.clean)
    register_manifest_check("soa_version", soa.check_soa_version)
    register_document(
        "evidence_pack",
        label=audit_pack.EVIDENCE_PACK_LABEL,
        build=audit_pack.build_evidence_pack,
        clean=audit_pack.clean_evidence_pack,
        bundle=True,
    )
    register_manifest_check("evidence_revision", audit_pack.check_evidence_revision)
    register_document(
        "remediation_plan",
        label=audit_pack.REMEDIATION_PLAN_LABEL,
        build=audit_pack.build_remediation_plan,
        clean=audit_pack.clean_remediation_plan,
    )
