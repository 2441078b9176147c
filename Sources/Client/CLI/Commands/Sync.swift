import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Push pending edits, then pull; exits 0 only when fully synced.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: .hidden) var pullPageSize = 1_000
        @Flag(help: "Print what the sync did as JSON (counts and bytes on the wire).") var json = false

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                let showProgress = standardErrorIsTerminal
                let result = try await replica.syncWithServer(pullPageSize: pullPageSize) { step in
                    guard showProgress else { return }
                    switch step {
                    case .pushing(let pushed, let total):
                        FileHandle.standardError.write(Data("\rpushed \(pushed) of \(total)   ".utf8))
                    case .pulling(let pulled, let cursor):
                        FileHandle.standardError.write(Data("\rpulled \(pulled) (cursor \(cursor))   ".utf8))
                    }
                }
                let report = result.report
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
                if report.setAside > 0 {
                    printError(
                        "warning: \(report.setAside) edits were made for the previous organisation and were not sent; review them with 'followup rejected' (apply them again or discard them)"
                    )
                }
                if report.scopeReset {
                    printError(
                        "note: this account now belongs to another organisation; the replica dropped the rows of the old one and pulled those of the new one"
                    )
                }
                if report.purged > 0 {
                    printError("note: \(report.purged) rows are no longer visible to \(result.org) and were removed")
                }
                if report.wipePending {
                    printError(
                        "warning: removed rows may still have bytes in this replica's write-ahead log, because another program (the desk, another followup command) was reading it; close it and run 'followup sync' again to wipe them"
                    )
                }
                if report.filesUnavailable > 0 {
                    printError(
                        "note: \(report.filesUnavailable) evidence files are not on the server yet; the next sync asks again"
                    )
                }
                // The organisation's own key made on another device is the ownKeysElsewhere note's.
                let own = try replica.settings().org
                for org in report.changedKeys where org != own {
                    printError(
                        "WARNING: the key of \(org) CHANGED since this replica first saw it. Nothing is sealed to it until you confirm the new fingerprint with \(org) out of band (see 'followup keys') and run 'followup keys trust \(org) FINGERPRINT'."
                    )
                }
                for org in report.unconfirmedRecipients {
                    printError(
                        "WARNING: \(org) is listed as an NHRI, but this replica has not accepted it as one: nothing is sealed to it. Anyone who runs the server, or the secretariat, can list an organisation as an NHRI. Only if the NHRI confirms out of band that \(org) is theirs, compare its fingerprint (see 'followup keys') and run 'followup keys trust \(org) FINGERPRINT'."
                    )
                }
                for org in report.unlistedRecipients {
                    printError(
                        "WARNING: \(org), an NHRI this replica seals to, is no longer listed as an NHRI (its institution was deleted, re-pointed or given another kind). Confidential texts still go to it; if the NHRI confirms out of band that it stopped being one, run 'followup keys forget \(org)'."
                    )
                }
                if !report.ownKeysElsewhere.isEmpty {
                    printError(
                        "note: \(report.ownKeysElsewhere.count) of your organisation's published keys are not on this device (\(report.ownKeysElsewhere.map(OrganisationPublicKey.display).joined(separator: "; "))): texts sealed to them open only where they are. Import your organisation's key file: 'followup keys export' on a device that holds them, then 'followup keys import FILE' here."
                    )
                }
                if let block = report.sealingBlock {
                    printError(
                        "note: \(try replica.status().waitingForKeys) confidential edits wait in the outbox, unsent: \(block)"
                    )
                }
                if json {
                    let summary = SyncSummary(
                        report: report, bytesSent: result.bytesSent, bytesReceived: result.bytesReceived)
                    print(String(decoding: try WireCoding.encoder().encode(summary), as: UTF8.self))
                    return
                }
                let files =
                    report.filesUploaded + report.filesDownloaded > 0
                    ? ", \(report.filesUploaded) files uploaded, \(report.filesDownloaded) downloaded" : ""
                print(
                    "synced: \(report.accepted) pushed, \(report.rejected > 0 ? "\(report.rejected) refused, " : "")\(report.pulled) pulled\(files) (\(describeBytes(result.bytesSent)) sent, \(describeBytes(result.bytesReceived)) received)"
                )
            }
        }
    }
}

/// What `followup sync --json` prints.
struct SyncSummary: Codable {
    var accepted: Int
    var rejected: Int
    var restamped: Int
    var pulled: Int
    var purged: Int
    var scopeReset: Bool
    var filesUploaded: Int
    var filesDownloaded: Int
    var filesUnavailable: Int
    var bytesSent: Int
    var bytesReceived: Int

    init(report: SyncReport, bytesSent: Int, bytesReceived: Int) {
        accepted = report.accepted
        rejected = report.rejected
        restamped = report.restamped
        pulled = report.pulled
        purged = report.purged
        scopeReset = report.scopeReset
        filesUploaded = report.filesUploaded
        filesDownloaded = report.filesDownloaded
        filesUnavailable = report.filesUnavailable
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
    }

    enum CodingKeys: String, CodingKey {
        case accepted, rejected, restamped, pulled, purged
        case scopeReset = "scope_reset"
        case filesUploaded = "files_uploaded"
        case filesDownloaded = "files_downloaded"
        case filesUnavailable = "files_unavailable"
        case bytesSent = "bytes_sent"
        case bytesReceived = "bytes_received"
    }
}
