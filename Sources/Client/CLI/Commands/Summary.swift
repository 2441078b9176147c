import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Summary: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Implementation status by mechanism, cluster, institution and SDG.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "mechanism, cluster, institution, sdg or rating (default: all five).") var by: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                let groupings = by.map { [$0] } ?? ["mechanism", "cluster", "institution", "sdg", "rating"]
                var all: [String: [StatusCount]] = [:]
                for grouping in groupings { all[grouping] = try replica.summary(by: grouping) }
                if json { return try Output.json(all) }
                let statuses = ImplementationStatus.allCases.map(\.rawValue)
                for grouping in groupings {
                    print("\nby \(grouping)")
                    Output.table(
                        [grouping, "total"] + statuses,
                        all[grouping, default: []].map { count in
                            [count.group, String(count.total)] + statuses.map { String(count.counts[$0] ?? 0) }
                        })
                }
            }
        }
    }
}
