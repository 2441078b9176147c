import Foundation
import Shared
import TestSupport
import Testing

@testable import Client
@testable import Server

/// Published government work changes only when the secretariat publishes again: an assigned
/// ministry's edit becomes a revision that stays out of public view until then, and a
/// co-assigned ministry never deletes another's work.
@Suite("Published work: revisions and deletes")
struct PublishedRevisionTests {
    /// Every organisation's replica, and a recommendation led by moj with mof contributing.
    static func sharedRecommendation() async throws -> (desk: StakeholderWorkTests.Desk, rec: String) {
        let desk = try await StakeholderWorkTests.desk()
        let secretariat = desk["nmirf"]
        let rec = try secretariat.put("recommendation", fields: ["text": .text("Ratify the convention")])
        _ = try secretariat.assign(NewAssignment(target: rec, institution: "moj", role: .lead))
        _ = try secretariat.assign(NewAssignment(target: rec, institution: "mof", role: .contributing))
        try await desk.sync("nmirf", "moj", "mof")
        return (desk, rec)
    }

    /// `sharedRecommendation()` with a published action of moj's on it.
    static func publishedAction() async throws -> (desk: StakeholderWorkTests.Desk, action: String) {
        let (desk, rec) = try await sharedRecommendation()
        let secretariat = desk["nmirf"]
        var planned = NewAction(recommendation: rec, title: "Draft the ratification bill")
        planned.description = "First draft"
        let action = try desk["moj"].planAction(planned)
        try desk["moj"].move(action, to: "submitted")
        try await desk.sync("moj", "nmirf")
        try secretariat.move(action, to: "published")
        try await desk.sync("nmirf", "moj", "mof", "ngo")
        return (desk, action)
    }

    @Test(
        "an assigned ministry's edit of published work is a revision the public reads only once the secretariat publishes it"
    )
    func revisionStaysOutOfPublicView() async throws {
        let (desk, action) = try await Self.publishedAction()
        let (ministry, secretariat, ngo) = (desk["moj"], desk["nmirf"], desk["ngo"])
        #expect(try ngo.row("action", id: action)?["title"] == .text("Draft the ratification bill"))

        // Changing the published row itself is the secretariat's alone: the server refuses it.
        _ = try ministry.put("action", id: action, fields: ["title": .text("Quietly renamed")])
        try await desk.sync("moj")
        let refused = try #require(try ministry.rejectedOperations().first)
        #expect(refused.code == .forbidden)
        #expect(refused.message.contains("propose a revision"), "\(refused.message)")
        #expect(try ministry.row("action", id: action)?["title"] == .text("Draft the ratification bill"))
        try ministry.discardRejected(refused.operation.id)

        // An edit through the domain becomes the ministry's revision; a second edit joins it.
        guard
            case .revision(let revision) = try ministry.edit(
                "action", id: action, fields: ["title": .text("Bill tabled")])
        else {
            Issue.record("an edit of a published action by a ministry must make a revision")
            return
        }
        #expect(
            try ministry.edit("action", id: action, fields: ["status": .text("in_progress")]) == .revision(revision))
        #expect(try ministry.recordSpending(action: action, amount: 1_500) == .revision(revision))
        try ministry.move(revision, to: "submitted")
        // Meanwhile the secretariat corrects the published row itself; publishing the revision keeps that.
        try await desk.sync("moj", "nmirf")
        _ = try secretariat.edit("action", id: action, fields: ["description": .text("First draft, corrected")])
        #expect(try ministry.row("action", id: revision)?["revision_of"] == .text(action))

