import ArgumentParser
import Foundation
import Shared

extension FollowupCommand {
    struct Clusters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Group recommendations into clusters (secretariat).",
            subcommands: [
                ListClusters.self, ShowCluster.self, CreateCluster.self, AddToCluster.self, RemoveFromCluster.self,
                ProposeClusters.self,
            ])
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

    struct ListClusters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the clusters with how many recommendations each holds.")

        @OptionGroup var options: ReplicaOptions
        @Flag(help: "Print JSON (each cluster with its members).") var json = false

        func run() async throws {
            try await reportingErrors {
                let clusters = try options.open().clusters()
                if json { return try Output.json(clusters) }
                Output.table(
                    ["id", "kind", "members", "title"],
                    clusters.map { [$0.id, $0.kind ?? "", String($0.members.count), $0.title] })
                print("(\(clusters.count) \(clusters.count == 1 ? "cluster" : "clusters"))")
            }
        }
    }

    struct ShowCluster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show a cluster's member recommendations.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The cluster id.") var cluster: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let detail = try options.open().cluster(cluster)
                if json { return try Output.json(detail) }
                print("\(detail.title) (\(detail.kind ?? "custom"))")
                Output.table(
                    ["id", "session", "position", "status", "text"],
                    detail.members.map {
                        [
                            $0.id, $0.session.map(String.init) ?? "", $0.position ?? "", $0.status.rawValue,
                            Output.clip($0.text),
                        ]
                    })
                print("(\(detail.members.count) \(detail.members.count == 1 ? "recommendation" : "recommendations"))")
            }
        }
    }

    struct ProposeClusters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "propose",
            abstract: "Propose clusters from the recommendations' themes or SDG goals, for review; --create makes them."
        )

        @OptionGroup var options: ReplicaOptions
        @Option(help: "theme or sdg.") var by = "theme"
        @Option(help: "Leave out proposals of fewer recommendations.") var minimum = 2
        @Flag(help: "Create every proposal shown, with its recommendations.") var create = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let basis = ClusterBasis(rawValue: by) else { throw ValidationError("--by must be theme or sdg") }
            try await reportingErrors {
                let replica = try options.open()
                let proposals = try replica.proposeClusters(by: basis, minimum: minimum)
                if json && !create { return try Output.json(proposals) }
                Output.table(
                    ["recommendations", "already clustered", "proposed cluster"],
                    proposals.map { [String($0.recommendations.count), String($0.alreadyClustered), $0.title] })
                print("(\(proposals.count) proposals by \(basis.rawValue); none recorded\(create ? " yet" : ""))")
                guard create else { return }
                for proposal in proposals {
                    let id = try replica.acceptProposal(proposal)
                    print(
                        "created cluster \(id): \(proposal.title) (\(proposal.recommendations.count) recommendations)")
                }
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
