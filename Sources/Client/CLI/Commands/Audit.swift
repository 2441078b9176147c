import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    /// `followup audit`: checks the server's log of accepted operations.
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the server's audit log of accepted operations.", subcommands: [Verify.self, Key.self])
    }

    /// `followup history TABLE ROW-ID`.
    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show who (organisation, user) changed which fields of a row, and when, from the server's log.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The table, such as recommendation or action.") var table: String
        @Argument(help: "The row's id.") var row: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let history = try await options.open().history(table: table, row: row)
                if json { return try Output.json(history) }
                Output.table(
                    ["ACCEPTED", "USER", "ORGANISATION", "CHANGE", "FIELDS"],
                    history.entries.map { entry in
                        [
                            Date(timeIntervalSince1970: Double(entry.acceptedAt) / 1000).formatted(.iso8601),
                            entry.user, entry.org, entry.kind.rawValue, entry.fields.joined(separator: ", "),
                        ]
                    })
            }
        }
    }
}

extension FollowupCommand.Audit {
    /// `followup audit verify`.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Check that each signed head seen extends the one before, and that every operation this replica pushed and saw accepted is in the latest head's tree, unchanged; exits 1 when not."
        )

        @OptionGroup var options: ReplicaOptions

        func run() async throws {
            try await reportingErrors {
                let report = try await options.open().verifyAuditWithServer()
                guard report.problems.isEmpty else {
                    for problem in report.problems { printError(problem) }
                    throw CommandFailure(
                        message:
                            "audit log NOT as this replica saw it: \(report.problems.count) problem(s); keep this replica as evidence"
                    )
                }
                print(
                    "audit log verified: \(report.operations) accepted operations of this replica under the head of \(report.head.treeSize) operations (root \(report.head.root.hex)); \(report.heads) heads seen, each extending the one before"
                )
            }
        }
    }

    /// `followup audit key`.
    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the fingerprint of the server key this replica pinned at init, to compare out of band.")

        @OptionGroup var options: ReplicaOptions

        func run() async throws {
            try await reportingErrors {
                guard let key = try options.open().pinnedServerKey() else {
                    throw CommandFailure(message: "no server key pinned yet; run followup sync")
                }
                print(SignedTreeHead.fingerprint(ofKey: key))
            }
        }
    }
}
