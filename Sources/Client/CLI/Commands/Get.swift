import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one row.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The table.") var table: String
        @Argument(help: "The row id.") var id: String
        @Flag(help: "Print one JSON object with \"id\" and its columns.") var json = false

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                let schema = try replica.table(table)
                guard let values = try replica.row(table, id: id) else {
                    throw ReplicaError(.rowNotFound, "there is no \(table) \(id) on this replica")
                }
                if json {
                    print(try RowRendering.json(id: id, values: values))
                } else {
                    print(RowRendering.record(id: id, values: values, table: schema))
                }
            }
        }
    }
}
