import ArgumentParser
import Foundation
import Shared

/// Turns `column=value` arguments into typed field values, by the column's type.
enum CommandLineValue {
    static func parse(_ argument: String, table: TableSchema) throws -> (String, FieldValue) {
        guard let equals = argument.firstIndex(of: "=") else {
            throw ValidationError("'\(argument)' is not column=value")
        }
        let name = String(argument[..<equals])
        let text = String(argument[argument.index(after: equals)...])
        guard let column = table.column(name) else {
            let names = table.columns.filter { !$0.isServerManaged }.map(\.name).joined(separator: ", ")
            throw ReplicaError(
                .unknownColumn, "table '\(table.name)' has no column '\(name)'; columns are: \(names)"
            )
        }
        if text.isEmpty { return (name, .null) }
        switch column.type {
        case .text, .date, .enumeration, .reference:
            return (name, .text(text))
        case .integer:
            guard let number = Int64(text) else {
                throw ReplicaError(.invalidValue, "\(name) must be a whole number, not '\(text)'")
            }
            return (name, .integer(number))
        case .real:
            guard let number = Double(text), number.isFinite else {
                throw ReplicaError(.invalidValue, "\(name) must be a number, not '\(text)'")
            }
            return (name, .real(number))
        case .list:
            return (name, .list(text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }))
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "1": return (name, .bool(true))
            case "false", "no", "0": return (name, .bool(false))
            default:
                throw ReplicaError(.invalidValue, "\(name) must be true or false, not '\(text)'")
            }
        }
    }
}

/// Reads JSON Lines files of rows: one object of columns a line, `"id"` optional.
enum JSONLines {
    static func read(path: String) throws -> [(id: String?, fields: [String: FieldValue])] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReplicaError(.fileNotFound, "cannot read \(path)")
        }
        let decoder = WireCoding.decoder()
        var edits: [(id: String?, fields: [String: FieldValue])] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).enumerated() {
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            var object: [String: FieldValue]
            do {
                object = try decoder.decode([String: FieldValue].self, from: Data(line.utf8))
            } catch {
                throw ReplicaError(
                    .malformedJSON,
                    "\(path) line \(index + 1) is not a JSON object of column values; nothing was written")
            }
            var id: String?
            if let value = object.removeValue(forKey: "id") {
                guard case .text(let text) = value else {
                    throw ReplicaError(
                        .invalidID, "\(path) line \(index + 1): \"id\" must be a string")
                }
                id = text
            }
            edits.append((id, object))
        }
        return edits
    }
}

/// Renders rows for the terminal and as JSON.
enum RowRendering {
    static func json(id: String, values: [String: FieldValue]) throws -> String {
        var object = values
        object["id"] = .text(id)
        return String(decoding: try WireCoding.encoder().encode(object), as: UTF8.self)
    }

    static func jsonArray(_ rows: [(id: String, values: [String: FieldValue])]) throws -> String {
        let objects = rows.map { row -> [String: FieldValue] in
            var object = row.values
            object["id"] = .text(row.id)
            return object
        }
        return String(decoding: try WireCoding.encoder().encode(objects), as: UTF8.self)
    }

    static func record(id: String, values: [String: FieldValue], table: TableSchema) -> String {
        let width = table.columns.map(\.name.count).max() ?? 2
        var lines = ["id".padding(toLength: width, withPad: " ", startingAt: 0) + "  " + id]
        // A value's own lines are indented under it, so no line of text can pass for a column.
        let continuation = "\n" + String(repeating: " ", count: width + 2)
        for column in table.columns {
            guard let value = values[column.name] else { continue }
            let text = value.description.split(separator: "\n", omittingEmptySubsequences: false)
                .joined(separator: continuation)
            lines.append(column.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + text)
        }
        return lines.joined(separator: "\n")
    }

    static func table(_ rows: [(id: String, values: [String: FieldValue])], table: TableSchema) -> String {
        let columns = ["id"] + table.columns.filter { !$0.isServerManaged }.map(\.name)
        let cells = rows.map { row in
            columns.map { name -> String in
                let text = name == "id" ? row.id : (row.values[name]?.description ?? "")
                let flat = text.replacingOccurrences(of: "\n", with: " ")
                return flat.count > 40 ? String(flat.prefix(39)) + "…" : flat
            }
        }
        let widths = columns.indices.map { index in
            max(columns[index].count, cells.map { $0[index].count }.max() ?? 0)
        }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(columns)] + cells.map(line) + ["(\(rows.count) \(rows.count == 1 ? "row" : "rows"))"]).joined(
            separator: "\n")
    }
}
