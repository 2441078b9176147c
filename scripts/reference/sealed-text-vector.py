#!/usr/bin/env python3
"""Writes protocol/vectors/sealed-text.json: a sealed text (protocol/README.md §19) made by an
implementation independent of the Swift one (RFC 9180 HPKE written out here over PyPI's
`cryptography`), with fixed keys and randomness so the vector never changes.

Usage: python3 scripts/reference/sealed-text-vector.py > protocol/vectors/sealed-text.json
"""
import base64, hashlib, hmac, json, struct
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives import serialization

RAW = serialization.Encoding.Raw
KEM_ID, KDF_ID, AEAD_ID = 0x0020, 0x0001, 0x0003
KEM_SUITE = b"KEM" + struct.pack(">H", KEM_ID)
HPKE_SUITE = b"HPKE" + struct.pack(">HHH", KEM_ID, KDF_ID, AEAD_ID)
INFO = b"followup sealed text v1"
PREFIX = "followup-sealed/1 "
SUITE = "x25519-hkdf-sha256-chacha20poly1305"


def extract(salt, ikm):
    return hmac.new(salt or b"\0" * 32, ikm, hashlib.sha256).digest()


def expand(prk, info, length):
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def labeled_extract(suite, salt, label, ikm):
    return extract(salt, b"HPKE-v1" + suite + label + ikm)


def labeled_expand(suite, prk, label, info, length):
    return expand(prk, struct.pack(">H", length) + b"HPKE-v1" + suite + label + info, length)


def public(private):
    return private.public_key().public_bytes(RAW, serialization.PublicFormat.Raw)


def hpke_seal(recipient_public, ephemeral, aad, plaintext, info=INFO):
    """RFC 9180 base mode, single shot: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305."""
    enc = public(ephemeral)
    dh = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public))
    eae_prk = labeled_extract(KEM_SUITE, b"", b"eae_prk", dh)
    shared = labeled_expand(KEM_SUITE, eae_prk, b"shared_secret", enc + recipient_public, 32)
    psk_id_hash = labeled_extract(HPKE_SUITE, b"", b"psk_id_hash", b"")
    info_hash = labeled_extract(HPKE_SUITE, b"", b"info_hash", info)
    context = b"\0" + psk_id_hash + info_hash
    secret = labeled_extract(HPKE_SUITE, shared, b"secret", b"")
    key = labeled_expand(HPKE_SUITE, secret, b"key", context, 32)
    nonce = labeled_expand(HPKE_SUITE, secret, b"base_nonce", context, 12)
    return enc, ChaCha20Poly1305(key).encrypt(nonce, plaintext, aad)


def b64(data):
    return base64.b64encode(data).decode()


def main():
    nhri = X25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    ngo = X25519PrivateKey.from_private_bytes(bytes(range(33, 65)))
    outsider = X25519PrivateKey.from_private_bytes(bytes(range(65, 97)))
    ephemerals = [X25519PrivateKey.from_private_bytes(bytes([0xA0 + i] * 32)) for i in range(2)]
    content_key = bytes([0x42] * 32)
    content_nonce = bytes(range(200, 212))
    row = "01a30000-0000-7000-8000-000000000001"
    binding = f"submission/{row}/text".encode()
    text = "Witness W-7731 was threatened; محامية المدافعة تحت المراقبة"
    recipients = []
    for private, ephemeral in zip([nhri, ngo], ephemerals):
        enc, sealed_key = hpke_seal(public(private), ephemeral, binding, content_key)
        recipients.append(
            {"enc": b64(enc), "fingerprint": hashlib.sha256(public(private)).hexdigest(), "key": b64(sealed_key)})
    ciphertext = content_nonce + ChaCha20Poly1305(content_key).encrypt(content_nonce, text.encode(), binding)
    envelope = {"ciphertext": b64(ciphertext), "recipients": recipients, "suite": SUITE}
    value = PREFIX + json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    keys = {
        name: {"private_key": b64(key.private_bytes(RAW, serialization.PrivateFormat.Raw,
                                                    serialization.NoEncryption())),
               "public_key": b64(public(key)), "fingerprint": hashlib.sha256(public(key)).hexdigest()}
        for name, key in [("nhri", nhri), ("ngo", ngo), ("outsider", outsider)]
    }
    print(json.dumps({
        "comment": "protocol/README.md §19: a submission text sealed to the NHRI's key and the NGO's, and "
                   "the NHRI's key as an organisation_key row. "
                   "Written by scripts/reference/sealed-text-vector.py with fixed keys and randomness.",
        "keys": keys, "table": "submission", "row": row, "column": "text", "binding": binding.decode(),
        "text": text, "value": value,
        "opens_with": ["nhri", "ngo"], "does_not_open_with": ["outsider"],
        "organisation_key": organisation_key_row(public(nhri)),
    }, indent=2, ensure_ascii=False, sort_keys=True))


def display(fingerprint):
    """The fingerprint as people compare it: its first 32 hex digits in eight groups of four, spaced."""
    return " ".join(fingerprint[i:i + 4] for i in range(0, 32, 4))


def organisation_key_row(public_key):
    """The NHRI's key (§19 "Keys") as its replica pushes it (§6.4; the `algorithm` default filled
    in, §5.2) and as another organisation's replica pulls it (§6.8; `owner_org` and `created_by`
    set by the server, §8.2), and texts that are not keys (`invalid_value`, §5.2)."""
    op_id, row_id, replica = ("01a30000-0000-7000-8000-0000000000a1", "01a30000-0000-7000-8000-0000000000a2",
                              "01a30000-0000-7000-8000-0000000000d1")
    hlc = "001800000000000-00000"
    version = f"{hlc}@{replica}"
    fields = {"public_key": b64(public_key), "algorithm": SUITE}
    fingerprint = hashlib.sha256(public_key).hexdigest()
    return {
        "owner": "nhri", "org": "ddd", "user": "amina",
        "push": {"id": op_id, "table": "organisation_key", "row": row_id, "kind": "upsert", "fields": fields,
                 "hlc": hlc, "replica": replica},
        "pulled": {"seq": 17, "table": "organisation_key", "row": row_id, "kind": "row",
                   "fields": dict(fields, owner_org="ddd", created_by="amina"),
                   "versions": {name: version for name in [*fields, "owner_org", "created_by"]}},
        "fingerprint": fingerprint, "display_fingerprint": display(fingerprint),
        "not_keys": {
            "31 bytes": b64(public_key[:31]),
            "33 bytes": b64(public_key + b"\0"),
            "URL-safe alphabet": base64.urlsafe_b64encode(bytes([0xFB] * 32)).decode(),
            "no padding": b64(public_key).rstrip("="),
            "hexadecimal": public_key.hex(),
        },
    }


if __name__ == "__main__":
    main()
