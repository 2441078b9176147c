#!/usr/bin/env python3
"""Writes protocol/vectors/audit-log.json: the audit log of protocol/README.md §18 (leaf bytes,
the RFC 9162 Merkle tree, inclusion and consistency proofs, Ed25519 signed tree heads and the
server key's fingerprint), computed by an implementation independent of the Swift one, from the
protocol text and RFC 9162 alone, over seven fixed operations.

Ed25519 comes from PyPI's `cryptography` (as in sealed-text-vector.py); everything else is the
standard library. Ed25519 signatures are deterministic (RFC 8032), so the vector never changes.

Usage: python3 scripts/reference/audit-log-vector.py > protocol/vectors/audit-log.json
"""
import base64, hashlib, json, struct
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

# --- §18.2 leaf bytes -------------------------------------------------------------------------


def string(text):
    data = text.encode("utf-8")
    return struct.pack(">I", len(data)) + data


def value_bytes(value):
    """A field value: a tag byte and its bytes (§18.2 item 3)."""
    if value is None:
        return b"\x00"
    if isinstance(value, bool):
        return b"\x01" + (b"\x01" if value else b"\x00")
    if isinstance(value, float) and value.is_integer() and -(2**63) <= value < 2**63:
        value = int(value)  # a whole real is the integer the log's JSON reads back
    if isinstance(value, int):
        return b"\x02" + struct.pack(">q", value)
    if isinstance(value, float):
        return b"\x03" + struct.pack(">d", value)
    if isinstance(value, str):
        return b"\x04" + string(value)
    if isinstance(value, list):
        return b"\x05" + struct.pack(">I", len(value)) + b"".join(string(item) for item in value)
    raise TypeError(value)


def leaf_bytes(op):
    out = b"\x01"
    for key in ["id", "table", "row", "kind", "hlc", "replica", "author", "org"]:
        out += string(op[key])
    fields = op.get("fields", {})
    out += struct.pack(">I", len(fields))
    for name in sorted(fields, key=lambda name: name.encode("utf-8")):
        out += string(name) + value_bytes(fields[name])
    return out


# --- RFC 9162 §2.1 ----------------------------------------------------------------------------


def sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(data):
    return sha256(b"\x00" + data)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def split(n):
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves):
    """MTH(D[n]) of RFC 9162 §2.1.1, over leaf hashes."""
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaves[0]
    k = split(n)
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m, leaves):
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1."""
    n = len(leaves)
    if n == 1:
        return []
    k = split(n)
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def subproof(m, leaves, whole):
    """SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1."""
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = split(n)
    if m <= k:
        return subproof(m, leaves[:k], whole) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def proof(m, leaves):
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1 (empty for m = 0 or m = n, as §18.4 says)."""
    return [] if m == 0 or m == len(leaves) else subproof(m, leaves, True)


