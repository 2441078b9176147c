import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Shared

/// `followup-server`: runs the sync server and its operator commands.
public struct ServerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "followup-server",
        abstract: "The Followup sync server and its operator commands.",
        subcommands: [Serve.self, Admin.self, Policy.self, SchemaTables.self])

    public init() {}
}

/// Options shared by every command that opens the server's data directory.
public struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "The server's data directory (created if missing).")
    public var data: String

    public init() {}

    func openStorage() throws -> SQLiteServerStorage {
        try SQLiteServerStorage(dataDirectory: data, policy: .standard, clock: SystemWallClock())
    }

    /// The evidence files, in `DATA/files`.
    func openFiles() throws -> DirectoryEvidenceStore {
        try DirectoryEvidenceStore(root: data + "/files")
    }
}

extension ServerCommand {
    /// `followup-server serve`: runs the HTTP sync server until SIGTERM or SIGINT.
    public struct Serve: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Run the sync server until SIGTERM or Ctrl-C (graceful shutdown).")

        @OptionGroup var options: DataOptions
        @Option(help: "Address to listen on.") var host = "127.0.0.1"
        @Option(help: "Port to listen on (0 picks a free port and prints it).") var port = 8080
        @Option(help: "Seconds an operation's clock may be ahead of the server's.") var maxClockSkew = 300
        @Option(help: "Largest push body in bytes.") var maxBodyBytes = WireLimits().maxPushBytes
        @Option(help: "Days a session may go unused before it expires.") var sessionIdleDays = 30
        @Option(help: "Days a session lasts at most.") var sessionMaxDays = 180
        @Option(help: "Seconds a connection may stay idle before it is closed.") var idleTimeout = 30
        @Option(help: "Most connections open at once; more are closed as they arrive.") var maxConnections = 2_000
        @Option(help: "Largest evidence file in bytes (25 MiB by default).") var maxFileBytes =
            ContentHash.defaultMaxFileBytes
        @Option(
            help:
                "Megabytes of edits each organisation but the secretariat may have accepted per UTC day (0: no quota)."
        ) var dailyQuotaMb = 256
        @Option(
            name: .customLong("trusted-proxy"),
            help:
                "Address of a proxy in front of the server whose X-Forwarded-For names the client (repeatable); sign-in throttling and logs then use the client's address."
        ) var trustedProxies: [String] = []

        public init() {}

        public func validate() throws {
            for proxy in trustedProxies where !ClientAddressRule.isAddress(proxy) {
                throw ValidationError(
                    "--trusted-proxy takes the proxy's IP address as the server sees it (e.g. 127.0.0.1), not '\(proxy)'"
                )
            }
        }

        /// The configuration these options give (defaults included).
        public func serverConfiguration() -> ServerConfiguration {
            var configuration = ServerConfiguration(
                host: host, port: port, limits: WireLimits(maxPushBytes: maxBodyBytes),
                maxClockSkewMillis: Int64(maxClockSkew) * 1000,
                logLevel: ServerConfiguration.logLevel(fromEnvironment: .info), idleTimeoutSeconds: idleTimeout,
                maxConnections: maxConnections, maxFileBytes: maxFileBytes,
                sessionLimits: SessionLimits(idleDays: sessionIdleDays, maxDays: sessionMaxDays),
                dailyQuotaBytes: dailyQuotaMb > 0 ? Int64(dailyQuotaMb) * 1024 * 1024 : nil)
            configuration.trustedProxies = Set(trustedProxies)
            return configuration
        }

        public func run() async throws {
            let storage = try options.openStorage()
            let configuration = serverConfiguration()
            let host = self.host
            let data = options.data
            let app = buildApplication(configuration, storage: storage, files: try options.openFiles()) { port in
                print("followup-server listening on http://\(host):\(port) (data: \(data))")
                fflush(nil)
            }
            try await app.runService()
        }
    }

    /// `followup-server admin`: operator commands on the data directory; safe while serving.
    public struct Admin: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Operator commands; they may run while the server runs and take effect at once.",
            subcommands: [
                SetState.self, AddOrg.self, AddUser.self, DisableUser.self, EnableUser.self, MoveUser.self,
                ResetPassword.self, Sessions.self, Revoke.self,
                Explain.self,
                Digest.self, Audit.self,
            ])

        @OptionGroup var options: DataOptions

        public init() {}
    }
}

extension ServerCommand.Admin {
    /// Adds an organisation.
    struct AddOrg: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-org", abstract: "Add an organisation.")

