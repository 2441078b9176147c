import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a row (for good, once synced).")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The table.") var table: String
        @Argument(help: "The row id.") var id: String

        func run() async throws {
            try await reportingErrors {
                try options.open().delete(table, id: id)
                print("deleted \(table) \(id)")
            }
        }
    }
}
