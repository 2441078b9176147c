import ArgumentParser
import Foundation
import Shared

/// `followup`: the client CLI working on a local replica, online or offline.
public struct FollowupCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "followup",
        abstract: "Work on a local Followup replica, offline, and sync it with the server.",
        subcommands: [
            Init.self, Login.self, Put.self, Get.self, List.self, Delete.self, Sync.self, Status.self,
            Rejected.self, Digest.self, Import.self, Recs.self, Summary.self, Overdue.self, Clusters.self, Assign.self,
            Actions.self, Progress.self, Submit.self, Publish.self, Assess.self, Submissions.self, Oversight.self,
        ])

    @OptionGroup var options: ReplicaOptions

    public init() {}
}

/// The `--replica DIR` option every command takes.
public struct ReplicaOptions: ParsableArguments {
    @Option(name: .long, help: "The replica directory (required by every command).")
    public var replica: String?

    public init() {}

    /// The replica directory, or a usage error when `--replica` is missing.
    func directory() throws -> String {
        guard let replica else { throw ValidationError("give the replica directory: followup --replica DIR ...") }
        return replica
    }

    func open() throws -> Replica {
        try Replica(directory: directory())
    }
}

/// Reads the password from standard input (one line).
func readPassword() throws -> String {
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw ValidationError("give the password on standard input (--password-stdin)")
    }
    return line
}

/// Whether standard error is a terminal (progress is shown only there).
var standardErrorIsTerminal: Bool { isatty(2) != 0 }

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Converts a clerk-facing error into ArgumentParser's failure (message on stderr, exit 1).
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ReplicaError {
        throw CommandFailure(message: error.message)
    } catch let error as TransportError {
        throw CommandFailure(message: error.message)
    }
}

