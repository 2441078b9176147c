import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Clusters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Group recommendations into clusters (secretariat).",
            subcommands: [CreateCluster.self, AddToCluster.self, RemoveFromCluster.self])
    }

    struct CreateCluster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Create a cluster; prints its id.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "The title.") var title: String
        @Option(help: "theme or custom.") var kind = "custom"
        @Option(help: "A description.") var description: String?

        func run() async throws {
            try await reportingErrors {
                print(
                    try options.open().createCluster(NewCluster(title: title, kind: kind, description: description)))
            }
        }
    }

    struct AddToCluster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Add recommendations to a cluster.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The cluster id.") var cluster: String
        @Argument(help: "Recommendation ids.") var recommendations: [String]

        func run() async throws {
            try await reportingErrors {
                let added = try options.open().addToCluster(cluster, recommendations: recommendations)
                print("added \(added) recommendations to cluster \(cluster)")
            }
        }
    }

    struct RemoveFromCluster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Remove recommendations from a cluster.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The cluster id.") var cluster: String
        @Argument(help: "Recommendation ids.") var recommendations: [String]

        func run() async throws {
            try await reportingErrors {
                let removed = try options.open().removeFromCluster(cluster, recommendations: recommendations)
                print("removed \(removed) recommendations from cluster \(cluster)")
            }
        }
    }
}
