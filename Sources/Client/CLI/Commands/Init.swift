import ArgumentParser
import Foundation
import Shared

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
            if HTTPSyncTransport.isCleartextOverNetwork(server) {
                printError(
                    "warning: \(server) is not encrypted: your password, your token and every row cross the network in clear; use https:// (a TLS proxy in front of the server)"
                )
            }
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
}