/// A command failure whose message ArgumentParser prints as is.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension FollowupCommand {
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a replica: sign in to the server and register this replica as a device.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "The server URL, e.g. http://127.0.0.1:8080.") var server: String
        @Option(help: "Your user name.") var user: String
        @Flag(help: "Read the password from standard input.") var passwordStdin = false

        func run() async throws {
            guard passwordStdin else { throw ValidationError("pass --password-stdin and give the password on stdin") }
            let password = try readPassword()
            try await reportingErrors {
                let replica = try await Replica.enrol(
                    directory: try options.directory(), serverURL: server, user: user, password: password)
                let settings = try replica.settings()
                print(
                    "replica \(settings.replicaID) created for \(settings.userName) (\(settings.org), \(settings.orgKind))"
                )
            }
        }
    }

    struct Login: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Sign in again (after a session was revoked), or as another account of the organisation; pending edits are kept."
        )

        @OptionGroup var options: ReplicaOptions
        @Option(help: "User name (default: the replica's user).") var user: String?
        @Flag(help: "Read the password from standard input.") var passwordStdin = false

        func run() async throws {
            guard passwordStdin else { throw ValidationError("pass --password-stdin and give the password on stdin") }
            let password = try readPassword()
            try await reportingErrors {
                let replica = try options.open()
                let settings = try replica.settings()
                let name = user ?? settings.userName
                if name != settings.userName {
                    // Another account takes the replica over (the first was disabled or left).
                    let login = try await HTTPSyncTransport(baseURL: settings.serverURL, token: nil).login(
                        LoginRequest(user: name, password: password, deviceName: ProcessInfo.processInfo.hostName))
                    try requireKnownSchema(login.schemaVersion)
                    // The previous account's unsent edits stay here for review: only a colleague
                    // of the same organisation may see them.
                    guard login.org == settings.org else {
                        throw ReplicaError(
                            .wrongOrganisation,
                            "\(login.user) belongs to \(login.org), not \(settings.org); create a new replica for this account"
                        )
                    }
                    let setAside = try replica.adopt(login)
                    print("signed in as \(login.user) of \(login.org); this replica now syncs as that account")
                    if setAside > 0 {
                        printError(
                            "note: \(setAside) unsent edits of \(settings.userName) were set aside for review: see 'followup rejected'"
                        )
                    }
                    return
                }
                let login = try await HTTPSyncTransport(baseURL: settings.serverURL, token: nil).login(
                    LoginRequest(user: name, password: password, replica: settings.replicaID))
                try requireKnownSchema(login.schemaVersion)
                guard login.replica == settings.replicaID else {
                    throw ReplicaError(.wrongReplica, "the server did not recognise this replica; create a new one")
                }
                try replica.setToken(login.token)
                print("signed in as \(login.user)")
            }
        }
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or change a row offline; prints the row id last.",
            discussion: """
                Values are given as column=value; an empty value (column=) clears the field; list items are \
                separated by ';' (themes=Justice;Women's rights).
                With --jsonl, each line of FILE is a JSON object of columns (with "id" to change an existing row); \
                all lines are written or none, and the ids are printed one a line.
                """)

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The table.") var table: String
        @Argument(help: "Optional row id, then column=value pairs.") var items: [String] = []
        @Option(help: "Read rows from a JSON Lines file instead.") var jsonl: String?

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                let schema = try replica.table(table)
                if let jsonl {
                    guard items.isEmpty else { throw ValidationError("give either --jsonl or column=value pairs") }
                    let edits = try JSONLines.read(path: jsonl)
                    for id in try replica.put(table, rows: edits) { print(id) }
                    return
                }
                var arguments = items
                var rowID: String?
                if let first = arguments.first, !first.contains("=") {
                    rowID = first
                    arguments.removeFirst()
                }
                guard !arguments.isEmpty else { throw ValidationError("give at least one column=value") }
                var fields: [String: FieldValue] = [:]
                for argument in arguments {
                    let (name, value) = try CommandLineValue.parse(argument, table: schema)
                    fields[name] = value
                }
                print(try replica.put(table, id: rowID, fields: fields))
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one row.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The table.") var table: String
        @Argument(help: "The row id.") var id: String
        @Flag(help: "Print one JSON object with \"id\" and its columns.") var json = false

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                let schema = try replica.table(table)
                guard let values = try replica.row(table, id: id) else {
                    throw ReplicaError(.rowNotFound, "there is no \(table) \(id) on this replica")
                }
                if json {
                    print(try RowRendering.json(id: id, values: values))
                } else {
                    print(RowRendering.record(id: id, values: values, table: schema))
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the rows of a table.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The table.") var table: String
        @Flag(help: "Print a JSON array of objects with \"id\".") var json = false

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                let schema = try replica.table(table)
                let rows = try replica.rows(table)
                if json {
                    print(try RowRendering.jsonArray(rows))
                } else {
                    print(RowRendering.table(rows, table: schema))
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a row (for good, once synced).")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The table.") var table: String
        @Argument(help: "The row id.") var id: String

        func run() async throws {
            try await reportingErrors {
                try options.open().delete(table, id: id)
                print("deleted \(table) \(id)")
            }
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Push pending edits, then pull; exits 0 only when fully synced.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: .hidden) var pullPageSize = 1_000
        @Flag(help: "Print what the sync did as JSON (counts and bytes on the wire).") var json = false

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                let settings = try replica.settings()
                guard let token = settings.token else {
                    throw ReplicaError(
                        .unauthorized,
                        "this replica is signed out; run: followup --replica \(try options.directory()) login --password-stdin"
                    )
                }
                let transport = HTTPSyncTransport(baseURL: settings.serverURL, token: token)
                var engine = SyncEngine(replica: replica, transport: transport)
                engine.pullPageSize = pullPageSize
                let showProgress = standardErrorIsTerminal
                let report: SyncReport
                do {
                    report = try await engine.sync { step in
                        guard showProgress else { return }
                        switch step {
                        case .pushing(let pushed, let total):
                            FileHandle.standardError.write(Data("\rpushed \(pushed) of \(total)   ".utf8))
                        case .pulling(let pulled, let cursor):
                            FileHandle.standardError.write(Data("\rpulled \(pulled) (cursor \(cursor))   ".utf8))
                        }
                    }
                } catch let error as TransportError where error.code == .accountDisabled {
                    try replica.setToken(nil)
                    let pending = try replica.status().pending
                    throw ReplicaError(
                        error.code,
                        "the server has disabled the account \(settings.userName): \(error.message). The \(pending) pending edits stay on this replica; another account of \(settings.org) can sign in here to review them (followup --replica \(try options.directory()) login --user NAME --password-stdin)"
                    )
                } catch let error as TransportError where error.code == .unauthorized {
                    try replica.setToken(nil)
                    throw ReplicaError(
                        error.code,
                        "the server no longer accepts this replica's session (\(error.message)); your pending edits are kept. Sign in again with: followup --replica \(try options.directory()) login --password-stdin"
                    )
                }
                if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
                if report.restamped > 0 {
                    printError(
                        "warning: this computer's clock is \(describeDuration(millis: abs(report.clockCorrectionMillis))) \(report.clockCorrectionMillis < 0 ? "ahead of" : "behind") the server; \(report.restamped) pending edits were re-stamped with the server's time. Please correct the system clock."
                    )
                }
                if report.rejected > 0 {
                    printError(
                        "warning: the server refused \(report.rejected) edits; the rows show the server's values again and the refused edits are kept aside (see 'followup rejected')"
                    )
                }
                if report.scopeReset {
                    printError(
                        "note: this account now belongs to another organisation; the replica dropped the rows of the old one and pulled those of the new one"
                    )
                }
                if report.purged > 0 {
                    printError(
                        "note: \(report.purged) rows are no longer visible to \(try replica.settings().org) and were removed"
                    )
                }
                if json {
                    let summary = SyncSummary(
                        report: report, bytesSent: transport.traffic.sent, bytesReceived: transport.traffic.received)
                    print(String(decoding: try WireCoding.encoder().encode(summary), as: UTF8.self))
                    return
                }
                print(
                    "synced: \(report.accepted) pushed, \(report.rejected > 0 ? "\(report.rejected) refused, " : "")\(report.pulled) pulled (\(describeBytes(transport.traffic.sent)) sent, \(describeBytes(transport.traffic.received)) received)"
                )
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show pending and rejected edits, last sync and cursor.")

        @OptionGroup var options: ReplicaOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let status = try options.open().status()
                if json {
                    print(String(decoding: try WireCoding.encoder().encode(status), as: UTF8.self))
                    return
                }
                let lastSync =
                    status.lastSyncAt.map {
                        Date(timeIntervalSince1970: Double($0) / 1000).formatted(.iso8601)
                    } ?? "never"
                print(
                    """
                    replica   \(status.replica)
                    server    \(status.server)\(status.signedIn ? "" : " (signed out: run 'followup login')")
                    user      \(status.user) (\(status.org))
                    pending   \(status.pending)
                    rejected  \(status.rejected)
                    cursor    \(status.cursor)
                    last sync \(lastSync)
                    """)
            }
        }
    }

    struct Rejected: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the edits the server refused, with its reasons; discard one with 'rejected discard ID'.",
            subcommands: [ListRejected.self, Discard.self], defaultSubcommand: ListRejected.self)
    }

    struct ListRejected: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List refused edits (the default).")

        @OptionGroup var options: ReplicaOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let refused = try options.open().rejectedOperations()
                if json {
                    let items = refused.map { item in
                        RejectedItem(
                            op: item.operation.id, table: item.operation.table, row: item.operation.row,
                            kind: item.operation.kind.rawValue, fields: item.operation.fields, code: item.code,
                            message: item.message)
                    }
                    print(String(decoding: try WireCoding.encoder().encode(items), as: UTF8.self))
                    return
                }
                if refused.isEmpty {
                    print("no refused edits")
                    return
                }
                for item in refused {
                    let operation = item.operation
                    let fields = operation.fields.keys.sorted().map { "\($0)=\(operation.fields[$0]!)" }
                        .joined(separator: " ")
                    print(
                        """
                        \(operation.id)  \(operation.kind.rawValue) \(operation.table) \(operation.row)
                          refused: \(item.code): \(item.message)
                        """ + (fields.isEmpty ? "" : "\n  edit:    \(fields)"))
                }
            }
        }
    }

    struct Discard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drop one refused edit for good.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The refused operation's id (see 'followup rejected').") var id: String

        func run() async throws {
            try await reportingErrors {
                try options.open().discardRejected(id)
                print("discarded \(id)")
            }
        }
    }

    struct Digest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a hash of the visible state; equal on replicas holding the same rows.")

        @OptionGroup var options: ReplicaOptions

        func run() async throws {
            try await reportingErrors { print(try options.open().digest()) }
        }
    }
}

