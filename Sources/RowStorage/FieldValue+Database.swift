import Foundation
import GRDB
import Shared

/// How field values are stored in SQLite columns.
extension FieldValue {
    /// The SQLite value this field is stored as.
    public var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .bool(let value): (value ? 1 : 0).databaseValue
        case .integer(let value): value.databaseValue
        case .real(let value): value.databaseValue
        case .text(let value): value.databaseValue
        case .list(let value): Self.listJSON(value).databaseValue
        }
    }

    /// Reads a stored SQLite value back as a field value of column type `type`.
    public init(_ value: DatabaseValue, as type: ColumnType) {
        switch value.storage {
        case .null: self = .null
        case .int64(let int):
            switch type {
            case .boolean: self = .bool(int != 0)
            case .real: self = .real(Double(int))
            default: self = .integer(int)
            }
        case .double(let double): self = .real(double)
        case .string(let string):
            if case .list = type,
                let items = try? JSONDecoder().decode([String].self, from: Data(string.utf8))
            {
                self = .list(items)
            } else {
                self = .text(string)
            }
        case .blob: self = .null
        }
    }
}