        @OptionGroup var options: DataOptions
        @Option(help: "Short stable id, e.g. mfa or nhri.") var id: String
        @Option(help: "Full name.") var name: String
        @Option(help: "secretariat, ministry, parliament, nhri or ngo.") var kind: String

        func run() async throws {
            guard let kind = OrganisationKind(rawValue: kind) else {
                throw ValidationError(
                    "--kind must be one of: \(OrganisationKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw ValidationError("--id may contain only letters, digits, '-' and '_'")
            }
            try await runReportingErrors {
                try await options.openStorage().addOrganisation(id: id, name: name, kind: kind)
            }
            print("added organisation \(id) (\(kind.rawValue))")
        }
    }

    /// Adds a user, reading the password from standard input.
    struct AddUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-user", abstract: "Add a user; the password is read from standard input.")

        @OptionGroup var options: DataOptions
        @Option(help: "The organisation id.") var org: String
        @Option(help: "The user name used to sign in.") var user: String
        @Flag(help: "Read the password from standard input (required).") var passwordStdin = false
        @Option(help: .hidden) var bcryptCost: UInt8 = 12

        func run() async throws {
            guard passwordStdin else { throw ValidationError("pass --password-stdin and give the password on stdin") }
            guard let password = readLine(strippingNewline: true), password.count >= 8 else {
                throw ValidationError("the password on standard input must have at least 8 characters")
            }
            let hash = try await Credentials(bcryptCost: bcryptCost).hashPassword(password)
            try await runReportingErrors {
                try await options.openStorage().addUser(name: user, org: org, passwordHash: hash)
            }
            print("added user \(user) in \(org)")
        }
    }

    /// Disables a user: their tokens stop working at once.
    struct DisableUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "disable-user", abstract: "Disable a user; their sessions stop working at once.")

        @OptionGroup var options: DataOptions
        @Option(help: "The user name.") var user: String

        func run() async throws {
            try await runReportingErrors { try await options.openStorage().setUserDisabled(name: user, disabled: true) }
            print("disabled user \(user)")
        }
    }

    /// Re-enables a disabled user.
    struct EnableUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enable-user", abstract: "Re-enable a user.")

        @OptionGroup var options: DataOptions
        @Option(help: "The user name.") var user: String

        func run() async throws {
            try await runReportingErrors {
                try await options.openStorage().setUserDisabled(name: user, disabled: false)
            }
            print("enabled user \(user); the sessions of before the disabling stay revoked")
        }
    }

    /// Sets a new password for a user and ends every session of theirs.
    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password",
            abstract: "Set a user's password (read from standard input) and revoke all their sessions.")

        @OptionGroup var options: DataOptions
        @Option(help: "The user name.") var user: String
        @Flag(help: "Read the password from standard input (required).") var passwordStdin = false
        @Option(help: .hidden) var bcryptCost: UInt8 = 12

        func run() async throws {
            guard passwordStdin else { throw ValidationError("pass --password-stdin and give the password on stdin") }
            guard let password = readLine(strippingNewline: true),
                password.count >= Credentials.minimumPasswordLength
            else {
                throw ValidationError(
                    "the password on standard input must have at least \(Credentials.minimumPasswordLength) characters")
            }
            let hash = try await Credentials(bcryptCost: bcryptCost).hashPassword(password)
            let revoked = try await runReportingErrors {
                try await options.openStorage().setPasswordHash(user: user, hash: hash, revokingSessionsExcept: nil)
            }
            print("reset the password of \(user); revoked \(revoked) sessions (their replicas keep pending edits)")
        }
    }

    /// Lists the sessions of every device, or of one user's.
    struct Sessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List sessions per device (replica): user, device, opened, last used, state.")

        @OptionGroup var options: DataOptions
        @Option(help: "Only this user's sessions.") var user: String?

        func run() async throws {
            let sessions = try await runReportingErrors { try await options.openStorage().sessions(user: user) }
            let format = ISO8601DateFormatter()
            func date(_ millis: Int64) -> String {
                format.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
            }
            print("replica\tuser\tdevice\topened\tlast used\tstate")
            for session in sessions {
                print(
                    [
                        session.device, session.user, session.deviceName ?? "-", date(session.createdAt),
                        date(session.lastUsedAt), session.revoked ? "revoked" : "live",
                    ].joined(separator: "\t"))
            }
            print("(\(sessions.count) sessions)")
        }
    }

    /// Revokes the sessions of one device (replica) or of one user.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke the sessions of one device (--replica) or of every device of a user (--user).")

        @OptionGroup var options: DataOptions
        @Option(help: "The replica (device) id, as admin sessions lists it.") var replica: String?
        @Option(help: "The user name.") var user: String?

        func validate() throws {
            guard (replica == nil) != (user == nil) else { throw ValidationError("give either --replica or --user") }
        }

        func run() async throws {
            let revoked = try await runReportingErrors {
                try await options.openStorage().revokeSessions(user: user, device: replica, keeping: nil)
            }
            print("revoked \(revoked) sessions; the replica keeps its pending edits until it signs in again")
        }
    }

    /// Moves a user to another organisation.
    struct MoveUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "move-user",
            abstract: "Move a user to another organisation; their replicas drop the old scope at the next sync.")

        @OptionGroup var options: DataOptions
        @Option(help: "The user name.") var user: String
        @Option(help: "The new organisation id.") var org: String

        func run() async throws {
            try await runReportingErrors { try await options.openStorage().moveUser(name: user, org: org) }
            print("moved user \(user) to \(org)")
        }
    }

    /// Names the State the deployment follows up.
    struct SetState: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-state",
            abstract:
                "Name the State this deployment follows up (ISO 3166 alpha-3, e.g. MAR); replicas learn it at sync.")

        @OptionGroup var options: DataOptions
        @Argument(help: "The State's ISO 3166 alpha-3 code.") var state: String

        func run() async throws {
            try await runReportingErrors { try await options.openStorage().setDeploymentState(state) }
            let code = state.uppercased()
            print("this deployment follows up \(Countries.name(forCode: code) ?? code) (\(code))")
        }
    }

    /// Says whether a user can read and change a row, and which policy line decides.
    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say whether a user can read and write a row, and which policy line decides.")

        @OptionGroup var options: DataOptions
        @Option(help: "The user name.") var user: String
        @Argument(help: "The table.") var table: String
        @Argument(help: "The row id.") var id: String

        func run() async throws {
            try await runReportingErrors {
                let answer = try await options.openStorage().explain(user: user, table: table, id: id)
                func line(_ decision: PolicyDecision) -> String {
                    "\(decision.allowed ? "yes" : "no") (policy line \(decision.line)): \(decision.reason)"
                }
                print(
                    """
                    user   \(user) of \(answer.viewer.org) (\(answer.viewer.role.rawValue))
                    row    \(table) \(id)\(answer.exists ? "" : " (not found)")
                    read   \(line(answer.read))
                    write  \(line(answer.write))
                    """)
            }
        }
    }

    /// Prints the digest of the server's merged state.
    struct Digest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the digest of the merged state (equal to a replica's that holds every row).")

        @OptionGroup var options: DataOptions

        func run() async throws {
            print(try await options.openStorage().digest())
        }
    }
}

