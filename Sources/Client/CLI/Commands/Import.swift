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
            commandName: "uhri",
            abstract: "Import a Universal Human Rights Index export: the JSON full export or an Excel (.xlsx) export.")

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
    @Option(help: "Keep only the records about this State (ISO 3166 alpha-3, e.g. PER).") var state: String?
    @Flag(help: "Keep the records about every State.") var allStates = false
    @Flag(help: "Import the valid records even if some are invalid.") var skipInvalid = false
    @Flag(help: "Print the report as JSON.") var json = false

    func validate() throws {
        if state != nil && allStates { throw ValidationError("give --state or --all-states, not both") }
        if let state, Countries.name(forCode: state) == nil || state.count != 3 {
            throw ValidationError("--state must be an ISO 3166 alpha-3 code, such as PER, not '\(state)'")
        }
    }

    /// The States whose records are kept: as the flags say, else `defaultScope` (the
    /// deployment's State).
    func scope(default defaultScope: ImportScope) -> ImportScope {
        if allStates { return .allStates }
        return state.map { .state($0.uppercased()) } ?? defaultScope
    }
}

/// Reads, checks and imports a file (all or nothing unless `--skip-invalid`) and prints the report.
func runImport(_ arguments: ImportFileOptions, options: ReplicaOptions, format: ImportFormat) throws {
    let (path, skipInvalid, json) = (arguments.path, arguments.skipInvalid, arguments.json)
    let file = try ImportFile(path: path)
    let replica = try options.open()
    let defaultScope = try replica.defaultImportScope()
    // Before the first sync the replica cannot know the State (and the import will ask for a sync).
    if arguments.state == nil && !arguments.allStates && defaultScope == .allStates,
        try replica.status().lastSyncAt != nil
    {
        printError(
            "note: the operator has not named this deployment's State yet (set-state); importing every State's records")
    }
    let report: ImportReport
    let terminal = standardErrorIsTerminal
    var barShown = false
    do {
        report = try replica.importRecommendations(
            from: file, format: format, scope: arguments.scope(default: defaultScope), skipInvalid: skipInvalid
        ) { step in
            guard terminal else { return }
            switch step {
            case .reading(let path, let bytesRead, let totalBytes):
                FileHandle.standardError.write(Data(("\r" + progressBar(path, bytesRead, totalBytes)).utf8))
                barShown = true
            case .importing(let records):
                if barShown { FileHandle.standardError.write(Data("\n".utf8)) }
                barShown = false
                printError("importing \(records) records…")
            }
        }
    } catch let refusal as ImportRefusal {
        if barShown { FileHandle.standardError.write(Data("\n".utf8)) }
        if json { try Output.json(refusal.report) }
        throw refusal.error
    }
    if json { return try Output.json(report) }
    print(
        "imported \(path): \(report.new) new, \(report.updated) updated, \(report.unchanged) unchanged, \(report.invalid.count) invalid"
    )
    if report.otherStates > 0 {
        print(
            "kept \(report.read - report.otherStates) of \(report.read) records (\(report.otherStates) of other States left out)"
        )
    }
    for problem in report.invalid.prefix(50) { print("  line \(problem.line): \(problem.reason)") }
}

/// One line of progress: "reading FILE [#####.....]  42% (160 of 380 MB)".
func progressBar(_ path: String, _ done: Int64, _ total: Int64) -> String {
    let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
    let width = 30
    let filled = Int(fraction * Double(width))
    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
    let name = URL(fileURLWithPath: path).lastPathComponent
    return String(
        format: "reading %@ [%@] %3d%% (%.0f of %.0f MB)", name as NSString, bar as NSString, Int(fraction * 100),
        Double(done) / 1e6, Double(total) / 1e6)
}
