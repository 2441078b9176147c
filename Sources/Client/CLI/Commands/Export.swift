import ArgumentParser
import Foundation
import Shared

extension ExportFormat: ExpressibleByArgument {}

extension FollowupCommand {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export data for spreadsheets and analysts.", subcommands: [ExportRecommendations.self])
    }

    struct ExportRecommendations: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "recommendations",
            abstract: "The recommendations tracking table, every match, as CSV, JSON or XLSX.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "csv, json or xlsx.") var format: ExportFormat
        @OptionGroup var filters: RecommendationFilterOptions
        @Option(help: "Write to this file (default: standard output).") var out: String?
        @Flag(help: "Start a CSV with a UTF-8 byte order mark (for older Excel versions).") var bom = false

        func run() async throws {
            try await reportingErrors {
                let table = try options.open().trackingTable(filters.filter)
                let data = try table.encoded(as: format, byteOrderMark: bom)
                try Output.write(data, to: out)
                if let out { printError("\(table.rows.count) recommendations written to \(out)") }
            }
        }
    }
}
