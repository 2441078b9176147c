import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Rejected: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the edits the server refused, with its reasons; discard one with 'rejected discard ID'.",
            subcommands: [ListRejected.self, Discard.self], defaultSubcommand: ListRejected.self)
    }

    struct ListRejected: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List refused edits (the default).")

        @OptionGroup var options: ReplicaOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let refused = try options.open().rejectedOperations()
                if json {
                    let items = refused.map { item in
                        RejectedItem(
                            op: item.operation.id, table: item.operation.table, row: item.operation.row,
                            kind: item.operation.kind.rawValue, fields: item.operation.fields, code: item.code,
                            message: item.message)
                    }
                    print(String(decoding: try WireCoding.encoder().encode(items), as: UTF8.self))
                    return
                }
                if refused.isEmpty {
                    print("no refused edits")
                    return
                }
                for item in refused {
                    let operation = item.operation
                    let fields = operation.fields.keys.sorted().map { "\($0)=\(operation.fields[$0]!)" }
                        .joined(separator: " ")
                    print(
                        """
                        \(operation.id)  \(operation.kind.rawValue) \(operation.table) \(operation.row)
                          refused: \(item.code): \(item.message)
                        """ + (fields.isEmpty ? "" : "\n  edit:    \(fields)"))
                }
            }
        }
    }

    struct Discard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drop one refused edit for good.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The refused operation's id (see 'followup rejected').") var id: String

        func run() async throws {
            try await reportingErrors {
                try options.open().discardRejected(id)
                print("discarded \(id)")
            }
        }
    }
}

/// A refused edit as `followup rejected --json` prints it.
struct RejectedItem: Encodable {
    var op: String
    var table: String
    var row: String
    var kind: String
    var fields: [String: FieldValue]
    var code: ErrorCode
    var message: String
}
