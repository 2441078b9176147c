import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Reports: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Reports to the UN as editable Word documents, from published work only.",
            subcommands: [UPRMidtermReport.self, TreatyBodyReport.self, InstitutionReport.self])
    }

    /// The options every report takes.
    struct ReportOptions: ParsableArguments {
        @Option(help: "Headings and labels in ar, en, es, fr, ru or zh.") var lang = "en"
        @Option(help: "The Word document to write (.docx).") var out: String
        @Option(help: "The report's date (default: today).") var date: String?

        func validate() throws {
            guard ReportCatalog.languages.contains(lang) else {
                throw ValidationError("--lang must be one of \(ReportCatalog.languages.joined(separator: ", "))")
            }
            if let date, !OperationRules.isCalendarDate(date) { throw ValidationError("--date must be YYYY-MM-DD") }
        }

        /// Writes the report on `scope` from the replica `options` names, and says what it holds.
        func write(_ scope: ReportScope, replica options: ReplicaOptions) async throws {
            try await reportingErrors {
                let report = try options.open().report(scope, date: date ?? Replica.today())
                try Output.write(try report.docx(try ReportCatalog(language: lang)), to: out)
                let entries = report.entries
                printError(
                    "\(out): \(entries.count) recommendations in \(report.sections.count) sections, "
                        + "published: \(entries.map(\.actions.count).reduce(0, +)) actions, "
                        + "\(entries.map(\.assessments.count).reduce(0, +)) NHRI assessments")
            }
        }
    }

    struct UPRMidtermReport: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "upr-midterm", abstract: "The UPR mid-term report on one cycle's recommendations.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "The UPR cycle (1-4).") var cycle: Int
        @OptionGroup var report: ReportOptions

        func run() async throws { try await report.write(.uprMidterm(cycle: cycle), replica: options) }
    }

    struct TreatyBodyReport: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "treaty-body", abstract: "The follow-up report on one treaty body's recommendations.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "The treaty body's code, e.g. CEDAW.") var body: String
        @Flag(help: "Only the recommendations marked for follow-up (with a follow-up due date).")
        var followUpOnly = false
        @OptionGroup var report: ReportOptions

        func run() async throws {
            try await report.write(.treatyBody(body, followUpOnly: followUpOnly), replica: options)
        }
    }

    struct InstitutionReport: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "institution", abstract: "The report on the recommendations assigned to one institution.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "The institution (organisation id or row id).") var org: String
        @OptionGroup var report: ReportOptions

        func run() async throws { try await report.write(.institution(org), replica: options) }
    }
}
