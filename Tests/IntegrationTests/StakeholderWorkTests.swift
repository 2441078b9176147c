import Foundation
import Shared
import TestSupport
import Testing

@testable import Client
@testable import Server

/// What each stakeholder missed on a first cycle (schema 4), walked through the Client library
/// and an in-process server: bills, hearings, money spent, work on a cluster, the government's
/// replies to assessments, and submissions made public.
@Suite("Stakeholder work: bills, hearings, spending, cluster work, replies, public submissions")
struct StakeholderWorkTests {
    /// One replica per organisation, each synced once after the others exist.
    struct Desk {
        let server: InProcessServer
        var replicas: [String: (replica: Replica, engine: SyncEngine)] = [:]

        subscript(org: String) -> Replica { replicas[org]!.replica }

        /// Syncs the named organisations' replicas, in order.
        func sync(_ orgs: String...) async throws {
            for org in orgs { _ = try await replicas[org]!.engine.sync() }
        }
    }

    static func desk() async throws -> Desk {
        let server = try await InProcessServer()
        for (id, kind) in [
            ("mof", OrganisationKind.ministry), ("parl", .parliament), ("nhri", .nhri), ("ngo", .ngo),
        ] {
            try await server.storage.addOrganisation(id: id, name: id.uppercased(), kind: kind)
        }
        var desk = Desk(server: server)
        for (user, org) in [
            ("sara", "nmirf"), ("malik", "moj"), ("mona", "mof"), ("pia", "parl"), ("nadia", "nhri"),
            ("omar", "ngo"),
        ] {
            let (replica, engine) = try await server.replica(user: user, org: org, clock: SystemWallClock())
            desk.replicas[org] = (replica, engine)
            _ = try await engine.sync()
        }
        return desk
    }

