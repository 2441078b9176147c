import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Actions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plan actions on recommendations and clusters (ministries).",
            subcommands: [AddAction.self, Spend.self])
    }

    struct AddAction: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Plan an action; prints its id.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "The recommendation id.") var rec: String?
        @Option(help: "The cluster id, for an action covering a whole cluster (instead of --rec).") var cluster: String?
        @Option(help: "Another recommendation it also serves (repeatable).") var covers: [String] = []
        @Option(help: "The title.") var title: String
        @Option(help: "A description.") var description: String?
        @Option(help: "The expected outcome.") var expectedOutcome: String?
        @Option(help: "The institution carrying it out (default: your organisation).") var institution: String?
        @Option(help: "Start date, YYYY-MM-DD.") var start: String?
        @Option(help: "Due date, YYYY-MM-DD.") var due: String?
        @Option(help: "Budget amount.") var budget: Double?
        @Option(help: "Budget currency (ISO 4217, e.g. USD).") var currency: String?
        @Option(help: "Budget line.") var budgetLine: String?
        @Option(help: "Money spent so far, in the budget's currency.") var spent: Double?
        @Option(help: "planned, in_progress, completed or cancelled.") var status = "planned"
        @Option(help: "Also create an indicator with this title.") var indicator: String?
        @Option(help: "The indicator's kind: structure, process or outcome.") var indicatorKind: String?
        @Option(help: "The indicator's unit.") var unit: String?
        @Option(help: "The indicator's baseline.") var baseline: Double?
        @Option(help: "The indicator's target.") var target: Double?

        func run() async throws {
            try await reportingErrors(flags: [
                "startDate": "--start", "dueDate": "--due", "budget.currency": "--currency",
                "budget.amount": "--budget", "budget.spent": "--spent",
            ]) {
                var action = NewAction(target: try chosenTarget(rec: rec, cluster: cluster), title: title)
                action.covers = covers
                action.description = description
                action.expectedOutcome = expectedOutcome
                action.institution = institution
                action.startDate = start
                action.dueDate = due
                action.budget = Budget(amount: budget, currency: currency, line: budgetLine, spent: spent)
                action.status = status
                action.indicator = indicator.map {
                    NewIndicator(title: $0, kind: indicatorKind, unit: unit, baseline: baseline, target: target)
                }
                print(try options.open().planAction(action))
            }
        }
    }

    struct Spend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the money spent so far on an action, beside its budget.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The action id.") var action: String
        @Option(help: "The amount spent so far, in the budget's currency.") var amount: Double

        func run() async throws {
            try await reportingErrors(flags: ["amount": "--amount"]) {
                switch try options.open().recordSpending(action: action, amount: amount) {
                case .changed:
                    print("recorded: \(amount) spent on action \(action)")
                case .revision(let revision):
                    print(
                        "recorded in revision \(revision) of the published action \(action): \(amount) spent; the public sees it once the secretariat publishes the revision"
                    )
                }
            }
        }
    }
}

/// The one target a command's `--rec` or `--cluster` names, or a validation error.
func chosenTarget(rec: String?, cluster: String?) throws -> String {
    switch (rec, cluster) {
    case (let rec?, nil): return rec
    case (nil, let cluster?): return cluster
    default: throw ValidationError("give either --rec or --cluster (one of them)")
    }
}