def verify_inclusion(index, size, leaf, audit_path, root):
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in audit_path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, consistency_path, first_root, second_root):
    """RFC 9162 §2.1.4.2, with the empty and equal cases of §18.4."""
    if first > second:
        return False
    if first == second:
        return consistency_path == [] and first_root == second_root
    if first == 0:
        return consistency_path == []
    if not consistency_path:
        return False
    p = list(consistency_path)
    if first & (first - 1) == 0:
        p.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = p[0]
    for c in p[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


# --- §18.3 signed tree heads ------------------------------------------------------------------


def signed_bytes(tree_size, timestamp, root):
    return b"followup-tree-head-v1" + struct.pack(">QQ", tree_size, timestamp) + root


def fingerprint(raw_key):
    """`SHA256:` and the lower-case hex SHA-256 of the 32 raw key bytes, in groups of four joined by `:`."""
    digits = hashlib.sha256(raw_key).hexdigest()
    return "SHA256:" + ":".join(digits[i:i + 4] for i in range(0, 64, 4))


def b64(data):
    return base64.b64encode(data).decode()


# --- the log --------------------------------------------------------------------------------

OPERATOR_DEVICE = "0190a5b0-0000-7000-8000-00000000d001"
AMINA_DEVICE = "0190a5b0-0000-7000-8000-00000000d002"
SARA_DEVICE = "0190a5b0-0000-7000-8000-00000000d003"
LINA_DEVICE = "0190a5b0-0000-7000-8000-00000000d004"
ACTION_ROW = "0190a5b0-0000-7000-8000-0000000a0004"

OPERATIONS = [
    # The operator's rows of §13.5: author = org = owner_org = created_by = `_operator`.
    {"id": "0190a5b0-0000-7000-8000-000000000001", "table": "mechanism",
     "row": "0190a5b0-0000-7000-8000-0000000a0001", "kind": "upsert",
     "fields": {"code": "UPR", "kind": "upr", "name": "Universal Periodic Review",
                "owner_org": "_operator", "created_by": "_operator"},
     "hlc": "001800000000000-00000", "replica": OPERATOR_DEVICE, "author": "_operator", "org": "_operator"},
    {"id": "0190a5b0-0000-7000-8000-000000000002", "table": "institution",
     "row": "0190a5b0-0000-7000-8000-0000000a0002", "kind": "upsert",
     "fields": {"name": "Défenseur des droits", "kind": "nhri", "org_id": "ddd",
                "owner_org": "_operator", "created_by": "_operator"},
     "hlc": "001800000000000-00001", "replica": OPERATOR_DEVICE, "author": "_operator", "org": "_operator"},
    # The NHRI's key (§19; the `nhri` key of sealed-text.json), the default `algorithm` filled in.
    {"id": "0190a5b0-0000-7000-8000-000000000003", "table": "organisation_key",
     "row": "0190a5b0-0000-7000-8000-0000000a0003", "kind": "upsert",
     "fields": {"public_key": "B6N8vBQgk8i3VdwbEOhstCY3StFqqFPtC9/AsrhtHHw=",
                "algorithm": "x25519-hkdf-sha256-chacha20poly1305", "owner_org": "ddd", "created_by": "amina"},
     "hlc": "001800000001000-00000", "replica": AMINA_DEVICE, "author": "amina", "org": "ddd"},
    # An action: a whole real (2500.0, tag 2), a real (1234.5, tag 3), null, an empty list,
    # names that are prefixes of others (budget_amount, budget_currency), multi-byte UTF-8.
    {"id": "0190a5b0-0000-7000-8000-000000000004", "table": "action", "row": ACTION_ROW, "kind": "upsert",
     "fields": {"title": "Adopter la loi — ☂ 🏛", "status": "planned", "budget_amount": 2500.0,
                "budget_currency": "EUR", "spent_amount": 1234.5, "description": None, "covers": [],
                "due_date": "2027-02-28", "state": "draft", "owner_org": "moj", "created_by": "sara"},
     "hlc": "001800000002000-00000", "replica": SARA_DEVICE, "author": "sara", "org": "moj"},
    # A submission: a boolean, a list of two ids, right-to-left text.
    {"id": "0190a5b0-0000-7000-8000-000000000005", "table": "submission",
     "row": "0190a5b0-0000-7000-8000-0000000a0005", "kind": "upsert",
     "fields": {"text": "المدافعة تحت المراقبة", "confidential": False,
                "covers": [ACTION_ROW, "0190a5b0-0000-7000-8000-0000000a0002"], "state": "draft",
                "owner_org": "ngo-1", "created_by": "lina"},
     "hlc": "001800000002500-00002", "replica": LINA_DEVICE, "author": "lina", "org": "ngo-1"},
    # An update: a negative whole real (tag 2, two's complement) and a real below one.
    {"id": "0190a5b0-0000-7000-8000-000000000006", "table": "action", "row": ACTION_ROW, "kind": "upsert",
     "fields": {"state": "submitted", "spent_amount": -3.0, "budget_amount": 0.1},
     "hlc": "001800000003000-00007", "replica": SARA_DEVICE, "author": "sara", "org": "moj"},
    # A delete: no fields (their count is 0).
    {"id": "0190a5b0-0000-7000-8000-000000000007", "table": "action", "row": ACTION_ROW, "kind": "delete",
     "hlc": "001800000004000-00000", "replica": SARA_DEVICE, "author": "sara", "org": "moj"},
]

SEED = bytes(range(0x61, 0x81))
HEAD_TIMESTAMPS = {4: 1800000003500, 7: 1800000004100}


def main():
    leaves = [leaf_bytes(op) for op in OPERATIONS]
    hashes = [leaf_hash(data) for data in leaves]
    n = len(hashes)
    roots = [mth(hashes[:size]) for size in range(n + 1)]

    inclusion = []
    for size in range(1, n + 1):
        for index in range(size):
            audit_path = path(index, hashes[:size])
            assert verify_inclusion(index, size, hashes[index], audit_path, roots[size])
            inclusion.append({"index": index, "tree_size": size, "path": [h.hex() for h in audit_path]})
    consistency = []
    for second in range(n + 1):
        for first in range(second + 1):
            consistency_path = proof(first, hashes[:second])
            assert verify_consistency(first, second, consistency_path, roots[first], roots[second])
            consistency.append({"from": first, "to": second, "path": [h.hex() for h in consistency_path]})

    key = Ed25519PrivateKey.from_private_bytes(SEED)
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    heads = []
    for size, timestamp in HEAD_TIMESTAMPS.items():
        message = signed_bytes(size, timestamp, roots[size])
        signature = key.sign(message)
        heads.append({
            "signed_bytes": message.hex(),
            "head": {"key": b64(public), "root": roots[size].hex(), "signature": b64(signature),
                     "timestamp": timestamp, "tree_size": size}})

    # What a verifier MUST refuse, each with why.
    def flipped(h):
        return bytes([h[0] ^ 1]) + h[1:]

    p6_7 = path(6, hashes)
    p2_7 = path(2, hashes)
    tampered_op = json.loads(json.dumps(OPERATIONS[5]))
    tampered_op["fields"]["spent_amount"] = -4.0
    bad_inclusion = [
        ("a path node changed", 2, 7, hashes[2], [flipped(p2_7[0])] + p2_7[1:]),
        ("the leaf's index changed", 3, 7, hashes[2], p2_7),
        ("the tree size changed", 6, 8, hashes[6], p6_7),
        ("an index outside the tree", 6, 6, hashes[6], p6_7),
        ("a node dropped from the path", 6, 7, hashes[6], p6_7[:-1]),
        ("a node added to the path", 6, 7, hashes[6], p6_7 + [hashes[0]]),
        ("the operation changed (spent_amount -4 for -3)", 5, 7, leaf_hash(leaf_bytes(tampered_op)), path(5, hashes)),
        ("the leaf hashed without its 0x00 prefix", 2, 7, sha256(leaves[2]), p2_7),
    ]
    invalid_inclusion = []
    for reason, index, size, leaf, audit_path in bad_inclusion:
        assert not verify_inclusion(index, size, leaf, audit_path, roots[7]), reason
        invalid_inclusion.append({"reason": reason, "index": index, "tree_size": size, "leaf_hash": leaf.hex(),
                                  "path": [h.hex() for h in audit_path], "root": roots[7].hex()})
    p3_7 = proof(3, hashes)
    p4_7 = proof(4, hashes)
    bad_consistency = [
        ("a path node changed", 3, 7, [flipped(p3_7[0])] + p3_7[1:], roots[3], roots[7]),
        ("the old root changed", 4, 7, p4_7, flipped(roots[4]), roots[7]),
        ("the new root changed", 4, 7, p4_7, roots[4], flipped(roots[7])),
        ("the path of another old size", 3, 7, p4_7, roots[3], roots[7]),
        ("a node dropped from the path", 3, 7, p3_7[:-1], roots[3], roots[7]),
        ("equal sizes with different roots", 7, 7, [], roots[7], flipped(roots[7])),
        ("a tree that shrinks", 7, 4, [], roots[7], roots[4]),
    ]
    invalid_consistency = []
    for reason, first, second, consistency_path, first_root, second_root in bad_consistency:
        assert not verify_consistency(first, second, consistency_path, first_root, second_root)
        invalid_consistency.append({"reason": reason, "from": first, "to": second,
                                    "path": [h.hex() for h in consistency_path],
                                    "from_root": first_root.hex(), "to_root": second_root.hex()})
    good = heads[1]["head"]
    bad_heads = [
        ("tree_size changed", dict(good, tree_size=6)),
        ("timestamp changed", dict(good, timestamp=good["timestamp"] + 1)),
        ("root changed", dict(good, root=roots[6].hex())),
        ("signature changed", dict(good, signature=b64(flipped(base64.b64decode(good["signature"]))))),
        ("signed by another key", dict(good, key=b64(Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()
                                                     .public_bytes(serialization.Encoding.Raw,
                                                                   serialization.PublicFormat.Raw)))),
    ]
    invalid_heads = []
    for reason, head in bad_heads:
        try:
            Ed25519PublicKey.from_public_bytes(base64.b64decode(head["key"])).verify(
                base64.b64decode(head["signature"]),
                signed_bytes(head["tree_size"], head["timestamp"], bytes.fromhex(head["root"])))
            raise AssertionError(reason)
        except InvalidSignature:
            pass
        invalid_heads.append({"reason": reason, "head": head})

    print(json.dumps({
        "comment": "protocol/README.md §18: an audit log of seven accepted operations (leaf bytes §18.2, "
                   "the RFC 9162 tree §18.1, every inclusion and consistency proof §18.4, signed heads and "
                   "the key's fingerprint §18.3), and proofs and heads a verifier must refuse. Written by "
                   "scripts/reference/audit-log-vector.py, independent of the Swift code.",
        "operations": [
            {"operation": op, "leaf_bytes": data.hex(), "leaf_hash": h.hex()}
            for op, data, h in zip(OPERATIONS, leaves, hashes)],
        "roots": [{"tree_size": size, "root": roots[size].hex()} for size in range(n + 1)],
        "inclusion": inclusion,
        "consistency": consistency,
        "key": {"seed": SEED.hex(), "public_key": b64(public), "fingerprint": fingerprint(public)},
        "heads": heads,
        "invalid_inclusion": invalid_inclusion,
        "invalid_consistency": invalid_consistency,
        "invalid_heads": invalid_heads,
    }, indent=2, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    main()
