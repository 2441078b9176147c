import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Shared
import TestSupport
import Testing

@testable import Server

/// Refusals over a real HTTP connection, on the SQLite store, each changing nothing stored.
///
/// The daily quota's 429, texts with control characters, and operation ids used again.
@Suite("Refusals over HTTP change nothing stored")
struct HTTPRefusalTests {
    /// Signs `user` in with `password`.
    static func signIn(_ client: some TestClientProtocol, _ user: String, _ password: String) async throws
        -> LoginResponse
    {
        let answer = try await send(
            client, .post, "/v1/login", body: try json(LoginRequest(user: user, password: password)))
        #expect(answer.status == .ok)
        return try WireCoding.decoder().decode(LoginResponse.self, from: Data(buffer: answer.body))
    }

    /// Pushes `operations` and decodes the verdicts.
    static func push(_ client: some TestClientProtocol, _ operations: [SyncOperation], token: String) async throws
        -> [Verdict]
    {
        let answer = try await send(
            client, .post, "/v1/push", body: try json(PushRequest(ops: operations)), token: token)
        #expect(answer.status == .ok)
        return try WireCoding.decoder().decode(PushResponse.self, from: Data(buffer: answer.body)).verdicts
    }

    /// The text of recommendation `id` as the server's merged state holds it.
    static func storedText(_ id: String, in storage: SQLiteServerStorage) async throws -> FieldValue? {
        try await storage.read { try $0.state("recommendation", id: id) }?.values["text"]
    }