    @Test("work on a cluster is the cluster's assigned ministry's: it plans, spends, and the work reaches each member")
    func clusterWork() async throws {
        let desk = try await Self.desk()
        let secretariat = desk["nmirf"]
        let (r1, r2) = (
            try secretariat.put("recommendation", fields: ["text": .text("Train prison staff")]),
            try secretariat.put("recommendation", fields: ["text": .text("Inspect detention places")])
        )
        let cluster = try secretariat.createCluster(NewCluster(title: "Detention", kind: "theme"))
        _ = try secretariat.addToCluster(cluster, recommendations: [r1, r2])
        _ = try secretariat.assign(NewAssignment(target: cluster, institution: "mof", role: .lead))
        _ = try secretariat.assign(NewAssignment(target: r1, institution: "moj", role: .contributing))
        try await desk.sync("nmirf", "mof", "moj")

        let ministry = desk["mof"]
        var action = NewAction(target: cluster, title: "A training plan for every prison")
        action.budget = Budget(amount: 50_000, currency: "EUR", spent: 12_500)
        let planned = try ministry.planAction(action)
        try ministry.recordSpending(action: planned, amount: 20_000)
        try await desk.sync("mof", "nmirf", "moj")

        // The ministry assigned to the cluster, and the secretariat, hold the draft; the ministry
        // assigned to one member alone does not.
        #expect(try desk["nmirf"].row("action", id: planned)?["spent_amount"] == .real(20_000))
        #expect(try desk["moj"].row("action", id: planned) == nil)
        // The work reaches each member's page and status.
        for recommendation in [r1, r2] {
            let detail = try ministry.recommendationDetail(recommendation)
            #expect(detail.actions.map { $0["id"] } == [.text(planned)])
        }
        #expect(try ministry.recommendations(RecommendationFilter()).allSatisfy { $0.status == .planned })

        // Bad amounts are refused naming the input; nothing is recorded.
        let pending = try ministry.status().pending
        action.budget.spent = -1
        let refused = #expect(throws: ReplicaError.self) { try ministry.planAction(action) }
        #expect(refused?.invalidInput == InvalidInput(name: "budget.spent", rule: .amount))
        #expect(throws: ReplicaError.self) { try ministry.recordSpending(action: planned, amount: .nan) }
        // A ministry not assigned to the cluster may not plan work on it.
        let foreign = #expect(throws: ReplicaError.self) {
            try desk["moj"].planAction(NewAction(target: cluster, title: "Not ours"))
        }
        #expect(foreign?.code == .forbidden)
        #expect(try ministry.status().pending == pending)
    }

    @Test("parliament marks legislation, follows a bill through its stages and calls a hearing; everyone reads them")
    func billsAndHearings() async throws {
        let desk = try await Self.desk()
        let secretariat = desk["nmirf"]
        let (r1, r2) = (
            try secretariat.put("recommendation", fields: ["text": .text("Criminalise torture")]),
            try secretariat.put("recommendation", fields: ["text": .text("Ratify OPCAT")])
        )
        try secretariat.markNeedsLegislation(r1)
        try await desk.sync("nmirf", "parl", "moj", "ngo")

        let parliament = desk["parl"]
        var filter = RecommendationFilter()
        filter.needsLegislation = true
        #expect(try parliament.recommendations(filter).map(\.id) == [r1])
        filter.needsLegislation = false
        #expect(try parliament.recommendations(filter).map(\.id) == [r2])
        // Only the secretariat marks recommendations.
        #expect(throws: ReplicaError.self) { try parliament.markNeedsLegislation(r2) }

        var bill = NewBill(title: "Anti-torture bill", target: r1, stage: "tabled", stageDate: "2026-10-01")
        bill.reference = "Bill 12/2026"
        bill.covers = [r2]
        let billID = try parliament.trackBill(bill)
        try parliament.moveBill(billID, to: "in_committee", on: "2026-11-15")
        var hearing = NewOversightRequest(
            institution: "moj", text: "Where is the bill?", kind: "hearing", recommendation: r1)
        hearing.hearingDate = "2026-12-10"
        hearing.hearingPlace = "Committee room 3"
        let request = try parliament.askOversight(hearing)
        try parliament.move(request, to: "submitted")
        try await desk.sync("parl", "moj", "ngo")

        for org in ["moj", "ngo"] {
            let detail = try desk[org].recommendationDetail(r1)
            #expect(detail.bills.map { $0["stage"] } == [.text("in_committee")], "\(org)")
            #expect(detail.bills.first?["stage_date"] == .text("2026-11-15"))
            // The bill covers r2 too, and shows there.
            #expect(try desk[org].recommendationDetail(r2).bills.count == 1)
        }
        let asked = try #require(try desk["moj"].row("oversight_request", id: request))
        #expect(asked["hearing_date"] == .text("2026-12-10"))
        #expect(asked["hearing_place"] == .text("Committee room 3"))

        // Bad stages, dates and covered ids are refused before anything is recorded.
        let pending = try parliament.status().pending
        #expect(throws: ReplicaError.self) { try parliament.moveBill(billID, to: "signed") }
        #expect(throws: ReplicaError.self) { try parliament.moveBill(billID, to: "passed", on: "2026-13-01") }
        bill.covers = [UUIDv7.make()]
        let unknown = #expect(throws: ReplicaError.self) { try parliament.trackBill(bill) }
        #expect(unknown?.code == .rowNotFound)
        #expect(try parliament.status().pending == pending)
    }

    @Test("the government replies to a published assessment; the secretariat publishes the reply; the NHRI reads it")
    func governmentReply() async throws {
        let desk = try await Self.desk()
        let recommendation = try desk["nmirf"].put("recommendation", fields: ["text": .text("Free legal aid")])
        _ = try desk["nmirf"].assign(NewAssignment(target: recommendation, institution: "moj", role: .lead))
        try await desk.sync("nmirf", "nhri")
        let assessment = try desk["nhri"].recordAssessment(
            NewAssessment(target: recommendation, rating: "limited", rationale: "Few lawyers outside the capital"))
        try desk["nhri"].move(assessment, to: "published")
        try await desk.sync("nhri", "moj", "ngo")

        let reply = try desk["moj"].replyToAssessment(assessment, text: "Twelve new legal aid offices open in 2027")
        try desk["moj"].move(reply, to: "submitted")
        // A ministry cannot publish the government's word alone: the secretariat does.
        let unpublished = #expect(throws: ReplicaError.self) { try desk["moj"].move(reply, to: "published") }
        #expect(unpublished?.code == .forbidden)
        try await desk.sync("moj", "nhri", "nmirf", "ngo")
        #expect(try desk["nhri"].recommendationDetail(recommendation).replies.map { $0["id"] } == [.text(reply)])
        #expect(try desk["ngo"].row("assessment_reply", id: reply) == nil)

        try desk["nmirf"].move(reply, to: "published")
        try await desk.sync("nmirf", "ngo")
        let seen = try desk["ngo"].recommendationDetail(recommendation)
        #expect(seen.replies.map { $0["text"] } == [.text("Twelve new legal aid offices open in 2027")])
        // An NGO is not the government.
        #expect(throws: ReplicaError.self) { try desk["ngo"].replyToAssessment(assessment, text: "Not ours") }
    }

    @Test("an NGO's submission on a cluster reaches its members, and only a non-confidential one is made public")
    func publicSubmissions() async throws {
        let desk = try await Self.desk()
        let secretariat = desk["nmirf"]
        let r1 = try secretariat.put("recommendation", fields: ["text": .text("Protect defenders")])
        let r2 = try secretariat.put("recommendation", fields: ["text": .text("Investigate threats")])
        let r3 = try secretariat.put("recommendation", fields: ["text": .text("Protect journalists")])
        let cluster = try secretariat.createCluster(NewCluster(title: "Defenders", kind: "theme"))
        _ = try secretariat.addToCluster(cluster, recommendations: [r1, r2])
        try await desk.sync("nmirf", "ngo")

        let ngo = desk["ngo"]
        var open = NewSubmission(target: cluster, text: "Threats rose in 2026")
        open.covers = [r3]
        let submission = try ngo.addSubmission(open)
        let secret = try ngo.addSubmission(
            NewSubmission(target: r1, text: "Defender D2 was followed", confidential: true))
        try ngo.publishSubmission(submission)
        let refused = #expect(throws: ReplicaError.self) { try ngo.publishSubmission(secret) }
        #expect(refused?.code == .invalidValue)
        #expect(throws: ReplicaError.self) { try ngo.move(secret, to: "published") }
        try await desk.sync("ngo", "parl", "nhri")

        for recommendation in [r1, r2, r3] {
            let detail = try desk["parl"].recommendationDetail(recommendation)
            #expect(detail.submissions.map { $0["id"] } == [.text(submission)])
            #expect(detail.submissions.first?["state"] == .text("published"))
        }
        #expect(try desk["parl"].row("submission", id: secret) == nil)
        #expect(try desk["nhri"].row("submission", id: secret)?["state"] == .text("draft"))
        // The public (a viewer with no organisation holds only the public key) reads the
        // published one only.
        let facts = try await desk.server.storage.explain(user: "pia", table: "submission", id: submission)
        #expect(facts.read.reason.contains("published submission"))
    }

    @Test("the commands: needs-legislation, bills add and stage, actions on a cluster, spend")
    func commands() async throws {
        let server = try await InProcessServer()
        let directory = try temporaryDirectory("stakeholder-commands")
        let (replica, _) = try await server.replicaOnDisk(user: "sara", org: "nmirf", directory: directory)
        let (r1, r2) = (
            try replica.put("recommendation", fields: ["text": .text("Criminalise torture")]),
            try replica.put("recommendation", fields: ["text": .text("Train the police")])
        )
        let cluster = try replica.createCluster(NewCluster(title: "Torture", kind: "theme"))
        _ = try replica.addToCluster(cluster, recommendations: [r1, r2])
        let base = ["--replica", directory]

        try await followup(base + ["recs", "needs-legislation", r1])
        try await followup(base + ["recs", "needs-legislation", r2, "--no"])
        #expect(try replica.row("recommendation", id: r1)?["needs_legislation"] == .bool(true))
        #expect(try replica.row("recommendation", id: r2)?["needs_legislation"] == .bool(false))
        try await followup(base + ["recs", "list", "--needs-legislation"])

        try await followup(
            base + [
                "bills", "add", "--title", "Anti-torture bill", "--rec", r1, "--covers", r2, "--stage", "tabled",
                "--date", "2026-10-01",
            ])
        let bill = try #require(try replica.rows("bill").first)
        #expect(bill.values["covers"] == .list([r2]))
        try await followup(base + ["bills", "stage", bill.id, "--stage", "passed", "--date", "2026-11-20"])
        #expect(try replica.row("bill", id: bill.id)?["stage"] == .text("passed"))

        try await followup(
            base + [
                "actions", "add", "--cluster", cluster, "--title", "Train every officer", "--budget", "1000",
                "--currency", "EUR", "--spent", "250",
            ])
        let action = try #require(try replica.rows("action").first)
        #expect(action.values["cluster_id"] == .text(cluster))
        try await followup(base + ["actions", "spend", action.id, "--amount", "400"])
        #expect(try replica.row("action", id: action.id)?["spent_amount"] == .real(400))
        // --rec and --cluster together is a usage error; nothing is recorded.
        let pending = try replica.status().pending
        await #expect(throws: (any Error).self) {
            try await followup(base + ["actions", "add", "--cluster", cluster, "--rec", r1, "--title", "Both"])
        }
        #expect(try replica.status().pending == pending)
    }
}
