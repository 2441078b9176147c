import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import recommendations (secretariat); running an import again changes nothing.",
            subcommands: [ImportUPRInfo.self, ImportUHRI.self])
    }

    struct ImportUPRInfo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "upr-info", abstract: "Import a UPR Info CSV export.")

        @OptionGroup var options: ReplicaOptions
        @OptionGroup var file: ImportFileOptions

        func run() async throws {
            try await reportingErrors { try runImport(file, options: options, format: .uprInfo) }
        }
    }

    struct ImportUHRI: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "uhri", abstract: "Import a Universal Human Rights Index JSON export.")

        @OptionGroup var options: ReplicaOptions
        @OptionGroup var file: ImportFileOptions

        func run() async throws {
            try await reportingErrors { try runImport(file, options: options, format: .uhri) }
        }
    }
}

/// The arguments every import takes.
struct ImportFileOptions: ParsableArguments {
    @Argument(help: "The file to import.") var path: String
    @Flag(help: "Import the valid records even if some are invalid.") var skipInvalid = false
    @Flag(help: "Print the report as JSON.") var json = false
}

/// Reads, checks and imports a file (all or nothing unless `--skip-invalid`) and prints the report.
func runImport(_ arguments: ImportFileOptions, options: ReplicaOptions, format: ImportFormat) throws {
    let (path, skipInvalid, json) = (arguments.path, arguments.skipInvalid, arguments.json)
    let file = try ImportFile(path: path)
    let replica = try options.open()
    let report: ImportReport
    do {
        report = try replica.importRecommendations(from: file, format: format, skipInvalid: skipInvalid) { step in
            guard standardErrorIsTerminal else { return }
            switch step {
            case .reading(let path): printError("reading \(path)…")
            case .importing(let records): printError("importing \(records) records…")
            }
        }
    } catch let refusal as ImportRefusal {
        if json { try Output.json(refusal.report) }
        throw refusal.error
    }
    if json { return try Output.json(report) }
    print(
        "imported \(path): \(report.new) new, \(report.updated) updated, \(report.unchanged) unchanged, \(report.invalid.count) invalid"
    )
    for problem in report.invalid.prefix(50) { print("  line \(problem.line): \(problem.reason)") }
}
