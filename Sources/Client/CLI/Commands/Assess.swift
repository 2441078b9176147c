import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Assess: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record an independent assessment of a recommendation or cluster (NHRI); prints its id.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The recommendation or cluster id.") var target: String
        @Option(help: "no_progress, limited, partial, substantial or implemented.") var rating: String
        @Option(help: "Why.") var rationale: String
        @Option(help: "Sources.") var sources: String?

        func run() async throws {
            try await reportingErrors {
                print(
                    try options.open().recordAssessment(
                        NewAssessment(target: target, rating: rating, rationale: rationale, sources: sources)))
            }
        }
    }
}
