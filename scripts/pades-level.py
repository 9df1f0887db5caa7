#!/usr/bin/env python3
"""Report the PAdES baseline level of each signature in a PDF, with pyHanko (0.38).

Usage: scripts/pades-level.py FILE.pdf ROOT.pem [ROOT.pem ...]

For each signature it runs pyHanko's AdES basic validation (ETSI EN 319 102-1 §5.3,
`pyhanko.sign.validation.ades.ades_basic_validation`) with the given certificates as
the only trust anchors and no revocation checking, and checks the B-B requirements of
ETSI EN 319 142-1: SubFilter ETSI.CAdES.detached, a signing-certificate-v2 attribute
whose hash matches the signer's certificate, no signingTime attribute. A signature
with a signature time-stamp, or covered by a document time-stamp (/Type /DocTimeStamp,
EN 319 142-1 allows either for B-T) that pyHanko validates as intact, valid and
trusted (`async_validate_pdf_timestamp`, the same roots), is B-T.

Prints one line per signature, e.g.
    评估员1: PAdES B-B, AdES basic validation PASSED (signing-certificate-v2 ok, no signingTime)
and, for each document time-stamp, e.g.
    时间戳1: document time-stamp, intact, valid, trusted, genTime 2026-12-01 02:30:00+00:00
and exits 0 only when every signature is B-B (or better) and PASSED and every
document time-stamp is intact, valid and trusted.
"""

import asyncio
import hashlib
import sys

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_timestamp
from pyhanko.sign.validation.ades import ades_basic_validation
from pyhanko.sign.validation.policy_decl import SignatureValidationSpec
from pyhanko.sign.ades.report import AdESStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import NO_REVOCATION, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager


def level(sig) -> tuple[str, list[str]]:
    notes = []
    attrs = sig.signer_info["signed_attrs"]
    names = {attr["type"].native for attr in attrs}
    subfilter = sig.sig_object.get("/SubFilter")
    cades = subfilter == "/ETSI.CAdES.detached"
    if not cades:
        notes.append(f"SubFilter {subfilter}")
    ess_ok = False
    for attr in attrs:
        if attr["type"].native == "signing_certificate_v2":
            first = attr["values"][0]["certs"][0]
            algo = first["hash_algorithm"]["algorithm"].native
            digest = hashlib.new(algo, sig.signer_cert.dump()).digest()
            ess_ok = first["cert_hash"].native == digest
    notes.append("signing-certificate-v2 ok" if ess_ok else "no matching signing-certificate-v2")
    has_time = "signing_time" in names
    notes.append("signingTime present" if has_time else "no signingTime")
    unsigned = sig.signer_info["unsigned_attrs"]
    timestamped = unsigned.native is not None and any(
        attr["type"].native == "signature_time_stamp_token" for attr in unsigned
    )
    if cades and ess_ok and not has_time:
        return ("PAdES B-T" if timestamped else "PAdES B-B"), notes
    return "not PAdES baseline", notes


async def main(pdf_path: str, roots: list[str]) -> int:
    spec = SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(
                trust_roots=[load_cert_from_pemder(path) for path in roots]
            ),
            revinfo_policy=CertRevTrustPolicy(NO_REVOCATION),
        )
    )
    ok = True
    with open(pdf_path, "rb") as f:
        reader = PdfFileReader(f)
        signatures = reader.embedded_signatures
        if not signatures:
            print("no signatures")
            return 1
        # Document time-stamps first: which revisions a trusted one covers.
        stamped_up_to = -1
        for sig in signatures:
            if sig.sig_object_type != "/DocTimeStamp":
                continue
            context = ValidationContext(
                trust_roots=[load_cert_from_pemder(path) for path in roots],
                allow_fetching=False,
                revocation_mode="soft-fail",
            )
            status = await async_validate_pdf_timestamp(sig, validation_context=context)
            good = status.intact and status.valid and status.trusted
            ok = ok and good
            if good:
                stamped_up_to = max(stamped_up_to, sig.signed_revision)
            words = [
                "intact" if status.intact else "NOT intact",
                "valid" if status.valid else "NOT valid",
                "trusted" if status.trusted else "NOT trusted",
            ]
            print(f"{sig.field_name}: document time-stamp, {', '.join(words)}, genTime {status.timestamp}")
        for sig in signatures:
            if sig.sig_object_type == "/DocTimeStamp":
                continue
            result = await ades_basic_validation(
                sig.signed_data, spec, raw_digest=sig.compute_digest()
            )
            name, notes = level(sig)
            if name == "PAdES B-B" and sig.signed_revision < stamped_up_to:
                name = "PAdES B-T"
                notes.append("covered by a trusted document time-stamp")
            status = result.ades_subindic.status
            verdict = status.name
            if status != AdESStatus.PASSED:
                verdict += f" ({result.ades_subindic.standard_name})"
            ok = ok and status == AdESStatus.PASSED and name.startswith("PAdES B-")
            print(f"{sig.field_name}: {name}, AdES basic validation {verdict} ({', '.join(notes)})")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2:])))
