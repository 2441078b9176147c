import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Submissions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit information on recommendations (NGOs, the UN country team).",
            subcommands: [AddSubmission.self, PublishSubmission.self, ListSubmissions.self])
    }

    struct AddSubmission: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Add a submission; prints its id.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "The recommendation id.") var rec: String?
        @Option(help: "The cluster id, for a submission on a whole cluster (instead of --rec).") var cluster: String?
        @Option(help: "Another recommendation it also concerns (repeatable).") var covers: [String] = []
        @Option(help: "The information.") var text: String
        @Flag(help: "Confidential: for the NHRI only (names victims or defenders).") var confidential = false

        func run() async throws {
            try await reportingErrors {
                var submission = NewSubmission(
                    target: try chosenTarget(rec: rec, cluster: cluster), text: text, confidential: confidential)
                submission.covers = covers
                print(try options.open().addSubmission(submission))
            }
        }
    }

    struct PublishSubmission: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "publish",
            abstract: "Make a non-confidential submission public (the public portal shows it).")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The submission id.") var id: String

        func run() async throws {
            try await reportingErrors {
                try options.open().publishSubmission(id)
                print("submission \(id) will be public once synced")
            }
        }
    }

    struct ListSubmissions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the submissions this replica holds, confidential ones opened where it holds the key.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "Only those whose text contains this (any case).") var search: String?

        func run() async throws {
            try await reportingErrors {
                for (id, values) in try options.open().submissions(matching: search) {
                    let text = values["text"]?.description ?? ""
                    let mark =
                        SealedText.isSealed(text)
                        ? " [sealed: this replica lacks the key]"
                        : values["confidential"] == .bool(true) ? " [confidential]" : ""
                    print("\(id)  \(values["owner_org"]?.description ?? "")\(mark)  \(Output.clip(text))")
                }
            }
        }
    }
}
