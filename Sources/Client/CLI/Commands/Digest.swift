import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Digest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a hash of the visible state; equal on replicas holding the same rows.")

        @OptionGroup var options: ReplicaOptions

        func run() async throws {
            try await reportingErrors { print(try options.open().digest()) }
        }
    }
}
