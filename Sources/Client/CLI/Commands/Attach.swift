import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Attach: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Attach an evidence file (PDF, DOCX, image...) to a row; prints the attachment's id.",
            discussion: "The file is kept on the replica by its SHA-256 and uploaded at the next sync.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The row: TABLE:ID, or its id alone (a progress update, submission, assessment...).")
        var row: String
        @Argument(help: "The file to attach.") var file: String

        func run() async throws {
            try await reportingErrors {
                let evidence = try options.open().attach(file, to: row)
                print(evidence.id)
                printError(
                    "attached \(evidence.fileName) (\(describeBytes(Int(evidence.size))), \(evidence.mediaType))")
            }
        }
    }

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an attachment's file out, downloading it from the server if it is not here yet.",
            discussion:
                "A confidential submission's file is sealed on the server: it is opened here with the organisation's private keys (error `sealed` when this replica holds none that opens it; nothing is written)."
        )

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The attachment's id.") var attachment: String
        @Option(help: "Where to write it (default: its file name, in the current directory).") var out: String?

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                let opened = try await replica.openAttachment(attachment)
                let destination = out ?? opened.fileName
                try EvidenceFiles.remove(destination)
                guard FileManager.default.createFile(atPath: destination, contents: opened.bytes) else {
                    throw ReplicaError(.invalidFile, "cannot write \(destination)")
                }
                print(destination)
            }
        }
    }
}
