import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit a draft action, progress update, oversight request or response for review.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The row id.") var id: String

        func run() async throws {
            try await reportingErrors { try move(id, to: "submitted", options: options) }
        }
    }
}
