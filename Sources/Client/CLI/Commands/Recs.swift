import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Recs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "recs", abstract: "Find and read recommendations.",
            subcommands: [ListRecs.self, ShowRec.self, NeedsLegislation.self])
    }

    struct ListRecs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List recommendations with filters.")

        @OptionGroup var options: ReplicaOptions
        @OptionGroup var filters: RecommendationFilterOptions
        @Option(help: "At most this many (default: every match).") var limit: Int?
        @Option(help: "Pass over this many matches first.") var offset = 0
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more") }
            if offset < 0 { throw ValidationError("--offset cannot be negative") }
        }

        func run() async throws {
            try await reportingErrors {
                var filter = filters.filter
                filter.limit = limit
                filter.offset = offset
                let replica = try options.open()
                let found = try replica.recommendations(filter)
                // A list never stops silently: say how many matches this page leaves out.
                if limit != nil || offset > 0 {
                    let total = try replica.recommendationCount(filter)
                    let after = total - offset - found.count
                    if after > 0 || offset > 0 {
                        printError(
                            "showing \(found.count) of \(total) matches\(after > 0 ? "; \(after) more after these: --offset \(offset + found.count)" : "")"
                        )
                    }
                }
                if json { return try Output.json(found) }
                // A ministry sees whether it leads or contributes.
                let roles = found.contains { $0.role != nil }
                Output.table(
                    ["id", "session", "state", "position", "status"] + (roles ? ["role"] : []) + ["text"],
                    found.map {
                        [
                            $0.id, $0.session.map(String.init) ?? "", $0.stateUnderReview ?? "", $0.position ?? "",
                            $0.status.rawValue,
                        ] + (roles ? [$0.role ?? "-"] : []) + [Output.clip($0.text)]
                    })
                print("(\(found.count) \(found.count == 1 ? "recommendation" : "recommendations"))")
            }
        }
    }

    struct ShowRec: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a recommendation with its assignments, actions, progress and assessments.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The recommendation id.") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                let detail = try replica.recommendationDetail(id)
                if json { return try Output.json(detail) }
                let table = try replica.table("recommendation")
                print(
                    RowRendering.record(id: id, values: detail.recommendation.filter { $0.key != "id" }, table: table))
                func names(_ id: FieldValue?) -> String {
                    guard case .text(let id) = id else { return "" }
                    return detail.institutionNames[id] ?? ""
                }
                if !detail.clusters.isEmpty {
                    print("\nclusters")
                    for cluster in detail.clusters { print("  \(cluster["title"]?.description ?? "")") }
                }
                print("\nassignments")
                for assignment in detail.assignments {
                    let via = assignment["cluster_id"] == nil ? "" : "  (through a cluster)"
                    print("  \(assignment["role"]?.description ?? "")  \(names(assignment["institution_id"]))\(via)")
                }
                print("\nactions")
                for action in detail.actions {
                    let scope =
                        action["recommendation_id"] == .text(id)
                        ? "" : action["cluster_id"] != nil ? "  (on a cluster)" : "  (also covers this)"
                    var money = ""
                    if action["budget_amount"] != nil || action["spent_amount"] != nil {
                        money =
                            "  spent \(action["spent_amount"]?.description ?? "-") of \(action["budget_amount"]?.description ?? "-") \(action["budget_currency"]?.description ?? "")"
                    }
                    print(
                        "  \(action["id"]?.description ?? "")  [\(action["status"]?.description ?? "")/\(action["state"]?.description ?? "")]  \(action["title"]?.description ?? "")  due \(action["due_date"]?.description ?? "-")\(money)\(scope)"
                    )
                }
                if !detail.indicators.isEmpty {
                    print("\nindicators")
                    for indicator in detail.indicators {
                        print(
                            "  \(indicator["title"]?.description ?? "")  baseline \(indicator["baseline"]?.description ?? "-")  target \(indicator["target"]?.description ?? "-") \(indicator["unit"]?.description ?? "")"
                        )
                    }
                }
                print("\nprogress")
                for update in detail.progress {
                    print(
                        "  \(update["date"]?.description ?? "")  [\(update["state"]?.description ?? "")]  \(Output.clip(update["narrative"]?.description ?? ""))"
                    )
                }
                print("\npublished assessments")
                for assessment in detail.assessments {
                    print(
                        "  \(assessment["owner_org"]?.description ?? "")  \(assessment["rating"]?.description ?? "")  \(Output.clip(assessment["rationale"]?.description ?? ""))"
                    )
                    for reply in detail.replies where reply["assessment_id"] == assessment["id"] {
                        print(
                            "    government's reply [\(reply["state"]?.description ?? "")]: \(Output.clip(reply["text"]?.description ?? ""))"
                        )
                    }
                }
                if !detail.submissions.isEmpty {
                    print("\nsubmissions")
                    for submission in detail.submissions {
                        let mark =
                            submission["confidential"] == .bool(true)
                            ? " [confidential]" : submission["state"] == .text("published") ? " [public]" : ""
                        print(
                            "  \(submission["owner_org"]?.description ?? "")\(mark)  \(Output.clip(submission["text"]?.description ?? ""))"
                        )
                    }
                }
                if !detail.bills.isEmpty {
                    print("\nbills")
                    for bill in detail.bills {
                        print(
                            "  \(bill["title"]?.description ?? "")  \(bill["reference"]?.description ?? "")  \(bill["stage"]?.description ?? "")  \(bill["stage_date"]?.description ?? "")"
                        )
                    }
                }
                if !detail.oversight.isEmpty {
                    print("\noversight")
                    for request in detail.oversight {
                        let hearing = [request["hearing_date"], request["hearing_place"]].compactMap { $0?.description }
                        print(
                            "  \(request["kind"]?.description ?? "")\(hearing.isEmpty ? "" : " (" + hearing.joined(separator: ", ") + ")")  [\(request["state"]?.description ?? "")]  \(Output.clip(request["text"]?.description ?? ""))"
                        )
                        for response in detail.responses where response["oversight_request_id"] == request["id"] {
                            print("    answer: \(Output.clip(response["text"]?.description ?? ""))")
                        }
                    }
                }
            }
        }
    }

    struct NeedsLegislation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "needs-legislation",
            abstract: "Mark a recommendation as needing legislation, or not (the secretariat).")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The recommendation id.") var id: String
        @Flag(help: "Remove the mark.") var no = false

        func run() async throws {
            try await reportingErrors {
                try options.open().markNeedsLegislation(id, !no)
                print("recommendation \(id) \(no ? "no longer marked" : "marked") as needing legislation")
            }
        }
    }
}
