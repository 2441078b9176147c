import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
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
                switch try await options.open().signIn(user: user, password: password) {
                case .signedIn(let user):
                    print("signed in as \(user)")
                case .tookOver(let user, let org, let previousUser, let setAside):
                    print("signed in as \(user) of \(org); this replica now syncs as that account")
                    if setAside > 0 {
                        printError(
                            "note: \(setAside) unsent edits of \(previousUser) were set aside for review: see 'followup rejected'"
                        )
                    }
                }
            }
        }
    }
}
