import Client
import Foundation
import Server
import Shared
import TestSupport
import Testing

/// What a row's versions tell the organisations that receive it (issue 14).
@Suite("Field versions name operations, never devices")
struct DeviceAnonymityTests {
    @Test("a pulled row's versions and a refusal's current row name no replica, only logged operations")
    func versionsNameNoDevice() async throws {
        let server = try await InProcessServer()
        let (sara, saraEngine) = try await server.replica(user: "sara", org: "nmirf", clock: SystemWallClock())
        let (malik, malikEngine) = try await server.replica(user: "malik", org: "moj", clock: SystemWallClock())
        _ = try await saraEngine.sync()
        let recommendation = try sara.put("recommendation", fields: ["text": .text("Ratify OPCAT")])
        _ = try sara.assign(NewAssignment(target: recommendation, institution: "moj", role: .lead))
        _ = try await saraEngine.sync()
        _ = try await malikEngine.sync()
        _ = try malik.put(
            "action", fields: ["title": .text("Draft the bill"), "recommendation_id": .text(recommendation)])
        // Refused (only the secretariat changes a recommendation): its verdict carries the row.
        _ = try malik.put("recommendation", id: recommendation, fields: ["text": .text("Ratify later")])
        let push = try await malikEngine.sync()
        _ = try await saraEngine.sync()
        #expect(push.rejected == 1)

        let replicas = [try sara.status().replica, try malik.status().replica]
        var logged: Set<String> = []
        var cursor: Int64 = 0
        while true {
            let page = try await server.storage.operations(after: cursor, limit: 1_000)
            logged.formUnion(page.operations.map(\.id))
            cursor = page.cursor
            if !page.more { break }
        }
        func checkWriters(_ change: RowChange, _ context: String) {
            for version in Array(change.versions.values) + [change.deleted].compactMap({ $0 }) {
                let writer = FieldVersion(version)?.writer ?? version
                #expect(!replicas.contains(writer), "\(context): \(change.table) \(version) names a device")
                #expect(logged.contains(writer), "\(context): \(change.table) \(version) names no logged operation")
            }
        }
        // A fresh device of each organisation pulls its whole scope, raw.
        var seen = 0
        for (user, org) in [("sara", "nmirf"), ("malik", "moj")] {
            let session = try await server.storage.openSession(
                user: user, replica: nil, deviceName: "probe", tokenHash: "probe-\(user)", now: server.clock.nowMillis()
            )
            var pullCursor: Int64 = 0
            while true {
                let page = try await server.service.pull(PullRequest(cursor: pullCursor), session: session)
                for change in page.changes where change.kind == .row {
                    seen += change.versions.count
                    checkWriters(change, org)
                }
                pullCursor = page.cursor
                if !page.more { break }
            }
        }
        #expect(seen > 10)
        // The refusal's `current` row, as a re-push of the refused edit gets it.
        let refused = try #require(try malik.rejectedOperations().first)
        let session = try await server.storage.openSession(
            user: "malik", replica: nil, deviceName: "probe", tokenHash: "probe-again", now: server.clock.nowMillis())
        var again = refused.operation
        again.id = UUIDv7.make()
        again.replica = session.replica
        let verdict = try #require(
            try await server.service.push(PushRequest(ops: [again]), session: session).verdicts.first)
        #expect(verdict.code == .forbidden)
        let current = try #require(verdict.current)
        #expect(!current.versions.isEmpty)
        checkWriters(current, "current")
    }
}