/// A refused edit as `followup rejected --json` prints it.
struct RejectedItem: Encodable {
    var op: String
    var table: String
    var row: String
    var kind: String
    var fields: [String: FieldValue]
    var code: ErrorCode
    var message: String
}

/// A rough human duration, such as "3 days 2 h" or "4 min 10 s".
func describeDuration(millis: Int64) -> String {
    let seconds = millis / 1000
    let (days, hours, minutes) = (seconds / 86_400, seconds % 86_400 / 3_600, seconds % 3_600 / 60)
    if days > 0 { return "\(days) days \(hours) h" }
    if hours > 0 { return "\(hours) h \(minutes) min" }
    if minutes > 0 { return "\(minutes) min \(seconds % 60) s" }
    return "\(seconds) s"
}

/// A byte count for people, such as "512 B", "12.3 KiB" or "4.1 MiB".
func describeBytes(_ bytes: Int) -> String {
    if bytes < 1024 { return "\(bytes) B" }
    if bytes < 1024 * 1024 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
    return String(format: "%.1f MiB", Double(bytes) / 1_048_576)
}

/// What `followup sync --json` prints.
struct SyncSummary: Codable {
    var accepted: Int
    var rejected: Int
    var restamped: Int
    var pulled: Int
    var purged: Int
    var scopeReset: Bool
    var bytesSent: Int
    var bytesReceived: Int

    init(report: SyncReport, bytesSent: Int, bytesReceived: Int) {
        accepted = report.accepted
        rejected = report.rejected
        restamped = report.restamped
        pulled = report.pulled
        purged = report.purged
        scopeReset = report.scopeReset
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
    }

    enum CodingKeys: String, CodingKey {
        case accepted, rejected, restamped, pulled, purged
        case scopeReset = "scope_reset"
        case bytesSent = "bytes_sent"
        case bytesReceived = "bytes_received"
    }
}
