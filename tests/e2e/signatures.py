"""Checks on what edgectl signs, for the tests: ecdsa-with-SHA256 with its parameters
absent (RFC 5758 section 3.2), parsed by Python's cryptography with its warnings as
errors (it deprecates a NULL there)."""
import warnings

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import SignatureAlgorithmOID

# SEQUENCE { OID ecdsa-with-SHA256 }, and the same with the NULL mbedtls 2.28 used to add.
ALGORITHM = bytes.fromhex("300a06082a8648ce3d040302")
WITH_NULL = bytes.fromhex("300c06082a8648ce3d0403020500")


def strictly(load, pem):
    """load(pem) with every warning an error: cryptography's "NULL parameter value" deprecation fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return load(pem)


def check_certificate(pem, issuer):
    """The certificate in pem, parsed strictly, naming ecdsa-with-SHA256 without parameters in
    TBSCertificate.signature and Certificate.signatureAlgorithm, signed by issuer (a certificate)."""
    cert = strictly(x509.load_pem_x509_certificate, pem)
    der = cert.public_bytes(serialization.Encoding.DER)
    assert WITH_NULL not in der
    assert der.count(ALGORITHM) == 2, der.hex()
    assert cert.signature_algorithm_oid == SignatureAlgorithmOID.ECDSA_WITH_SHA256
    cert.verify_directly_issued_by(issuer)
    return cert
