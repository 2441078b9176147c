import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Progress: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report progress on actions (ministries).", subcommands: [AddProgress.self])
    }

    struct AddProgress: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Report progress; prints its id.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "The action id.") var action: String
        @Option(help: "What was done.") var narrative: String
        @Option(help: "Date, YYYY-MM-DD (default: today).") var date: String?
        @Option(help: "A measured value.") var value: Double?
        @Option(help: "on_track, delayed, at_risk or completed.") var status: String?
        @Option(help: "The indicator the value measures.") var indicator: String?

        func run() async throws {
            try await reportingErrors(flags: ["date": "--date"]) {
                var update = NewProgressUpdate(action: action, narrative: narrative)
                update.date = date
                update.value = value
                update.status = status
                update.indicator = indicator
                print(try options.open().reportProgress(update))
            }
        }
    }
}
