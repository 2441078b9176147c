import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "passwd",
            abstract:
                "Change your password on the server: the current one, then the new one, each on a line of standard input; your other devices are signed out."
        )

        @OptionGroup var options: ReplicaOptions
        @Flag(help: "Read both passwords from standard input.") var passwordStdin = false

        func run() async throws {
            guard passwordStdin else {
                throw ValidationError("pass --password-stdin and give the current and the new password on stdin")
            }
            let current = try readPassword()
            let new = try readPassword()
            try await reportingErrors {
                let revoked = try await options.open().changePassword(current: current, new: new)
                print("password changed; \(revoked) other sessions signed out (they keep their pending edits)")
            }
        }
    }
}
