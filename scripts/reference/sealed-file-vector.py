#!/usr/bin/env python3
"""Writes protocol/vectors/sealed-file.json: a sealed evidence file (protocol/README.md §19) made
by an implementation independent of the Swift one (the HPKE of sealed-text-vector.py, over PyPI's
`cryptography`), with fixed keys and randomness so the vector never changes.

Usage: python3 scripts/reference/sealed-file-vector.py > protocol/vectors/sealed-file.json
"""
import base64, hashlib, importlib.util, json, os
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives import serialization

_spec = importlib.util.spec_from_file_location(
    "sealed_text_vector", os.path.join(os.path.dirname(os.path.abspath(__file__)), "sealed-text-vector.py"))
text_vector = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(text_vector)
hpke_seal, public, b64, SUITE = text_vector.hpke_seal, text_vector.public, text_vector.b64, text_vector.SUITE

RAW = serialization.Encoding.Raw
MAGIC = b"followup-sealed-file/1\n"
INFO = b"followup sealed file v1"


def main():
    nhri = X25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    ngo = X25519PrivateKey.from_private_bytes(bytes(range(33, 65)))
    outsider = X25519PrivateKey.from_private_bytes(bytes(range(65, 97)))
    ephemerals = [X25519PrivateKey.from_private_bytes(bytes([0xB0 + i] * 32)) for i in range(2)]
    content_key = bytes([0x24] * 32)
    content_nonce = bytes(range(100, 112))
    row = "01a30000-0000-7000-8000-000000000002"
    binding = f"attachment/{row}/file".encode()
    # A small file with bytes of every value, as a PDF or an image has.
    plaintext = b"%PDF-1.7\nWitness W-7731 statement\n" + bytes(range(256))
    recipients = []
    for private, ephemeral in zip([nhri, ngo], ephemerals):
        enc, sealed_key = hpke_seal(public(private), ephemeral, binding, content_key, info=INFO)
        recipients.append(
            {"enc": b64(enc), "fingerprint": hashlib.sha256(public(private)).hexdigest(), "key": b64(sealed_key)})
    header = json.dumps({"recipients": recipients, "suite": SUITE}, sort_keys=True, separators=(",", ":"))
    body = content_nonce + ChaCha20Poly1305(content_key).encrypt(content_nonce, plaintext, binding)
    sealed = MAGIC + header.encode() + b"\n" + body
    keys = {
        name: {"private_key": b64(key.private_bytes(RAW, serialization.PrivateFormat.Raw,
                                                    serialization.NoEncryption())),
               "public_key": b64(public(key)), "fingerprint": hashlib.sha256(public(key)).hexdigest()}
        for name, key in [("nhri", nhri), ("ngo", ngo), ("outsider", outsider)]
    }
    print(json.dumps({
        "comment": "protocol/README.md §19: an evidence file sealed to the NHRI's key and the NGO's. "
                   "Written by scripts/reference/sealed-file-vector.py with fixed keys and randomness.",
        "keys": keys, "row": row, "binding": binding.decode(),
        "plaintext_base64": b64(plaintext), "sealed_base64": b64(sealed),
        "content_hash": hashlib.sha256(sealed).hexdigest(), "size": len(sealed),
        "opens_with": ["nhri", "ngo"], "does_not_open_with": ["outsider"],
    }, indent=2, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    main()