    @Test("past the daily quota a push is answered 429 with Retry-After: the seconds to the next UTC midnight")
    func quotaOverHTTP() async throws {
        let fixture = try await ServerFixture(dailyQuotaBytes: 30_000)
        try await fixture.storage.addOrganisation(id: "ngo", name: "NGO", kind: .ngo)
        try await fixture.storage.addUser(
            name: "omar", org: "ngo", passwordHash: try await Credentials(bcryptCost: 4).hashPassword("omar-pass"))
        fixture.clock.advance(by: 1_234)  // not a whole second past midnight
        try await fixture.app.test(.live) { client in
            let session = try await Self.signIn(client, "omar", "omar-pass")
            let text = String(repeating: "Detention conditions in the north. ", count: 300)  // about 10 kB
            func submission() -> SyncOperation {
                SyncOperation(
                    id: UUIDv7.make(), table: "submission", row: UUIDv7.make(), kind: .upsert,
                    fields: ["text": .text(text)], hlc: HLCTimestamp(physical: fixture.clock.nowMillis()),
                    replica: session.replica)
            }
            let first = try await Self.push(client, [submission(), submission()], token: session.token)
            #expect(first.allSatisfy { $0.status == .accepted })
            let logged = try await fixture.storage.operationCount()

            let over = [submission(), submission()]
            let refused = try await client.execute(
                uri: "/v1/push", method: .post, headers: [.authorization: "Bearer \(session.token)"],
                body: try json(PushRequest(ops: over))
            ) { $0 }
            #expect(refused.status == .tooManyRequests)
            let code = try WireCoding.decoder().decode(ErrorBody.self, from: Data(buffer: refused.body)).error.code
            #expect(code == .quotaExceeded)
            // The next UTC midnight, reckoned with the calendar rather than the server's arithmetic.
            let now = Date(timeIntervalSince1970: Double(fixture.clock.nowMillis()) / 1000)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let midnight = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: now))!
            let expected = Int(midnight.timeIntervalSince(now).rounded(.up))
            #expect(expected == 57_599)
            #expect(refused.headers[.retryAfter] == "\(expected)")
            #expect(try await fixture.storage.operationCount() == logged)
            for operation in over {
                #expect(try await fixture.storage.read { try $0.state("submission", id: operation.row) } == nil)
            }
        }
    }

    @Test("a text holding NUL or ESC, in a hand-written body, is refused invalid_value; neither log nor rows keep it")
    func controlCharactersOverHTTP() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app.test(.live) { client in
            let session = try await login(client)
            let hlc = HLCTimestamp(physical: fixture.clock.nowMillis()).description
            /// A push body of one recommendation whose text is `escaped` (JSON string content).
            func body(_ escaped: String, row: String) -> ByteBuffer {
                ByteBuffer(
                    string: """
                        {"ops": [{"fields": {"text": "\(escaped)"}, "hlc": "\(hlc)", "id": "\(UUIDv7.make())", \
                        "kind": "upsert", "replica": "\(session.replica)", "row": "\(row)", "table": "recommendation"}]}
                        """)
            }
            let logged = try await fixture.storage.operationCount()
            for escaped in [#"Before\u0000after"#, #"Clear \u001b[2J the screen"#] {
                let row = UUIDv7.make()
                let answer = try await send(
                    client, .post, "/v1/push", body: body(escaped, row: row), token: session.token)
                #expect(answer.status == .ok)
                let verdicts = try WireCoding.decoder().decode(PushResponse.self, from: Data(buffer: answer.body))
                    .verdicts
                #expect(verdicts.map(\.status) == [.rejected])
                #expect(verdicts.map(\.code) == [.invalidValue])
                #expect(try await Self.storedText(row, in: fixture.storage) == nil)
                #expect(try await fixture.storage.operationCount() == logged)
            }
            // A raw NUL byte inside a JSON string is not JSON at all.
            let rawRow = UUIDv7.make()
            let raw = try await send(
                client, .post, "/v1/push", body: body("Before\u{0}after", row: rawRow), token: session.token)
            #expect(raw.status == .badRequest)
            #expect(raw.code == .malformedRequest)
            #expect(try await Self.storedText(rawRow, in: fixture.storage) == nil)
            #expect(try await fixture.storage.operationCount() == logged)

            // The control: the same body with a tab and a line feed is accepted and stored whole.
            let row = UUIDv7.make()
            let accepted = try await send(
                client, .post, "/v1/push", body: body(#"Before\tafter\n"#, row: row), token: session.token)
            let verdicts = try WireCoding.decoder().decode(PushResponse.self, from: Data(buffer: accepted.body))
                .verdicts
            #expect(verdicts.map(\.status) == [.accepted])
            #expect(try await Self.storedText(row, in: fixture.storage) == .text("Before\tafter\n"))
            #expect(try await fixture.storage.operationCount() == logged + 1)
        }
    }

    @Test("an operation id used again with other content, another table or a delete is refused operation_reused")
    func operationIdReplayOverHTTP() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app.test(.live) { client in
            let session = try await login(client)
            let hlc = HLCTimestamp(physical: fixture.clock.nowMillis())
            let original = SyncOperation(
                id: UUIDv7.make(), table: "recommendation", row: UUIDv7.make(), kind: .upsert,
                fields: ["text": .text("Original text")], hlc: hlc, replica: session.replica)
            let first = try await Self.push(client, [original], token: session.token)
            #expect(first.map(\.status) == [.accepted])
            let logged = try await fixture.storage.operationCount()

            var otherContent = original
            otherContent.fields = ["text": .text("Replaced text")]
            var otherTable = original
            otherTable.table = "action"
            otherTable.fields = ["title": .text("Replaced title")]
            var asDelete = original
            asDelete.kind = .delete
            asDelete.fields = [:]
            for reused in [otherContent, otherTable, asDelete] {
                let verdicts = try await Self.push(client, [reused], token: session.token)
                #expect(verdicts.map(\.status) == [.rejected])
                #expect(verdicts.map(\.code) == [.operationReused])
            }
            #expect(try await Self.storedText(original.row, in: fixture.storage) == .text("Original text"))
            #expect(try await fixture.storage.read { try $0.state("action", id: original.row) } == nil)
            #expect(try await fixture.storage.operationCount() == logged)

            // The control: the very same operation sent again is accepted, at its first sequence.
            let again = try await Self.push(client, [original], token: session.token)
            #expect(again.map(\.status) == [.accepted])
            #expect(again.map(\.seq) == first.map(\.seq))
            #expect(try await fixture.storage.operationCount() == logged)
        }
    }
}
