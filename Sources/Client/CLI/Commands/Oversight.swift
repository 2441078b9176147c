import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Oversight: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parliamentary oversight: requests and answers.", subcommands: [Ask.self, Answer.self])
    }

    struct Ask: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Ask an institution a question, call a hearing or request information (parliament); prints its id.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "The institution asked (row id or organisation id).") var to: String
        @Option(help: "The recommendation concerned.") var rec: String?
        @Option(help: "The question or request.") var text: String
        @Option(help: "question, hearing or information_request.") var kind = "question"
        @Option(help: "Due date, YYYY-MM-DD.") var due: String?
        @Option(help: "For a hearing: its date, YYYY-MM-DD.") var hearingDate: String?
        @Option(help: "For a hearing: where it is held.") var place: String?

        func run() async throws {
            try await reportingErrors(flags: ["dueDate": "--due", "hearingDate": "--hearing-date"]) {
                var request = NewOversightRequest(
                    institution: to, text: text, kind: kind, recommendation: rec, dueDate: due)
                request.hearingDate = hearingDate
                request.hearingPlace = place
                print(try options.open().askOversight(request))
            }
        }
    }

    struct Answer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer an oversight request (the institution asked); prints the answer's id.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The oversight request id.") var request: String
        @Option(help: "The answer.") var text: String

        func run() async throws {
            try await reportingErrors {
                print(try options.open().answerOversight(request, text: text))
            }
        }
    }
}
