import ArgumentParser
import Foundation
import Shared
import TestSupport
import Testing

@testable import Client

/// The replica's domain operations apply the rules the commands apply: a web page calling them
/// and a clerk typing the command get the same answers.
@Suite("Domain operations of the Client library")
struct DomainOperationsTests {
    /// A secretariat replica on disk, synced (it holds the institutions), with two recommendations.
    static func secretariat(_ name: String) async throws -> (
        server: InProcessServer, replica: Replica, engine: SyncEngine, directory: String, recommendations: [String]
    ) {
        let server = try await InProcessServer()
        let directory = try temporaryDirectory(name)
        let (replica, engine) = try await server.replicaOnDisk(user: "sara", org: "nmirf", directory: directory)
        let recommendations = try replica.put(
            "recommendation",
            rows: [
                (nil, ["text": .text("Ratify the Optional Protocol")]),
                (nil, ["text": .text("Protect human rights defenders")]),
            ])
        return (server, replica, engine, directory, recommendations)
    }

    @Test("adding recommendations already in a cluster skips them, in the library and in the command")
    func duplicateClusterMembersSkipped() async throws {
        let (_, replica, _, directory, recommendations) = try await Self.secretariat("clusters")
        let cluster = try replica.createCluster(NewCluster(title: "Defenders", kind: "theme"))
        #expect(try replica.addToCluster(cluster, recommendations: [recommendations[0]]) == 1)
        #expect(try replica.addToCluster(cluster, recommendations: recommendations) == 1)
        #expect(try replica.addToCluster(cluster, recommendations: recommendations) == 0)
        try await followup(["--replica", directory, "clusters", "add", cluster] + recommendations)
        #expect(try replica.rows("cluster_member", where: "cluster_id", is: cluster).count == 2)

        let unknown = UUIDv7.make()
        #expect(throws: ReplicaError.self) { try replica.addToCluster(cluster, recommendations: [unknown]) }
        #expect(try replica.removeFromCluster(cluster, recommendations: [recommendations[1], unknown]) == 1)
        #expect(try replica.rows("cluster_member", where: "cluster_id", is: cluster).count == 1)
    }

    @Test("an invalid date or currency is refused with invalid_value naming the input; nothing is written")
    func invalidInputsRefused() async throws {
        let (_, replica, _, directory, recommendations) = try await Self.secretariat("inputs")
        let pending = try replica.status().pending

        var action = NewAction(recommendation: recommendations[0], title: "Draft the bill")
        action.dueDate = "2027-02-30"
        let badDate = #expect(throws: ReplicaError.self) { try replica.planAction(action) }
        #expect(badDate?.code == .invalidValue)
        #expect(badDate?.invalidInput == InvalidInput(name: "dueDate", rule: .calendarDate))

        action.dueDate = "2027-02-28"
        action.budget = Budget(amount: 1_000, currency: "usd")
        let badCurrency = #expect(throws: ReplicaError.self) { try replica.planAction(action) }
        #expect(badCurrency?.invalidInput == InvalidInput(name: "budget.currency", rule: .currencyCode))

        var request = NewOversightRequest(institution: "nmirf", text: "When?")
        request.dueDate = "next week"
        let badDue = #expect(throws: ReplicaError.self) { try replica.askOversight(request) }
        #expect(badDue?.invalidInput?.name == "dueDate")
        #expect(try replica.status().pending == pending)

        // The command refuses the same date as a usage error on its option.
        await #expect(throws: ValidationError.self) {
            try await followup([
                "--replica", directory, "actions", "add", "--rec", recommendations[0], "--title", "x", "--due",
                "2027-02-30",
            ])
        }
        #expect(try replica.status().pending == pending)
    }

    @Test("an action and its indicator are written in one transaction, or neither is")
    func actionWithIndicator() async throws {
        let (_, replica, _, _, recommendations) = try await Self.secretariat("indicator")
        var action = NewAction(recommendation: recommendations[0], title: "Train judges")
        action.institution = "moj"
        action.budget = Budget(amount: 5_000, currency: "USD", line: "2027/14")
        action.indicator = NewIndicator(title: "Judges trained", kind: "bogus")
        #expect(throws: ReplicaError.self) { try replica.planAction(action) }
        #expect(try replica.rows("action").isEmpty)

        action.indicator?.kind = "process"
        action.indicator?.target = 120
        let pending = try replica.status().pending
        let id = try replica.planAction(action)
        #expect(try replica.status().pending == pending + 2)
        let stored = try #require(try replica.row("action", id: id))
        #expect(stored["budget_currency"] == .text("USD"))
        #expect(stored["institution_id"] == .text(try replica.institutionID("moj")))
        let indicators = try replica.rows("indicator", where: "action_id", is: id)
        #expect(indicators.map { $0.values["target"] } == [.real(120)])
    }

    @Test("a recommendation's detail gathers its work and leaves draft assessments out")
    func recommendationDetail() async throws {
        let (_, replica, _, _, recommendations) = try await Self.secretariat("detail")
        let rec = recommendations[0]
        _ = try replica.assign(NewAssignment(target: rec, institution: "moj", role: .lead, focalPoint: "Ana"))
        let action = try replica.planAction(NewAction(recommendation: rec, title: "Draft the bill"))
        var update = NewProgressUpdate(action: action, narrative: "First reading")
        update.date = "2027-03-01"
        _ = try replica.reportProgress(update)
        // An assessment is the NHRI's to record (the secretariat's replica refuses it at once);
        // a draft is laid in raw here, as only its NHRI owner's replica would hold it.
        #expect(throws: ReplicaError.self) {
            try replica.recordAssessment(NewAssessment(target: rec, rating: "limited", rationale: "Slow"))
        }
        let draft = try replica.put(
            "assessment",
            fields: ["recommendation_id": .text(rec), "rating": .text("limited"), "rationale": .text("Slow")])
        #expect(try replica.move(action, to: "submitted") == "action")
        #expect(throws: ReplicaError.self) { try replica.move(UUIDv7.make(), to: "submitted") }

        let detail = try replica.recommendationDetail(rec)
        #expect(detail.recommendation["id"] == .text(rec))
        #expect(detail.assignments.map { $0["role"] } == [.text("lead")])
        #expect(detail.institutionNames[try replica.institutionID("moj")] == "Ministry of Justice")
        #expect(detail.actions.map { $0["id"] } == [.text(action)])
        #expect(detail.actions.first?["state"] == .text("submitted"))
        #expect(detail.progress.map { $0["date"] } == [.text("2027-03-01")])
        #expect(detail.assessments.isEmpty)
        #expect(try replica.row("assessment", id: draft) != nil)

        let json = try JSONSerialization.jsonObject(with: try WireCoding.encoder().encode(detail)) as? [String: Any]
        #expect(
            Set((json ?? [:]).keys) == [
                "recommendation", "clusters", "assignments", "actions", "indicators", "progress", "assessments",
                "replies", "submissions", "bills", "oversight", "responses", "revisions",
            ])

        let missing = #expect(throws: ReplicaError.self) { try replica.recommendationDetail(UUIDv7.make()) }
        #expect(missing?.code == .rowNotFound)
    }
}
