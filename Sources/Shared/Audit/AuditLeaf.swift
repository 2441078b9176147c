/// The bytes an accepted operation contributes to the audit log's Merkle tree (protocol §18.2).
///
/// Version 1, frozen: changing it would change every leaf hash a replica or an auditor keeps.
/// Every string is its UTF-8 bytes after a 4-byte big-endian length; every integer is
/// big-endian. In order:
///
/// 1. the byte `0x01` (the encoding's version);
/// 2. the operation id, table, row id, then the kind (`upsert` or `delete`) as strings;
/// 3. the HLC text (`<physical>-<logical>`), the replica, the author and the organisation as strings;
/// 4. the number of fields (4 bytes), then each field in byte order of its name: the name as
///    a string, a tag byte and the value: `0` null; `1` boolean, one byte 0 or 1; `2` integer,
///    8 bytes two's complement; `3` real, the 8 bytes of its IEEE 754 binary64 form; `4` text,
///    a string; `5` list, a 4-byte count then each item as a string.
///
/// A real with a whole value that an integer can hold is encoded as that integer, as the log's
/// JSON reads it back.
public enum AuditLeaf {
    /// The encoding's version byte.
    public static let version: UInt8 = 1

    /// The leaf bytes of `operation` as accepted (author and organisation stamped; missing ones
    /// encode as empty strings).
    public static func bytes(of operation: SyncOperation) -> [UInt8] {
        var out: [UInt8] = [version]
        out.reserveCapacity(256)
        for text in [
            operation.id, operation.table, operation.row, operation.kind.rawValue, operation.hlc.description,
            operation.replica, operation.author ?? "", operation.org ?? "",
        ] {
            append(text, to: &out)
        }
        append(UInt32(operation.fields.count), to: &out)
        let names = operation.fields.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for name in names {
            append(name, to: &out)
            switch operation.fields[name] ?? .null {
            case .null:
                out.append(0)
            case .bool(let value):
                out.append(1)
                out.append(value ? 1 : 0)
            case .integer(let value):
                out.append(2)
                append(UInt64(bitPattern: value), to: &out)
            case .real(let value):
                if value.rounded() == value, let whole = Int64(exactly: value) {
                    out.append(2)
                    append(UInt64(bitPattern: whole), to: &out)
                } else {
                    out.append(3)
                    append(value.bitPattern, to: &out)
                }
            case .text(let value):
                out.append(4)
                append(value, to: &out)
            case .list(let items):
                out.append(5)
                append(UInt32(items.count), to: &out)
                for item in items { append(item, to: &out) }
            }
        }
        return out
    }

    /// The leaf hash of `operation`: SHA-256(0x00 ‖ bytes).
    public static func hash(of operation: SyncOperation) -> TreeHash {
        MerkleTree.leafHash(bytes(of: operation))
    }

    private static func append(_ text: String, to out: inout [UInt8]) {
        append(UInt32(text.utf8.count), to: &out)
        out.append(contentsOf: text.utf8)
    }

    private static func append(_ value: UInt32, to out: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    private static func append(_ value: UInt64, to out: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }
}
