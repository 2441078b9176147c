import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Overdue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Actions, recommendations and oversight requests past their due date.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "Today's date (default: the system date).") var today: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let day = today ?? Replica.today()
                guard OperationRules.isCalendarDate(day) else { throw ValidationError("--today must be YYYY-MM-DD") }
                let items = try options.open().overdue(today: day)
                if json { return try Output.json(items) }
                Output.table(
                    ["due", "table", "id", "who", "what"],
                    items.map { [$0.due, $0.table, $0.id, $0.institution ?? "-", Output.clip($0.title, 50)] })
                print("(\(items.count) overdue on \(day))")
            }
        }
    }
}
