"""PAdES signatures (ETSI EN 319 142) on rendered documents, with pyHanko.

An organisation signs its documents when a PKCS#12 file is configured for it:
``EGIDE_REPORT_SIGNING_DIR/<organisation slug>.p12`` with its passphrase in
``<slug>.p12.pass`` next to it (both readable by the worker only). No file, no
signature: the document is still hashed and its hash recorded on the job.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass
class SigningMaterial:
    pkcs12: bytes
    passphrase: bytes


@dataclass
class SignatureCheck:
    present: bool
    intact: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signer: str = ""

    @property
    def ok(self) -> bool:
        return not self.present or (self.intact and self.trusted and self.covers_whole_file)


def signing_paths(slug: str) -> tuple[Path, Path]:
    directory = Path(settings.EGIDE_REPORT_SIGNING_DIR)
    return directory / f"{slug}.p12", directory / f"{slug}.p12.pass"


def signing_material(slug: str) -> SigningMaterial | None:
    pkcs12_path, passphrase_path = signing_paths(slug)
    if not pkcs12_path.is_file():
        return None
    passphrase = passphrase_path.read_bytes().strip() if passphrase_path.is_file() else b""
    return SigningMaterial(pkcs12=pkcs12_path.read_bytes(), passphrase=passphrase)


def _signer(material: SigningMaterial):  # type: ignore[no-untyped-def]
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12_data(
        material.pkcs12, other_certs=[], passphrase=material.passphrase or None
    )
    if signer is None:
        raise ValueError("The signing certificate could not be read (wrong passphrase?).")
    return signer


def sign_pdf(pdf: bytes, material: SigningMaterial, *, reason: str, location: str) -> bytes:
    """An incremental update of ``pdf`` carrying a PAdES-B-B signature over all of it."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    output = io.BytesIO()
    signers.sign_pdf(
        writer,
        signers.PdfSignatureMetadata(
            field_name="EgideSignature",
            reason=reason,
            location=location,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
        ),
        signer=_signer(material),
        output=output,
    )
    return output.getvalue()


def check_signature(pdf: bytes, material: SigningMaterial | None) -> SignatureCheck:
    """Whether ``pdf`` is signed, whether the signature still matches the bytes, and
    whether it was made by the organisation's configured certificate."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    if not reader.embedded_signatures:
        return SignatureCheck(present=False)
    embedded = reader.embedded_signatures[-1]
    trust_roots = []
    if material is not None:
        signer = _signer(material)
        trust_roots = [signer.signing_cert]
    context = ValidationContext(trust_roots=trust_roots, allow_fetching=False)
    status = validate_pdf_signature(embedded, signer_validation_context=context, skip_diff=True)
    coverage = getattr(status, "coverage", None)
    return SignatureCheck(
        present=True,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=coverage is not None and coverage.name == "ENTIRE_FILE",
        signer=status.signing_cert.subject.human_friendly,
    )


def self_signed_pkcs12(common_name: str, organisation_name: str, passphrase: bytes) -> bytes:
    """A throwaway self-signed signing certificate (demo and tests only: a real
    organisation configures one issued by a qualified or internal CA)."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation_name[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        name=common_name.encode()[:64],
        key=key,
        cert=certificate,
        cas=None,
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase),
    )


def demo_certificate_install(slug: str, organisation_name: str) -> bool:
    """Give ``slug`` a freshly generated self-signed certificate unless it has one.
    Returns whether one was created. The passphrase is random, written next to the
    file with owner-only permissions; nothing of it is committed anywhere."""
    import os
    import secrets

    pkcs12_path, passphrase_path = signing_paths(slug)
    if pkcs12_path.exists():
        return False
    pkcs12_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    passphrase = secrets.token_urlsafe(24).encode()
    data = self_signed_pkcs12(
        f"{organisation_name} (Egide demo, self-signed)", organisation_name, passphrase
    )
    for path, content in ((passphrase_path, passphrase), (pkcs12_path, data)):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
    return True
