"""KMS cryptographic operations through boto3, with independent verification of everything
that can be checked outside KMS (public keys, signatures, data key pairs, ECDH) by the
`cryptography` package and by the `openssl` command line."""

import base64
import hashlib
import os
import shutil
import subprocess

import pytest
from botocore.exceptions import ClientError

from kms_helpers import (KEY_MATERIAL_ID_RE, assert_key_arn, create_key, expect_error,
                         has_output, kms, raw_error, raw_ok, require_input, require_op,
                         symmetric_key)

try:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
    from cryptography.exceptions import InvalidSignature
    HAVE_CRYPTOGRAPHY = True
except ImportError:  # Debian python without python3-cryptography
    HAVE_CRYPTOGRAPHY = False

OPENSSL = shutil.which("openssl")

needs_cryptography = pytest.mark.skipif(not HAVE_CRYPTOGRAPHY,
                                        reason="cryptography not installed for this python")


def _openssl(*args, input_bytes=None):
    if not OPENSSL:
        pytest.fail("the openssl command line tool is required (independent verification)")
    return subprocess.run([OPENSSL, *args], input=input_bytes, capture_output=True, timeout=30)


# ---------------------------------------------------------------- symmetric Encrypt/Decrypt

def test_encrypt_decrypt_round_trip(sealstack):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    enc = kc.encrypt(KeyId=key_id, Plaintext=b"hello sealstack")
    assert_key_arn(enc["KeyId"], key_id)
    assert enc["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    blob = enc["CiphertextBlob"]
    assert isinstance(blob, bytes) and b"hello sealstack" not in blob
    assert len(blob) <= 6144
    dec = kc.decrypt(CiphertextBlob=blob)
    assert dec["Plaintext"] == b"hello sealstack"
    assert_key_arn(dec["KeyId"], key_id)
    assert dec["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    if has_output(kc, "Decrypt", "KeyMaterialId"):
        assert KEY_MATERIAL_ID_RE.match(dec.get("KeyMaterialId", "")), dec
        assert dec["KeyMaterialId"] == \
            kc.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    # Decrypt with the KeyId given in every form, and the same plaintext encrypts differently.
    kc.create_alias(AliasName="alias/rt", TargetKeyId=key_id)
    for ident in (key_id, enc["KeyId"], "alias/rt",
                  "arn:aws:kms:us-east-1:000000000000:alias/rt"):
        assert kc.decrypt(CiphertextBlob=blob, KeyId=ident)["Plaintext"] == b"hello sealstack"
    enc2 = kc.encrypt(KeyId="alias/rt", Plaintext=b"hello sealstack")
    assert_key_arn(enc2["KeyId"], key_id)
    assert enc2["CiphertextBlob"] != blob
    # 4096 bytes is the maximum plaintext.
    big = os.urandom(4096)
    assert kc.decrypt(CiphertextBlob=kc.encrypt(KeyId=key_id, Plaintext=big)["CiphertextBlob"])[
        "Plaintext"] == big


def test_encrypt_plaintext_too_long(sealstack):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    expect_error(kc.encrypt, "ValidationException", KeyId=key_id, Plaintext=b"x" * 4097)


def test_encryption_context(sealstack):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    ctx = {"purpose": "test", "tenant": "a"}
    blob = kc.encrypt(KeyId=key_id, Plaintext=b"ctx data", EncryptionContext=ctx)["CiphertextBlob"]
    # Key order is irrelevant.
    assert kc.decrypt(CiphertextBlob=blob, EncryptionContext={"tenant": "a", "purpose": "test"})[
        "Plaintext"] == b"ctx data"
    for wrong in ({}, {"purpose": "test"}, {"purpose": "test", "tenant": "b"},
                  {"purpose": "test", "tenant": "a", "extra": "x"},
                  {"Purpose": "test", "tenant": "a"}):
        kwargs = {"CiphertextBlob": blob}
        if wrong:
            kwargs["EncryptionContext"] = wrong
        expect_error(kc.decrypt, "InvalidCiphertextException", **kwargs)
    # A ciphertext without context does not decrypt with one.
    plain_blob = kc.encrypt(KeyId=key_id, Plaintext=b"no ctx")["CiphertextBlob"]
    expect_error(kc.decrypt, "InvalidCiphertextException", CiphertextBlob=plain_blob,
                 EncryptionContext={"a": "b"})


def test_decrypt_with_other_key_is_incorrect_key(sealstack):
    kc = kms(sealstack)
    k1, k2 = symmetric_key(kc), symmetric_key(kc)
    blob = kc.encrypt(KeyId=k1, Plaintext=b"secret")["CiphertextBlob"]
    expect_error(kc.decrypt, "IncorrectKeyException", CiphertextBlob=blob, KeyId=k2)


def test_decrypt_tampered_and_garbage(sealstack):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    blob = bytearray(kc.encrypt(KeyId=key_id, Plaintext=b"integrity")["CiphertextBlob"])
    blob[-1] ^= 0x01  # last byte: inside the ciphertext/tag, never the key reference
    expect_error(kc.decrypt, "InvalidCiphertextException", CiphertextBlob=bytes(blob),
                 KeyId=key_id)
    blob[-1] ^= 0x01
    blob[len(blob) // 2 + 8] ^= 0x80
    expect_error(kc.decrypt, "InvalidCiphertextException", CiphertextBlob=bytes(blob),
                 KeyId=key_id)
    expect_error(kc.decrypt, "InvalidCiphertextException", CiphertextBlob=b"not a kms blob!",
                 KeyId=key_id)


def test_reencrypt(sealstack):
    kc = kms(sealstack)
    k1, k2 = symmetric_key(kc), symmetric_key(kc)
    blob = kc.encrypt(KeyId=k1, Plaintext=b"move me", EncryptionContext={"a": "1"})[
        "CiphertextBlob"]
    resp = kc.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"a": "1"},
                         DestinationKeyId=k2, DestinationEncryptionContext={"b": "2"})
    assert_key_arn(resp["KeyId"], k2)
    assert_key_arn(resp["SourceKeyId"], k1)
    assert resp["SourceEncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert resp["DestinationEncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    dec = kc.decrypt(CiphertextBlob=resp["CiphertextBlob"], EncryptionContext={"b": "2"})
    assert (dec["Plaintext"], dec["KeyId"]) == (b"move me", resp["KeyId"])
    expect_error(kc.re_encrypt, "InvalidCiphertextException", CiphertextBlob=blob,
                 DestinationKeyId=k2)  # source context missing
    expect_error(kc.re_encrypt, "IncorrectKeyException", CiphertextBlob=blob,
                 SourceEncryptionContext={"a": "1"}, SourceKeyId=k2, DestinationKeyId=k2)


# ---------------------------------------------------------------- data keys, random

def test_generate_data_key(sealstack):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    for kwargs, size in (({"KeySpec": "AES_256"}, 32), ({"KeySpec": "AES_128"}, 16),
                         ({"NumberOfBytes": 64}, 64), ({"NumberOfBytes": 1}, 1),
                         ({"NumberOfBytes": 1024}, 1024)):
        resp = kc.generate_data_key(KeyId=key_id, EncryptionContext={"k": "v"}, **kwargs)
        assert_key_arn(resp["KeyId"], key_id)
        assert len(resp["Plaintext"]) == size, kwargs
        dec = kc.decrypt(CiphertextBlob=resp["CiphertextBlob"], EncryptionContext={"k": "v"})
        assert dec["Plaintext"] == resp["Plaintext"]
        if has_output(kc, "GenerateDataKey", "KeyMaterialId"):
            assert resp["KeyMaterialId"] == dec["KeyMaterialId"]
    a = kc.generate_data_key(KeyId=key_id, KeySpec="AES_256")["Plaintext"]
    b = kc.generate_data_key(KeyId=key_id, KeySpec="AES_256")["Plaintext"]
    assert a != b


def test_generate_data_key_spec_validation(sealstack):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    expect_error(kc.generate_data_key, "ValidationException", KeyId=key_id)
    expect_error(kc.generate_data_key, "ValidationException", KeyId=key_id, KeySpec="AES_256",
                 NumberOfBytes=32)
    expect_error(kc.generate_data_key, "ValidationException", KeyId=key_id, KeySpec="AES_512")
    expect_error(kc.generate_data_key, "ValidationException", KeyId=key_id, NumberOfBytes=1025)
    raw_error(sealstack, "GenerateDataKey", {"KeyId": key_id, "NumberOfBytes": 0},
              "ValidationException")


def test_generate_data_key_without_plaintext(sealstack):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    resp = kc.generate_data_key_without_plaintext(KeyId=key_id, KeySpec="AES_256",
                                                  EncryptionContext={"x": "y"})
    assert "Plaintext" not in resp
    assert_key_arn(resp["KeyId"], key_id)
    dec = kc.decrypt(CiphertextBlob=resp["CiphertextBlob"], EncryptionContext={"x": "y"})
    assert len(dec["Plaintext"]) == 32
    expect_error(kc.generate_data_key_without_plaintext, "ValidationException", KeyId=key_id)


def test_generate_random(sealstack):
    kc = kms(sealstack)
    for n in (1, 32, 1024):
        out = kc.generate_random(NumberOfBytes=n)
        assert isinstance(out["Plaintext"], bytes) and len(out["Plaintext"]) == n
    assert kc.generate_random(NumberOfBytes=32)["Plaintext"] != \
        kc.generate_random(NumberOfBytes=32)["Plaintext"]
    expect_error(kc.generate_random, "ValidationException", NumberOfBytes=1025)
    raw_error(sealstack, "GenerateRandom", {"NumberOfBytes": 0}, "ValidationException")


# ---------------------------------------------------------------- RSA encryption

@pytest.mark.parametrize("algo,limit", [("RSAES_OAEP_SHA_1", 214), ("RSAES_OAEP_SHA_256", 190)])
def test_rsa_encrypt_decrypt(sealstack, algo, limit):
    kc = kms(sealstack)
    md = create_key(kc, KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")
    key_id = md["KeyId"]
    msg = os.urandom(limit)
    enc = kc.encrypt(KeyId=key_id, Plaintext=msg, EncryptionAlgorithm=algo)
    assert enc["EncryptionAlgorithm"] == algo
    assert_key_arn(enc["KeyId"], key_id)
    assert len(enc["CiphertextBlob"]) == 256  # raw RSA-2048 ciphertext
    dec = kc.decrypt(CiphertextBlob=enc["CiphertextBlob"], KeyId=key_id, EncryptionAlgorithm=algo)
    assert dec["Plaintext"] == msg and dec["EncryptionAlgorithm"] == algo
    assert_key_arn(dec["KeyId"], key_id)
    expect_error(kc.encrypt, "ValidationException", KeyId=key_id, Plaintext=msg + b"!",
                 EncryptionAlgorithm=algo)
    # Symmetric algorithm on an RSA key.
    expect_error(kc.encrypt, "InvalidKeyUsageException", KeyId=key_id, Plaintext=b"x",
                 EncryptionAlgorithm="SYMMETRIC_DEFAULT")
    if HAVE_CRYPTOGRAPHY:
        # Encrypt outside KMS with the public key; KMS decrypts it.
        pub = serialization.load_der_public_key(kc.get_public_key(KeyId=key_id)["PublicKey"])
        h = hashes.SHA1() if algo.endswith("SHA_1") else hashes.SHA256()
        outside = pub.encrypt(b"from outside", padding.OAEP(mgf=padding.MGF1(h), algorithm=h,
                                                            label=None))
        assert kc.decrypt(CiphertextBlob=outside, KeyId=key_id, EncryptionAlgorithm=algo)[
            "Plaintext"] == b"from outside"


# ---------------------------------------------------------------- Sign / Verify

SIGN_CASES = [
    # (KeySpec, SigningAlgorithm, hash for DIGEST mode)
    ("RSA_2048", "RSASSA_PSS_SHA_256", "sha256"),
    ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", "sha256"),
    ("RSA_2048", "RSASSA_PSS_SHA_512", "sha512"),
    ("ECC_NIST_P256", "ECDSA_SHA_256", "sha256"),
    ("ECC_NIST_P384", "ECDSA_SHA_384", "sha384"),
    ("ECC_SECG_P256K1", "ECDSA_SHA_256", "sha256"),
]


def _verify_with_cryptography(pub_der, algo, message, signature, hname):
    pub = serialization.load_der_public_key(pub_der)
    h = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[hname]
    if algo.startswith("RSASSA_PSS"):
        # KMS uses a salt as long as the digest.
        pub.verify(signature, message, padding.PSS(mgf=padding.MGF1(h),
                                                   salt_length=h.digest_size), h)
    elif algo.startswith("RSASSA_PKCS1"):
        pub.verify(signature, message, padding.PKCS1v15(), h)
    else:
        pub.verify(signature, message, ec.ECDSA(h))  # DER-encoded ECDSA signature


def _verify_with_openssl(tmp_path, pub_der, algo, message, signature, hname):
    (tmp_path / "pub.der").write_bytes(pub_der)
    (tmp_path / "msg.bin").write_bytes(message)
    (tmp_path / "sig.bin").write_bytes(signature)
    args = ["dgst", f"-{hname}", "-keyform", "DER", "-verify", str(tmp_path / "pub.der"),
            "-signature", str(tmp_path / "sig.bin")]
    if algo.startswith("RSASSA_PSS"):
        args += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]
    res = _openssl(*args, str(tmp_path / "msg.bin"))
    assert res.returncode == 0 and b"Verified OK" in res.stdout, \
        f"openssl dgst -verify: {res.returncode} {res.stdout!r} {res.stderr!r}"
    # And a wrong message must not verify (the check can fail).
    (tmp_path / "msg.bin").write_bytes(message + b"x")
    res = _openssl(*args, str(tmp_path / "msg.bin"))
    assert res.returncode != 0, f"openssl verified a wrong message: {res.stdout!r}"


@pytest.mark.parametrize("spec,algo,hname", SIGN_CASES, ids=lambda v: str(v))
def test_sign_verify(sealstack, tmp_path, spec, algo, hname):
    kc = kms(sealstack)
    key_id = create_key(kc, KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyId"]
    message = b"message signed by SealStack " + spec.encode()
    digest = hashlib.new(hname, message).digest()

    raw = kc.sign(KeyId=key_id, Message=message, MessageType="RAW", SigningAlgorithm=algo)
    assert_key_arn(raw["KeyId"], key_id)
    assert raw["SigningAlgorithm"] == algo
    by_digest = kc.sign(KeyId=key_id, Message=digest, MessageType="DIGEST",
                        SigningAlgorithm=algo)

    pub = kc.get_public_key(KeyId=key_id)
    assert_key_arn(pub["KeyId"], key_id)
    assert (pub["KeySpec"], pub["CustomerMasterKeySpec"], pub["KeyUsage"]) == \
        (spec, spec, "SIGN_VERIFY")
    assert algo in pub["SigningAlgorithms"]
    assert "EncryptionAlgorithms" not in pub

    for sig in (raw["Signature"], by_digest["Signature"]):
        ok = kc.verify(KeyId=key_id, Message=message, MessageType="RAW", Signature=sig,
                       SigningAlgorithm=algo)
        assert ok["SignatureValid"] is True and ok["SigningAlgorithm"] == algo
        assert_key_arn(ok["KeyId"], key_id)
        ok = kc.verify(KeyId=key_id, Message=digest, MessageType="DIGEST", Signature=sig,
                       SigningAlgorithm=algo)
        assert ok["SignatureValid"] is True
        _verify_with_openssl(tmp_path, pub["PublicKey"], algo, message, sig, hname)
        if HAVE_CRYPTOGRAPHY:
            _verify_with_cryptography(pub["PublicKey"], algo, message, sig, hname)

    expect_error(kc.verify, "KMSInvalidSignatureException", KeyId=key_id,
                 Message=message + b"!", MessageType="RAW", Signature=raw["Signature"],
                 SigningAlgorithm=algo)
    bad = bytearray(raw["Signature"])
    bad[len(bad) // 2] ^= 0x01
    expect_error(kc.verify, "KMSInvalidSignatureException", KeyId=key_id, Message=message,
                 MessageType="RAW", Signature=bytes(bad), SigningAlgorithm=algo)


def test_sign_algorithm_not_for_key(sealstack):
    kc = kms(sealstack)
    key_id = create_key(kc, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyId"]
    expect_error(kc.sign, "InvalidKeyUsageException", KeyId=key_id, Message=b"m",
                 MessageType="RAW", SigningAlgorithm="ECDSA_SHA_384")
    expect_error(kc.sign, "InvalidKeyUsageException", KeyId=key_id, Message=b"m",
                 MessageType="RAW", SigningAlgorithm="RSASSA_PSS_SHA_256")


def test_sign_digest_wrong_length(sealstack):
    kc = kms(sealstack)
    key_id = create_key(kc, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyId"]
    expect_error(kc.sign, "ValidationException", KeyId=key_id, Message=b"\x00" * 20,
                 MessageType="DIGEST", SigningAlgorithm="ECDSA_SHA_256")


def test_sign_verify_ed25519(sealstack, tmp_path):
    kc = kms(sealstack)
    key_id = create_key(kc, KeySpec="ECC_NIST_EDWARDS25519", KeyUsage="SIGN_VERIFY")["KeyId"]
    message = b"ed25519 message"
    raw = kc.sign(KeyId=key_id, Message=message, MessageType="RAW",
                  SigningAlgorithm="ED25519_SHA_512")
    assert raw["SigningAlgorithm"] == "ED25519_SHA_512" and len(raw["Signature"]) == 64
    assert kc.verify(KeyId=key_id, Message=message, MessageType="RAW", Signature=raw["Signature"],
                     SigningAlgorithm="ED25519_SHA_512")["SignatureValid"] is True
    pub_der = kc.get_public_key(KeyId=key_id)["PublicKey"]
    # Independent: pure Ed25519 with openssl pkeyutl -rawin, and with cryptography.
    (tmp_path / "pub.der").write_bytes(pub_der)
    (tmp_path / "msg.bin").write_bytes(message)
    (tmp_path / "sig.bin").write_bytes(raw["Signature"])
    res = _openssl("pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey",
                   str(tmp_path / "pub.der"), "-rawin", "-in", str(tmp_path / "msg.bin"),
                   "-sigfile", str(tmp_path / "sig.bin"))
    assert res.returncode == 0 and b"Signature Verified Successfully" in res.stdout, \
        (res.stdout, res.stderr)
    if HAVE_CRYPTOGRAPHY:
        pub = serialization.load_der_public_key(pub_der)
        assert isinstance(pub, ed25519.Ed25519PublicKey)
        pub.verify(raw["Signature"], message)
        with pytest.raises(InvalidSignature):
            pub.verify(raw["Signature"], message + b"x")


def test_sign_verify_ed25519ph_is_unsupported(sealstack):
    """ED25519_PH_SHA_512 (Ed25519ph over a SHA-512 digest) is advertised for Ed25519 keys as on
    AWS, but SealStack's OpenSSL 3.0 has no Ed25519ph (added in OpenSSL 3.2), so Sign and
    Verify refuse it with a clear UnsupportedOperationException instead of a wrong signature.
    Pure Ed25519 (ED25519_SHA_512) works: see test_sign_verify_ed25519."""
    kc = kms(sealstack)
    key_id = create_key(kc, KeySpec="ECC_NIST_EDWARDS25519", KeyUsage="SIGN_VERIFY")["KeyId"]
    digest = hashlib.sha512(b"ed25519 message").digest()
    for op, extra in ((kc.sign, {}), (kc.verify, {"Signature": b"\x00" * 64})):
        with pytest.raises(ClientError) as e:
            op(KeyId=key_id, Message=digest, MessageType="DIGEST",
               SigningAlgorithm="ED25519_PH_SHA_512", **extra)
        err = e.value.response
        assert (err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]) == \
            ("UnsupportedOperationException", 400)
        assert "Ed25519ph" in err["Error"]["Message"]


def test_get_public_key_rsa_encrypt_openssl(sealstack, tmp_path):
    """GetPublicKey of an encryption key: openssl encrypts with it, KMS decrypts."""
    kc = kms(sealstack)
    key_id = create_key(kc, KeySpec="RSA_3072", KeyUsage="ENCRYPT_DECRYPT")["KeyId"]
    pub = kc.get_public_key(KeyId=key_id)
    assert (pub["KeySpec"], pub["KeyUsage"]) == ("RSA_3072", "ENCRYPT_DECRYPT")
    assert sorted(pub["EncryptionAlgorithms"]) == ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
    assert "SigningAlgorithms" not in pub
    (tmp_path / "pub.der").write_bytes(pub["PublicKey"])
    (tmp_path / "msg.bin").write_bytes(b"openssl wrapped this")
    res = _openssl("pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey",
                   str(tmp_path / "pub.der"), "-in", str(tmp_path / "msg.bin"),
                   "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256",
                   "-pkeyopt", "rsa_mgf1_md:sha256")
    assert res.returncode == 0, res.stderr
    assert len(res.stdout) == 384
    dec = kc.decrypt(CiphertextBlob=res.stdout, KeyId=key_id,
                     EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert dec["Plaintext"] == b"openssl wrapped this"
    expect_error(kc.get_public_key, "UnsupportedOperationException", KeyId=symmetric_key(kc))


# ---------------------------------------------------------------- data key pairs

@needs_cryptography
@pytest.mark.parametrize("pair_spec", ["ECC_NIST_P256", "RSA_2048"])
def test_generate_data_key_pair(sealstack, pair_spec):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    resp = kc.generate_data_key_pair(KeyId=key_id, KeyPairSpec=pair_spec,
                                     EncryptionContext={"pair": "yes"})
    assert_key_arn(resp["KeyId"], key_id)
    assert resp["KeyPairSpec"] == pair_spec
    priv = serialization.load_der_private_key(resp["PrivateKeyPlaintext"], password=None)
    derived = priv.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
    assert derived == resp["PublicKey"]
    # PKCS#8 DER exactly (re-encoding the parsed key gives the same bytes).
    assert priv.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()) == resp["PrivateKeyPlaintext"]
    if pair_spec == "RSA_2048":
        assert isinstance(priv, rsa.RSAPrivateKey) and priv.key_size == 2048
    else:
        assert isinstance(priv, ec.EllipticCurvePrivateKey) and priv.curve.name == "secp256r1"
    dec = kc.decrypt(CiphertextBlob=resp["PrivateKeyCiphertextBlob"],
                     EncryptionContext={"pair": "yes"})
    assert dec["Plaintext"] == resp["PrivateKeyPlaintext"]
    expect_error(kc.decrypt, "InvalidCiphertextException",
                 CiphertextBlob=resp["PrivateKeyCiphertextBlob"])

    nopt = kc.generate_data_key_pair_without_plaintext(KeyId=key_id, KeyPairSpec=pair_spec)
    assert "PrivateKeyPlaintext" not in nopt
    priv2 = serialization.load_der_private_key(
        kc.decrypt(CiphertextBlob=nopt["PrivateKeyCiphertextBlob"])["Plaintext"], password=None)
    assert priv2.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == \
        nopt["PublicKey"]


def test_generate_data_key_pair_needs_symmetric_key(sealstack):
    kc = kms(sealstack)
    rsa_key = create_key(kc, KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyId"]
    expect_error(kc.generate_data_key_pair, "InvalidKeyUsageException", KeyId=rsa_key,
                 KeyPairSpec="ECC_NIST_P256")


# ---------------------------------------------------------------- HMAC

@pytest.mark.parametrize("spec,algo,size", [("HMAC_224", "HMAC_SHA_224", 28),
                                            ("HMAC_256", "HMAC_SHA_256", 32),
                                            ("HMAC_384", "HMAC_SHA_384", 48),
                                            ("HMAC_512", "HMAC_SHA_512", 64)])
def test_generate_verify_mac(sealstack, spec, algo, size):
    kc = kms(sealstack)
    key_id = create_key(kc, KeySpec=spec, KeyUsage="GENERATE_VERIFY_MAC")["KeyId"]
    mac = kc.generate_mac(KeyId=key_id, Message=b"mac me", MacAlgorithm=algo)
    assert_key_arn(mac["KeyId"], key_id)
    assert mac["MacAlgorithm"] == algo and len(mac["Mac"]) == size
    # Deterministic for the same key and message, different for another message.
    assert kc.generate_mac(KeyId=key_id, Message=b"mac me", MacAlgorithm=algo)["Mac"] == mac["Mac"]
    assert kc.generate_mac(KeyId=key_id, Message=b"mac you", MacAlgorithm=algo)["Mac"] != mac["Mac"]
    ok = kc.verify_mac(KeyId=key_id, Message=b"mac me", MacAlgorithm=algo, Mac=mac["Mac"])
    assert ok["MacValid"] is True and ok["MacAlgorithm"] == algo
    assert_key_arn(ok["KeyId"], key_id)
    expect_error(kc.verify_mac, "KMSInvalidMacException", KeyId=key_id, Message=b"mac you",
                 MacAlgorithm=algo, Mac=mac["Mac"])
    # Same key spec, other key: a different MAC.
    other = create_key(kc, KeySpec=spec, KeyUsage="GENERATE_VERIFY_MAC")["KeyId"]
    assert kc.generate_mac(KeyId=other, Message=b"mac me", MacAlgorithm=algo)["Mac"] != mac["Mac"]
    wrong_algo = "HMAC_SHA_512" if algo != "HMAC_SHA_512" else "HMAC_SHA_256"
    expect_error(kc.generate_mac, "InvalidKeyUsageException", KeyId=key_id, Message=b"m",
                 MacAlgorithm=wrong_algo)


# ---------------------------------------------------------------- ECDH

@needs_cryptography
@pytest.mark.parametrize("spec,curve", [("ECC_NIST_P256", "SECP256R1"),
                                        ("ECC_NIST_P384", "SECP384R1")])
def test_derive_shared_secret(sealstack, spec, curve):
    kc = kms(sealstack)
    require_op(kc, "DeriveSharedSecret")
    key_id = create_key(kc, KeySpec=spec, KeyUsage="KEY_AGREEMENT")["KeyId"]
    pub = kc.get_public_key(KeyId=key_id)
    assert pub["KeyUsage"] == "KEY_AGREEMENT" and pub["KeyAgreementAlgorithms"] == ["ECDH"]
    kms_pub = serialization.load_der_public_key(pub["PublicKey"])
    peer = ec.generate_private_key(getattr(ec, curve)())
    peer_der = peer.public_key().public_bytes(serialization.Encoding.DER,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)
    resp = kc.derive_shared_secret(KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=peer_der)
    assert_key_arn(resp["KeyId"], key_id)
    assert resp["KeyAgreementAlgorithm"] == "ECDH"
    assert resp["KeyOrigin"] == "AWS_KMS"
    assert resp["SharedSecret"] == peer.exchange(ec.ECDH(), kms_pub)
    sign_key = create_key(kc, KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyId"]
    expect_error(kc.derive_shared_secret, "InvalidKeyUsageException", KeyId=sign_key,
                 KeyAgreementAlgorithm="ECDH", PublicKey=peer_der)


# ---------------------------------------------------------------- key usage, dry run

def test_invalid_key_usage(sealstack):
    kc = kms(sealstack)
    sign_key = create_key(kc, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyId"]
    rsa_enc = create_key(kc, KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyId"]
    sym = symmetric_key(kc)
    hmac_key = create_key(kc, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyId"]
    expect_error(kc.encrypt, "InvalidKeyUsageException", KeyId=sign_key, Plaintext=b"x")
    expect_error(kc.generate_data_key, "InvalidKeyUsageException", KeyId=rsa_enc,
                 KeySpec="AES_256")
    expect_error(kc.sign, "InvalidKeyUsageException", KeyId=sym, Message=b"m",
                 MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256")
    expect_error(kc.generate_mac, "InvalidKeyUsageException", KeyId=sym, Message=b"m",
                 MacAlgorithm="HMAC_SHA_256")
    expect_error(kc.encrypt, "InvalidKeyUsageException", KeyId=hmac_key, Plaintext=b"x")


def test_dry_run(sealstack):
    kc = kms(sealstack)
    require_input(kc, "Encrypt", "DryRun")
    key_id = symmetric_key(kc)
    sign_key = create_key(kc, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyId"]
    blob = kc.encrypt(KeyId=key_id, Plaintext=b"dry")["CiphertextBlob"]
    expect_error(kc.encrypt, "DryRunOperationException", 400, KeyId=key_id, Plaintext=b"x",
                 DryRun=True)
    expect_error(kc.decrypt, "DryRunOperationException", 400, CiphertextBlob=blob, DryRun=True)
    expect_error(kc.generate_data_key, "DryRunOperationException", 400, KeyId=key_id,
                 KeySpec="AES_256", DryRun=True)
    expect_error(kc.sign, "DryRunOperationException", 400, KeyId=sign_key, Message=b"m",
                 MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256", DryRun=True)
    # A dry run still checks the request: a disabled key is DisabledException, not DryRunOperationException.
    kc.disable_key(KeyId=key_id)
    expect_error(kc.encrypt, "DisabledException", KeyId=key_id, Plaintext=b"x", DryRun=True)
    # DryRun=False is an ordinary call.
    kc.enable_key(KeyId=key_id)
    assert kc.encrypt(KeyId=key_id, Plaintext=b"x", DryRun=False)["CiphertextBlob"]


def test_encrypt_unknown_key(sealstack):
    kc = kms(sealstack)
    missing = "0bd3a3f4-1111-4222-8333-944455556666"
    err = expect_error(kc.encrypt, "NotFoundException", KeyId=missing, Plaintext=b"x")
    assert err["Error"]["Message"] == \
        f"Key 'arn:aws:kms:us-east-1:000000000000:key/{missing}' does not exist"
    expect_error(kc.encrypt, "NotFoundException", KeyId="alias/none", Plaintext=b"x")
    expect_error(kc.generate_data_key, "NotFoundException", KeyId=missing, KeySpec="AES_256")


def test_ciphertext_is_base64_on_the_wire(sealstack):
    """Raw JSON: CiphertextBlob/Plaintext travel base64-encoded, KeyId is the key ARN."""
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    out = raw_ok(sealstack, "Encrypt", {"KeyId": key_id,
                                        "Plaintext": base64.b64encode(b"wire").decode()})
    assert set(out) == {"CiphertextBlob", "KeyId", "EncryptionAlgorithm"}, out
    assert out["KeyId"] == f"arn:aws:kms:us-east-1:000000000000:key/{key_id}"
    dec = raw_ok(sealstack, "Decrypt", {"CiphertextBlob": out["CiphertextBlob"]})
    assert base64.b64decode(dec["Plaintext"]) == b"wire"
    assert dec["KeyId"] == out["KeyId"]

