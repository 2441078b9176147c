import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
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
                    state     \(status.state.map { "\(Countries.name(forCode: $0) ?? $0) (\($0))" } ?? "not named yet (the operator's set-state)")
                    pending   \(status.pending)\(status.waitingForKeys > 0 ? " (\(status.waitingForKeys) confidential, waiting for keys: see 'followup keys')" : "")
                    rejected  \(status.rejected)
                    cursor    \(status.cursor)
                    last sync \(lastSync)
                    """)
                for org in status.unconfirmedRecipients {
                    print(
                        "WARNING   \(org) is listed as an NHRI but not accepted here: nothing is sealed to it until you confirm it out of band and run 'followup keys trust \(org) FINGERPRINT'"
                    )
                }
                for org in status.unlistedRecipients {
                    print(
                        "WARNING   \(org), an NHRI sealed to, is no longer listed as one: texts still go to it until 'followup keys forget \(org)'"
                    )
                }
                if status.wipePending {
                    print(
                        "wipe      pending: removed rows may still have bytes in the write-ahead log (another program was reading the replica); the next sync wipes them"
                    )
                }
            }
        }
    }
}
