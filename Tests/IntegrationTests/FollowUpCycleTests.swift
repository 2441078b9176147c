import Foundation
import Server
import Shared
import TestSupport
import Testing

@testable import Client

/// The gaps found walking one follow-up cycle as its users would, each shown closed.
@Suite("A follow-up cycle for one State")
struct FollowUpCycleTests {
    /// A secretariat replica (synced, so it holds the institutions) and a ministry replica.
    static func cycle(_ name: String) async throws -> (
        server: InProcessServer, secretariat: Replica, sync: SyncEngine, ministry: Replica, ministrySync: SyncEngine
    ) {
        let server = try await InProcessServer()
        let (secretariat, sync) = try await server.replicaOnDisk(
            user: "sara", org: "nmirf", directory: try temporaryDirectory(name + "-s"))
        let (ministry, ministrySync) = try await server.replicaOnDisk(
            user: "malik", org: "moj", directory: try temporaryDirectory(name + "-m"))
        return (server, secretariat, sync, ministry, ministrySync)
    }

    @Test("the operator names the State; every replica learns it at sync; a code that is no State's is refused")
    func deploymentState() async throws {
        let (server, secretariat, sync, ministry, ministrySync) = try await Self.cycle("state")
        #expect(try secretariat.status().state == nil)
        await #expect(throws: ServiceError.self) { try await server.storage.setDeploymentState("XYZ") }
        try await server.storage.setDeploymentState("mar")
        _ = try await sync.sync()
        _ = try await ministrySync.sync()
        #expect(try secretariat.settings().deploymentState == "MAR")
        #expect(try ministry.status().state == "MAR")
    }

    @Test("an import keeps the deployment's State's records by default; --all-states keeps everyone's")
    func importsKeepTheState() async throws {
        let server = try await InProcessServer()
        try await server.storage.setDeploymentState("TCD")
        let directory = try temporaryDirectory("state-import")
        let (replica, _) = try await server.replicaOnDisk(user: "sara", org: "nmirf", directory: directory)
        #expect(try replica.defaultImportScope() == .state("TCD"))
        let fixture = TestData.fixtures.appendingPathComponent("upr-info-sample.csv").path
        try await followup(["--replica", directory, "import", "upr-info", fixture])
        let states = Set(try replica.rows("recommendation").compactMap { $0.values["state_under_review"] })
        #expect(states == [.text("TCD")])
        try await followup(["--replica", directory, "import", "upr-info", fixture, "--all-states"])
        #expect(Set(try replica.rows("recommendation").compactMap { $0.values["state_under_review"] }).count > 1)
    }

    @Test(
        "the 23,483 UPR Info rows for Morocco keep Morocco's, not everyone's",
        .enabled(if: TestData.sharedDataPresent, "../shared/data is not here"))
    func moroccoFromSharedData() throws {
        var kept = 0
        var read = 0
        for file in ["sessions-1-5.csv", "sessions-6-9.csv", "sessions-10-13.csv"] {
            let data = try Data(contentsOf: TestData.sharedUPRInfo.appendingPathComponent(file))
            let parsed = try UPRInfoFormat.parse(data, scope: .state("MAR"))
            #expect(parsed.records.allSatisfy { $0.fields["state_under_review"] == .text("MAR") })
            kept += parsed.records.count
            read += parsed.read
        }
        #expect(read >= 23_483)
        #expect(kept > 0 && kept < 1_000)
    }