extension ServerCommand.Admin {
    /// `admin audit`: the audit log of accepted operations.
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the audit log of accepted operations, or show the key that signs its heads.",
            subcommands: [Verify.self, Key.self])

        @OptionGroup var options: DataOptions
    }
}

extension ServerCommand.Admin.Audit {
    /// `admin audit verify`: rebuilds the tree from the log and checks every signed head.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Rebuild the Merkle tree from the operation log and compare it with the stored tree and every signed head; exits 1 when anything differs."
        )

        @OptionGroup var options: DataOptions

        func run() async throws {
            let report = try await options.openStorage().verifyAuditLog()
            guard report.problems.isEmpty else {
                let lines =
                    ["audit log NOT intact: \(report.problems.count) problem(s)"] + report.problems.map { "  " + $0 }
                FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
                throw ExitCode(1)
            }
            print("audit log intact: \(report.leaves) accepted operations, \(report.heads) signed heads checked")
        }
    }

    /// `admin audit key`: the fingerprint replicas pin.
    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the fingerprint of the key that signs the audit log's heads (replicas show it too).")

        @OptionGroup var options: DataOptions

        func run() async throws {
            print(try options.openStorage().signer.fingerprint)
        }
    }
}

/// Runs `body`, turning a `ServiceError` into a clean command-line failure.
private func runReportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ServiceError {
        throw ValidationError(error.message)
    }
}

extension ServerCommand {
    /// Prints the access policy.
    public struct Policy: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Print the access policy (who reads and writes what) as a Markdown table.")

        public init() {}

        public func run() async throws {
            print(AccessPolicy.standard.markdown(), terminator: "")
        }
    }
}

extension ServerCommand {
    /// Prints the schema's tables.
    public struct SchemaTables: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "schema",
            abstract: "Print the tables and columns replicas sync (protocol/SCHEMA.md holds the same text).")

        public init() {}

        public func run() async throws {
            print(Schema.current.markdownTables, terminator: "")
        }
    }
}
