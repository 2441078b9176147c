import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Submissions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit information on recommendations (NGOs).", subcommands: [AddSubmission.self])
    }

    struct AddSubmission: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Add a submission; prints its id.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "The recommendation id.") var rec: String
        @Option(help: "The information.") var text: String
        @Flag(help: "Confidential: for the NHRI only (names victims or defenders).") var confidential = false

        func run() async throws {
            try await reportingErrors {
                print(
                    try options.open().addSubmission(
                        NewSubmission(recommendation: rec, text: text, confidential: confidential)))
            }
        }
    }
}
