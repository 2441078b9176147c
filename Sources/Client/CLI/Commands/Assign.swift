import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Assign a recommendation or a cluster to an institution (secretariat); prints the assignment id.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "A recommendation or cluster id.") var target: String
        @Option(help: "The institution (row id or organisation id).") var to: String
        @Flag(help: "As the lead institution.") var lead = false
        @Flag(help: "As a contributing institution.") var contributing = false
        @Option(help: "The focal point's name.") var focalPoint: String?

        func run() async throws {
            guard lead != contributing else { throw ValidationError("give exactly one of --lead or --contributing") }
            try await reportingErrors {
                let assignment = NewAssignment(
                    target: target, institution: to, role: lead ? .lead : .contributing, focalPoint: focalPoint)
                print(try options.open().assign(assignment))
            }
        }
    }
}
