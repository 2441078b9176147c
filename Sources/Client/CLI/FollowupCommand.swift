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
            Actions.self, Progress.self, Submit.self, Publish.self, Assess.self, Reply.self, Submissions.self,
            Oversight.self,
            Bills.self, Attach.self, Open.self, Export.self, Reports.self, Password.self, Audit.self, History.self,
            Keys.self,
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

extension FollowupCommand {
    /// Moves a row of a workflow table to `state` and says so (`submit`, `publish`).
    static func move(_ id: String, to state: String, options: ReplicaOptions) throws {
        let table = try options.open().move(id, to: state)
        print("\(table) \(id) is now \(state)")
    }
}