    @Test("a repeated recommendation joins a cluster once; a repeated assignment is refused and nothing is written")
    func noDuplicates() async throws {
        let (_, secretariat, _, _, _) = try await Self.cycle("duplicates")
        let recommendation = try secretariat.put("recommendation", fields: ["text": .text("Ratify OPCAT")])
        let cluster = try secretariat.createCluster(NewCluster(title: "Torture"))
        #expect(try secretariat.addToCluster(cluster, recommendations: [recommendation, recommendation]) == 1)
        #expect(try secretariat.rows("cluster_member", where: "cluster_id", is: cluster).count == 1)
        _ = try secretariat.assign(NewAssignment(target: recommendation, institution: "moj", role: .lead))
        let pending = try secretariat.status().pending
        let repeated = #expect(throws: ReplicaError.self) {
            try secretariat.assign(NewAssignment(target: recommendation, institution: "moj", role: .contributing))
        }
        #expect(repeated?.code == .alreadyExists)
        #expect(try secretariat.status().pending == pending)
        #expect(try secretariat.rows("assignment", where: "recommendation_id", is: recommendation).count == 1)
    }

    @Test("a list never stops at a hidden limit: it pages, and counts what a page leaves out")
    func listsPage() async throws {
        let (_, secretariat, _, _, _) = try await Self.cycle("paging")
        _ = try secretariat.put(
            "recommendation", rows: (0..<12).map { (nil, ["text": .text("Recommendation \($0)")]) })
        var filter = RecommendationFilter()
        #expect(try secretariat.recommendations(filter).count == 12)
        filter.limit = 5
        #expect(try secretariat.recommendations(filter).count == 5)
        #expect(try secretariat.recommendationCount(filter) == 12)
        filter.offset = 10
        let last = try secretariat.recommendations(filter)
        #expect(last.count == 2)
        filter.limit = nil
        filter.offset = 0
        let all = try secretariat.recommendations(filter).map(\.id)
        // A page of no rows, or a negative offset, is refused rather than read as "everything".
        var empty = RecommendationFilter()
        empty.limit = 0
        #expect(throws: ReplicaError.self) { try secretariat.recommendations(empty) }
        empty.limit = nil
        empty.offset = -1
        #expect(throws: ReplicaError.self) { try secretariat.recommendations(empty) }
        #expect(Array(all.suffix(2)) == last.map(\.id))
    }

    @Test(
        "a recommendation's page shows what reaches it through its cluster, and its indicators, submissions and oversight"
    )
    func detailThroughCluster() async throws {
        let (server, secretariat, sync, _, _) = try await Self.cycle("detail")
        let recommendation = try secretariat.put("recommendation", fields: ["text": .text("Ratify OPCAT")])
        let cluster = try secretariat.createCluster(NewCluster(title: "Torture", kind: "theme"))
        try secretariat.addToCluster(cluster, recommendations: [recommendation])
        let assignment = try secretariat.assign(NewAssignment(target: cluster, institution: "moj", role: .lead))
        var action = NewAction(recommendation: recommendation, title: "Draft the bill")
        action.indicator = NewIndicator(title: "Bill adopted", kind: "structure")
        let actionID = try secretariat.planAction(action)
        _ = try await sync.sync()
        // Parliament asks the ministry about it; an NGO submits information on it.
        try await server.storage.addOrganisation(id: "parl", name: "Human Rights Committee", kind: .parliament)
        try await server.storage.addOrganisation(id: "ngo", name: "Detention Watch", kind: .ngo)
        let (parliament, parliamentSync) = try await server.replicaOnDisk(
            user: "pia", org: "parl", directory: try temporaryDirectory("detail-p"))
        let (ngo, ngoSync) = try await server.replicaOnDisk(
            user: "omar", org: "ngo", directory: try temporaryDirectory("detail-n"))
        let question = try parliament.askOversight(
            NewOversightRequest(
                institution: "moj", text: "When will the bill reach us?", recommendation: recommendation))
        try parliament.move(question, to: "submitted")
        let submission = try ngo.addSubmission(NewSubmission(recommendation: recommendation, text: "Visits stopped"))
        _ = try await parliamentSync.sync()
        _ = try await ngoSync.sync()
        _ = try await sync.sync()
        let detail = try secretariat.recommendationDetail(recommendation)
        #expect(detail.clusters.map { $0["id"] } == [.text(cluster)])
        #expect(detail.assignments.map { $0["id"] } == [.text(assignment)])
        #expect(detail.institutionNames.values.contains("Ministry of Justice"))
        #expect(detail.actions.map { $0["id"] } == [.text(actionID)])
        #expect(detail.indicators.map { $0["title"] } == [.text("Bill adopted")])
        #expect(detail.oversight.map { $0["id"] } == [.text(question)])
        #expect(detail.submissions.map { $0["id"] } == [.text(submission)])
    }

    @Test("publishing what the policy forbids is refused at once, with the reason, and nothing is recorded")
    func policyOnTheReplica() async throws {
        let (_, secretariat, sync, ministry, ministrySync) = try await Self.cycle("policy")
        let recommendation = try secretariat.put("recommendation", fields: ["text": .text("Ratify OPCAT")])
        _ = try secretariat.assign(NewAssignment(target: recommendation, institution: "moj", role: .lead))
        _ = try await sync.sync()
        _ = try await ministrySync.sync()
        // Offline, before the first push: the action is the ministry's own, and it is assigned.
        let action = try ministry.planAction(NewAction(recommendation: recommendation, title: "Draft the bill"))
        let pending = try ministry.status().pending
        let refusal = #expect(throws: ReplicaError.self) { try ministry.move(action, to: "published") }
        #expect(refusal?.code == .forbidden)
        #expect(refusal?.message.contains("secretariat") == true)
        #expect(try ministry.status().pending == pending)
        #expect(try ministry.row("action", id: action)?["state"] == .text("draft"))
        // What the policy allows goes through, and the server agrees.
        #expect(try ministry.move(action, to: "submitted") == "action")
        let report = try await ministrySync.sync()
        #expect(report.rejected == 0)
        // Planning on a recommendation not assigned to the ministry is refused at once too.
        let other = try secretariat.put("recommendation", fields: ["text": .text("Protect defenders")])
        _ = try await sync.sync()
        _ = try await ministrySync.sync()
        let unassigned = #expect(throws: ReplicaError.self) {
            try ministry.planAction(NewAction(recommendation: other, title: "Not ours"))
        }
        #expect(unassigned?.code == .forbidden)
    }

    @Test("a ministry's list says whether it leads or contributes; a summary by rating counts the latest rating")
    func roleAndRating() async throws {
        let (server, secretariat, sync, ministry, ministrySync) = try await Self.cycle("roles")
        let led = try secretariat.put("recommendation", fields: ["text": .text("Ratify OPCAT")])
        let helped = try secretariat.put("recommendation", fields: ["text": .text("Protect defenders")])
        let cluster = try secretariat.createCluster(NewCluster(title: "Defenders"))
        try secretariat.addToCluster(cluster, recommendations: [helped])
        _ = try secretariat.assign(NewAssignment(target: led, institution: "moj", role: .lead))
        _ = try secretariat.assign(NewAssignment(target: cluster, institution: "moj", role: .contributing))
        _ = try await sync.sync()
        _ = try await ministrySync.sync()
        let roles = Dictionary(
            uniqueKeysWithValues: try ministry.recommendations(RecommendationFilter()).map { ($0.id, $0.role) })
        #expect(roles[led] == "lead")
        #expect(roles[helped] == "contributing")
        #expect(try secretariat.recommendations(RecommendationFilter()).allSatisfy { $0.role == nil })
        // Leading directly counts over contributing through a cluster; a deleted cluster counts for nothing.
        try secretariat.addToCluster(cluster, recommendations: [led])
        try secretariat.delete("cluster", id: cluster)
        _ = try await sync.sync()
        _ = try await ministrySync.sync()
        let after = Dictionary(
            uniqueKeysWithValues: try ministry.recommendations(RecommendationFilter()).map { ($0.id, $0.role) })
        #expect(after[led] == "lead")
        #expect(after[helped] == .some(nil))

        try await server.storage.addOrganisation(id: "nhri", name: "Human Rights Commission", kind: .nhri)
        let (nhri, _) = try await server.replicaOnDisk(
            user: "nadia", org: "nhri", directory: try temporaryDirectory("roles-n"))
        _ = try nhri.recordAssessment(NewAssessment(target: led, rating: "limited", rationale: "Slow"))
        _ = try nhri.recordAssessment(NewAssessment(target: led, rating: "partial", rationale: "Bill tabled"))
        _ = try nhri.recordAssessment(NewAssessment(target: helped, rating: "no_progress", rationale: "Threats go on"))
        let byRating = Dictionary(uniqueKeysWithValues: try nhri.summary(by: "rating").map { ($0.group, $0.total) })
        #expect(byRating == ["partial": 1, "no_progress": 1])
    }

    @Test("clusters are proposed from themes and SDG goals for review, and a proposal accepted becomes one")
    func clusterProposals() async throws {
        let (_, secretariat, _, _, _) = try await Self.cycle("proposals")
        let ids = try secretariat.put(
            "recommendation",
            rows: [
                (nil, ["text": .text("a"), "themes": .list(["Torture", "Justice"]), "sdg_targets": .list(["5.2"])]),
                (nil, ["text": .text("b"), "themes": .list(["Torture"]), "sdg_targets": .list(["5.1", "16.2"])]),
                (nil, ["text": .text("c"), "themes": .list(["Women's rights"])]),
            ])
        let byTheme = try secretariat.proposeClusters(by: .theme)
        #expect(byTheme.map(\.title) == ["Torture"])
        #expect(Set(byTheme[0].recommendations) == Set(ids.prefix(2)))
        let bySDG = try secretariat.proposeClusters(by: .sdg)
        #expect(bySDG.map(\.title) == ["SDG 5: Gender equality"])
        #expect(try secretariat.proposeClusters(by: .theme, minimum: 1).count == 3)
        let pending = try secretariat.status().pending
        let cluster = try secretariat.acceptProposal(byTheme[0])
        #expect(try secretariat.status().pending == pending + 3)
        #expect(try secretariat.rows("cluster_member", where: "cluster_id", is: cluster).count == 2)
        #expect(try secretariat.proposeClusters(by: .theme).isEmpty)
        // The secretariat lists clusters with their members.
        #expect(try secretariat.clusters().map(\.title) == ["Torture"])
        #expect(Set(try secretariat.cluster(cluster).members.map(\.id)) == Set(ids.prefix(2)))
        #expect(throws: ReplicaError.self) { try secretariat.cluster(UUIDv7.make()) }
        #expect(try secretariat.proposeClusters(by: .sdg).first?.alreadyClustered == 2)
    }

    @Test("search finds words in the six UN languages: diacritics, prefixes, plurals, Chinese as written")
    func multilingualSearch() async throws {
        let (_, secretariat, _, _, _) = try await Self.cycle("search")
        let texts = [
            "es": "Garantizar la participación de las mujeres en la vida política",
            "en": "Prohibit torture in all places of detention",
            "zh": "禁止一切形式的酷刑并调查所有指控",
            "fr": "Garantir l'égalité entre les femmes et les hommes",
            "ru": "Расследовать все сообщения о пытках",
            "ar": "تجريم التعذيب في القانون الجنائي",
        ]
        var ids: [String: String] = [:]
        for (language, text) in texts {
            ids[language] = try secretariat.put(
                "recommendation", fields: ["text": .text(text), "language": .text(language)])
        }
        func found(_ query: String) throws -> [String] {
            var filter = RecommendationFilter()
            filter.search = query
            return try secretariat.recommendations(filter).map(\.id)
        }
        #expect(try found("participacion") == [ids["es"]!])
        #expect(try found("tortur*") == [ids["en"]!])
        #expect(try found("tortures") == [ids["en"]!])
        #expect(try found("酷刑") == [ids["zh"]!])
        #expect(try found("egalite femmes") == [ids["fr"]!])
        #expect(try found("пытках") == [ids["ru"]!])
        #expect(try found("التعذيب") == [ids["ar"]!])
        #expect(try found("torture prison") == [])
        #expect(try secretariat.searchIndexMismatches() == 0)
    }
}
