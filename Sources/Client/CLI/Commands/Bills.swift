import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Bills: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow bills that implement recommendations (parliament, the secretariat).",
            subcommands: [AddBill.self, BillStage.self, ListBills.self])
    }

    struct AddBill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Follow a bill; prints its id.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "The bill's title.") var title: String
        @Option(help: "Parliament's reference, e.g. \"Bill 12/2026\".") var reference: String?
        @Option(help: "The recommendation it implements.") var rec: String?
        @Option(help: "The cluster it implements (instead of --rec).") var cluster: String?
        @Option(help: "Another recommendation it also implements (repeatable).") var covers: [String] = []
        @Option(help: "drafting, tabled, in_committee, passed, enacted, withdrawn or rejected.") var stage = "drafting"
        @Option(help: "When it reached that stage, YYYY-MM-DD.") var date: String?
        @Option(help: "Notes.") var notes: String?

        func run() async throws {
            try await reportingErrors(flags: ["stageDate": "--date"]) {
                let target = rec == nil && cluster == nil ? nil : try chosenTarget(rec: rec, cluster: cluster)
                var bill = NewBill(title: title, target: target, stage: stage, stageDate: date)
                bill.reference = reference
                bill.covers = covers
                bill.notes = notes
                print(try options.open().trackBill(bill))
            }
        }
    }

    struct BillStage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stage", abstract: "Record the stage a bill reached, and when.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The bill id.") var id: String
        @Option(help: "drafting, tabled, in_committee, passed, enacted, withdrawn or rejected.") var stage: String
        @Option(help: "When, YYYY-MM-DD (default: today).") var date: String?

        func run() async throws {
            try await reportingErrors(flags: ["stageDate": "--date"]) {
                try options.open().moveBill(id, to: stage, on: date)
                print("bill \(id) is now \(stage)")
            }
        }
    }

    struct ListBills: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the bills followed.")

        @OptionGroup var options: ReplicaOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let bills = try options.open().rows("bill")
                if json {
                    return try Output.json(
                        bills.map { bill in bill.values.merging(["id": .text(bill.id)]) { current, _ in current } })
                }
                Output.table(
                    ["id", "stage", "date", "reference", "title"],
                    bills.map {
                        [
                            $0.id, $0.values["stage"]?.description ?? "", $0.values["stage_date"]?.description ?? "",
                            $0.values["reference"]?.description ?? "",
                            Output.clip($0.values["title"]?.description ?? ""),
                        ]
                    })
                print("(\(bills.count) \(bills.count == 1 ? "bill" : "bills"))")
            }
        }
    }

    struct Reply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draft the government's reply to a published assessment; prints its id.",
            discussion: "Submit it with 'followup submit ID'; the secretariat publishes it.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The assessment id.") var assessment: String
        @Option(help: "The reply.") var text: String

        func run() async throws {
            try await reportingErrors { print(try options.open().replyToAssessment(assessment, text: text)) }
        }
    }
}
