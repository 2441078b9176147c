import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the rows of a table.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The table.") var table: String
        @Flag(help: "Print a JSON array of objects with \"id\".") var json = false

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                let schema = try replica.table(table)
                let rows = try replica.rows(table)
                if json {
                    print(try RowRendering.jsonArray(rows))
                } else {
                    print(RowRendering.table(rows, table: schema))
                }
            }
        }
    }
}
