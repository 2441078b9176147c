import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish an assessment, or a submitted action, progress update or oversight exchange.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The row id.") var id: String

        func run() async throws {
            try await reportingErrors { try move(id, to: "published", options: options) }
        }
    }
}
