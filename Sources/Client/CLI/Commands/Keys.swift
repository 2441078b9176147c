import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Organisations' keys for confidential submissions: fingerprints, trust, rotation, moving them.",
            subcommands: [
                ListKeys.self, TrustKey.self, ForgetRecipient.self, RotateKey.self, ExportKeys.self, ImportKeys.self,
            ],
            defaultSubcommand: ListKeys.self, aliases: ["key"])
    }

    struct ListKeys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Each organisation's current key and its fingerprint; a CHANGED key is not used until trusted.")

        @OptionGroup var options: ReplicaOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                let keys = try replica.organisationKeys()
                if json {
                    print(String(decoding: try WireCoding.encoder().encode(keys), as: UTF8.self))
                    return
                }
                if keys.isEmpty { print("no organisation has published a key yet (sync first)") }
                for key in keys {
                    let mark =
                        switch key.trust {
                        case .trusted: "trusted"
                        case .new: "new"
                        case .changed:
                            "CHANGED (pinned \(OrganisationPublicKey.display(key.pinned ?? ""))): confirm it with \(key.org), then 'followup keys trust \(key.org) FINGERPRINT'"
                        }
                    let kind = key.kind.map { " (\($0))" } ?? ""
                    let held = key.privateKeyHere ? ", private key here" : ""
                    let recipient =
                        switch key.recipient {
                        case .unconfirmed:
                            "; NOT AN ACCEPTED NHRI: nothing is sealed to it until you confirm it with the NHRI out of band, then 'followup keys trust \(key.org) FINGERPRINT'"
                        case .unlisted:
                            "; no longer listed as an NHRI, still sealed to until 'followup keys forget \(key.org)'"
                        case .trusted, nil: ""
                        }
                    print(
                        "\(key.org)\(kind)  \(OrganisationPublicKey.display(key.fingerprint))  \(mark)\(held)\(recipient)"
                    )
                }
                let status = try replica.status()
                for org in status.unconfirmedRecipients where !keys.contains(where: { $0.org == org }) {
                    printError("warning: \(org) is listed as an NHRI but has no key and is not accepted here")
                }
                if let block = try replica.sealingBlock() {
                    printError("warning: \(try replica.status().waitingForKeys) confidential edits wait: \(block)")
                }
            }
        }
    }

    struct TrustKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trust",
            abstract: "Trust an organisation's new key after confirming its fingerprint out of band.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The organisation id.") var org: String
        @Argument(help: "Its key's fingerprint (at least the 32 hex digits 'keys' shows).") var fingerprint: [String]

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                try replica.trustKey(org: org, fingerprint: fingerprint.joined())
                print(
                    "the current key of \(org) is trusted (and \(org), if it is listed as an NHRI, receives the confidential texts sealed from now on); confidential edits waiting for it are sealed at the next sync"
                )
            }
        }
    }

    struct ForgetRecipient: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "forget",
            abstract: "Stop sealing to an NHRI that is no longer one, after confirming it out of band.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The organisation id.") var org: String

        func run() async throws {
            try await reportingErrors {
                try options.open().forgetRecipient(org: org)
                print("confidential texts are no longer sealed to \(org)")
            }
        }
    }

    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Make a new key pair for your organisation; old texts stay readable with the old keys.")

        @OptionGroup var options: ReplicaOptions

        func run() async throws {
            try await reportingErrors {
                let key = try options.open().rotateKey()
                print(
                    "new key \(key.displayFingerprint), published at the next sync; give this fingerprint to those who send you confidential submissions, and export the keys again to your other devices"
                )
            }
        }
    }

    struct ExportKeys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write your organisation's private keys to a passphrase-protected file, for another device.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "The file to write.") var out: String
        @Flag(help: "Read the passphrase from standard input (else FOLLOWUP_KEY_PASSPHRASE).") var passphraseStdin =
            false

        func run() async throws {
            let passphrase = try readPassphrase(stdin: passphraseStdin)
            try await reportingErrors {
                let data = try options.open().exportKeys(passphrase: passphrase)
                guard
                    FileManager.default.createFile(atPath: out, contents: data, attributes: [.posixPermissions: 0o600])
                else { throw ReplicaError(.fileNotFound, "cannot write \(out)") }
                print("keys written to \(out); import them on the other device with 'followup keys import \(out)'")
            }
        }
    }

    struct ImportKeys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import", abstract: "Add your organisation's private keys from a file 'keys export' wrote.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The key file.") var file: String
        @Flag(help: "Read the passphrase from standard input (else FOLLOWUP_KEY_PASSPHRASE).") var passphraseStdin =
            false

        func run() async throws {
            let passphrase = try readPassphrase(stdin: passphraseStdin)
            try await reportingErrors {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw ReplicaError(.fileNotFound, "cannot read \(file)")
                }
                let added = try options.open().importKeys(data, passphrase: passphrase)
                print("\(added) keys imported")
            }
        }
    }
}

/// The passphrase of a key file: the first line of standard input, or `FOLLOWUP_KEY_PASSPHRASE`.
private func readPassphrase(stdin: Bool) throws -> String {
    if stdin {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("give the passphrase on standard input (--passphrase-stdin)")
        }
        return line
    }
    guard let value = ProcessInfo.processInfo.environment["FOLLOWUP_KEY_PASSPHRASE"], !value.isEmpty else {
        throw ValidationError("give the passphrase with --passphrase-stdin or in FOLLOWUP_KEY_PASSPHRASE")
    }
    return value
}
