import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or change a row offline; prints the row id last.",
            discussion: """
                Values are given as column=value; an empty value (column=) clears the field; list items are \
                separated by ';' (themes=Justice;Women's rights).
                With --jsonl, each line of FILE is a JSON object of columns (with "id" to change an existing row); \
                all lines are written or none, and the ids are printed one a line.
                """)

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The table.") var table: String
        @Argument(help: "Optional row id, then column=value pairs.") var items: [String] = []
        @Option(help: "Read rows from a JSON Lines file instead.") var jsonl: String?

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                let schema = try replica.table(table)
                if let jsonl {
                    guard items.isEmpty else { throw ValidationError("give either --jsonl or column=value pairs") }
                    let edits = try JSONLines.read(path: jsonl)
                    for id in try replica.put(table, rows: edits) { print(id) }
                    return
                }
                var arguments = items
                var rowID: String?
                if let first = arguments.first, !first.contains("=") {
                    rowID = first
                    arguments.removeFirst()
                }
                guard !arguments.isEmpty else { throw ValidationError("give at least one column=value") }
                var fields: [String: FieldValue] = [:]
                for argument in arguments {
                    let (name, value) = try CommandLineValue.parse(argument, table: schema)
                    fields[name] = value
                }
                if let rowID, try replica.needsRevision(table, id: rowID),
                    case .revision(let revision) = try replica.edit(table, id: rowID, fields: fields)
                {
                    printError(
                        "\(table) \(rowID) is published: the change is in your revision \(revision), which the public does not see until the secretariat publishes it"
                    )
                    print(revision)
                    return
                }
                print(try replica.put(table, id: rowID, fields: fields))
            }
        }
    }
}