        try await desk.sync("nmirf", "ngo", "mof")
        // The public and the NGO read the published text; the revision reaches neither.
        #expect(try ngo.row("action", id: action)?["title"] == .text("Draft the ratification bill"))
        #expect(try ngo.row("action", id: revision) == nil)
        let publicView = try await desk.server.service.changes(after: 0, limit: 1_000, audience: [.everyone])
        #expect(!publicView.changes.contains { $0.row == revision })
        #expect(
            publicView.changes.first { $0.row == action }?.fields["title"] == .text("Draft the ratification bill"))
        // The co-assigned ministry sees it as government work under review.
        #expect(try desk["mof"].row("action", id: revision)?["state"] == .text("submitted"))

        // The secretariat sees what changed, and publishes it onto the published row.
        let proposed = try secretariat.revisions(of: "action", id: action)
        #expect(proposed.map(\.id) == [revision])
        #expect(Set(proposed[0].changed).isSuperset(of: ["title", "status", "spent_amount"]))
        #expect(!proposed[0].changed.contains("revision_of"))
        let detail = try secretariat.recommendationDetail(
            try #require(AccessPolicy.text(try secretariat.row("action", id: action)?["recommendation_id"])))
        #expect(detail.actions.map { $0["id"] } == [.text(action)])
        #expect(detail.revisions.map { $0["id"] } == [.text(revision)])
        try secretariat.move(revision, to: "published")
        try await desk.sync("nmirf", "ngo", "moj")
        let published = try #require(try ngo.row("action", id: action))
        #expect(published["title"] == .text("Bill tabled"))
        #expect(published["status"] == .text("in_progress"))
        #expect(published["spent_amount"] == .real(1_500))
        #expect(published["description"] == .text("First draft, corrected"))
        #expect(published["state"] == .text("published"))
        #expect(try ministry.row("action", id: revision) == nil)
        #expect(try secretariat.rejectedOperations().isEmpty)
        #expect(try ministry.rejectedOperations().isEmpty)
    }

    /// Pushes, as the ministry `moj` and straight to the server, a change of `field`, a move back
    /// to draft and a delete of published row `id`; expects each refused and the row unchanged.
    static func expectServerRefusesDirectChanges(
        _ desk: StakeholderWorkTests.Desk, _ table: String, id: String, field: String, published: String
    ) async throws {
        let server = desk.server
        let session = try await server.storage.openSession(
            user: "malik", replica: nil, deviceName: "probe", tokenHash: "probe-\(UUIDv7.make())",
            now: server.clock.nowMillis())
        let hlc = HLCTimestamp(physical: server.clock.nowMillis())
        let direct = [
            SyncOperation(
                id: UUIDv7.make(), table: table, row: id, kind: .upsert, fields: [field: .text("Quietly changed")],
                hlc: hlc, replica: session.replica),
            SyncOperation(
                id: UUIDv7.make(), table: table, row: id, kind: .upsert, fields: ["state": .text("draft")], hlc: hlc,
                replica: session.replica),
            SyncOperation(
                id: UUIDv7.make(), table: table, row: id, kind: .delete, fields: [:], hlc: hlc,
                replica: session.replica),
        ]
        let verdicts = try await server.service.push(PushRequest(ops: direct), session: session).verdicts
        #expect(verdicts.map(\.status) == [.rejected, .rejected, .rejected])
        #expect(verdicts.map(\.code) == [.forbidden, .invalidTransition, .forbidden])
        let stored = try await server.storage.read { try $0.state(table, id: id) }
        #expect(stored?.values[field] == .text(published))
        #expect(stored?.values["state"] == .text("published"))
        #expect(stored?.tombstone == nil)
    }

    @Test(
        "a ministry's edit of a published progress update is a revision; the server itself refuses a direct change"
    )
    func progressUpdateRevision() async throws {
        let (desk, action) = try await Self.publishedAction()
        let (ministry, secretariat, ngo) = (desk["moj"], desk["nmirf"], desk["ngo"])
        let update = try ministry.reportProgress(NewProgressUpdate(action: action, narrative: "Bill drafted"))
        try ministry.move(update, to: "submitted")
        try await desk.sync("moj", "nmirf")
        try secretariat.move(update, to: "published")
        try await desk.sync("nmirf", "moj", "ngo")
        #expect(try ngo.row("progress_update", id: update)?["narrative"] == .text("Bill drafted"))

        // The server's own verdict, on operations no replica checked: the ministry may change
        // neither the published text nor its state (no transition leads back out of published
        // but the secretariat's), and may not delete it.
        try await Self.expectServerRefusesDirectChanges(
            desk, "progress_update", id: update, field: "narrative", published: "Bill drafted")

        // Through the domain the edit becomes a revision the public reads only once published.
        guard
            case .revision(let revision) = try ministry.edit(
                "progress_update", id: update, fields: ["narrative": .text("Bill tabled in parliament")])
        else {
            Issue.record("an edit of a published progress update by a ministry must make a revision")
            return
        }
        #expect(try ministry.row("progress_update", id: revision)?["revision_of"] == .text(update))
        try ministry.move(revision, to: "submitted")
        try await desk.sync("moj", "nmirf", "ngo")
        #expect(try ngo.row("progress_update", id: update)?["narrative"] == .text("Bill drafted"))
        #expect(try ngo.row("progress_update", id: revision) == nil)
        #expect(try secretariat.revisions(of: "progress_update", id: update).map(\.id) == [revision])
        try secretariat.move(revision, to: "published")
        try await desk.sync("nmirf", "ngo", "moj")
        #expect(try ngo.row("progress_update", id: update)?["narrative"] == .text("Bill tabled in parliament"))
        #expect(try ministry.rejectedOperations().isEmpty)
        #expect(try secretariat.rejectedOperations().isEmpty)
    }

    @Test("a ministry's edit of a published government reply is a revision; the server itself refuses a direct change")
    func governmentReplyRevision() async throws {
        let (desk, rec) = try await Self.sharedRecommendation()
        let (ministry, secretariat, nhri, ngo) = (desk["moj"], desk["nmirf"], desk["nhri"], desk["ngo"])
        let assessment = try nhri.put(
            "assessment", fields: ["recommendation_id": .text(rec), "rating": .text("limited")])
        _ = try nhri.put("assessment", id: assessment, fields: ["state": .text("published")])
        try await desk.sync("nhri", "moj")
        let reply = try ministry.put(
            "assessment_reply", fields: ["assessment_id": .text(assessment), "text": .text("The bill is tabled")])
        try ministry.move(reply, to: "submitted")
        try await desk.sync("moj", "nmirf")
        try secretariat.move(reply, to: "published")
        try await desk.sync("nmirf", "moj", "ngo")
        #expect(try ngo.row("assessment_reply", id: reply)?["text"] == .text("The bill is tabled"))

        try await Self.expectServerRefusesDirectChanges(
            desk, "assessment_reply", id: reply, field: "text", published: "The bill is tabled")

        guard
            case .revision(let revision) = try ministry.edit(
                "assessment_reply", id: reply, fields: ["text": .text("The bill is adopted")])
        else {
            Issue.record("an edit of a published reply by a ministry must make a revision")
            return
        }
        try ministry.move(revision, to: "submitted")
        try await desk.sync("moj", "nmirf", "ngo")
        #expect(try ngo.row("assessment_reply", id: reply)?["text"] == .text("The bill is tabled"))
        #expect(try ngo.row("assessment_reply", id: revision) == nil)
        try secretariat.move(revision, to: "published")
        try await desk.sync("nmirf", "ngo", "moj")
        #expect(try ngo.row("assessment_reply", id: reply)?["text"] == .text("The bill is adopted"))
        #expect(try ministry.rejectedOperations().isEmpty)
        #expect(try secretariat.rejectedOperations().isEmpty)
    }

    @Test("a revision is never published itself, and names the row it revises for good")
    func revisionRules() async throws {
        let (desk, action) = try await Self.publishedAction()
        let ministry = desk["moj"]
        guard case .revision(let revision) = try ministry.edit("action", id: action, fields: ["title": .text("New")])
        else {
            Issue.record("expected a revision")
            return
        }
        #expect(throws: ReplicaError.self) {
            _ = try ministry.put("action", id: revision, fields: ["revision_of": .text(UUIDv7.make())])
        }
        try ministry.move(revision, to: "submitted")
        try await desk.sync("moj", "nmirf")
        // The rules refuse to publish the revision row as such, on the replica and on the server.
        #expect(throws: ReplicaError.self) {
            _ = try desk["nmirf"].put("action", id: revision, fields: ["state": .text("published")])
        }
    }

    @Test("a co-assigned ministry changes another ministry's submitted action but never deletes it")
    func coAssignedMinistryCannotDelete() async throws {
        let (desk, rec) = try await Self.sharedRecommendation()
        let secretariat = desk["nmirf"]
        let actions = try (0..<2).map { index in
            try desk["moj"].planAction(NewAction(recommendation: rec, title: "Legal aid fund \(index)"))
        }
        for action in actions { try desk["moj"].move(action, to: "submitted") }
        try await desk.sync("moj", "mof", "nmirf")

        let mof = desk["mof"]
        _ = try mof.put("action", id: actions[0], fields: ["description": .text("Costed by finance")])
        try mof.delete("action", id: actions[0])
        try await desk.sync("mof")
        let refused = try mof.rejectedOperations()
        #expect(refused.map(\.code) == [.forbidden])
        #expect(refused.first?.message.contains("deleted by owner, secretariat") == true, "\(refused)")
        #expect(try mof.row("action", id: actions[0])?["description"] == .text("Costed by finance"))

        // The owner deletes its own; the secretariat deletes any.
        try desk["moj"].delete("action", id: actions[1])
        try secretariat.delete("action", id: actions[0])
        try await desk.sync("moj", "nmirf", "mof")
        #expect(try desk["moj"].rejectedOperations().isEmpty)
        #expect(try secretariat.rejectedOperations().isEmpty)
        #expect(try mof.row("action", id: actions[0]) == nil)
        #expect(try mof.row("action", id: actions[1]) == nil)
    }
}
