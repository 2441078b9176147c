import CompressNIO
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import RowStorage
import Server
import Shared
import TestSupport
import Testing

/// A server over an in-memory store with one secretariat user, and a manual clock; what it
/// logs is kept in `log`.
struct ServerFixture {
    let storage: SQLiteServerStorage
    let files: DirectoryEvidenceStore
    let clock = ManualWallClock(millis: 1_800_000_000_000)
    let configuration: ServerConfiguration
    let log = CapturedLog()

    init(
        maxBodyBytes: Int = 64 * 1024, dailyQuotaBytes: Int64? = 256 * 1024 * 1024, trustedProxies: Set<String> = []
    ) async throws {
        var configuration = ServerConfiguration(
            port: 0, limits: WireLimits(maxPushBytes: maxBodyBytes), maxClockSkewMillis: 60_000,
            logLevel: LiveServer.logLevel, dailyQuotaBytes: dailyQuotaBytes)
        configuration.trustedProxies = trustedProxies
        self.configuration = configuration
        storage = try SQLiteServerStorage(writer: DatabaseQueue(), policy: .standard, clock: clock)
        files = try DirectoryEvidenceStore(root: try temporaryDirectory("bad-input-files"))
        try await storage.addOrganisation(id: "nmirf", name: "Secretariat", kind: .secretariat)
        try await storage.addUser(
            name: "sara", org: "nmirf", passwordHash: try await Credentials(bcryptCost: 4).hashPassword("correct horse")
        )
    }

    var app: some ApplicationProtocol {
        buildApplication(
            configuration, storage: storage, files: files, credentials: Credentials(bcryptCost: 4), clock: clock,
            logger: log.logger())
    }
}

/// Sends a request and returns the status, the body and the decoded error code if any.
func send(
    _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, body: ByteBuffer? = nil,
    token: String? = nil, headers extra: HTTPFields = [:]
) async throws -> (status: HTTPResponse.Status, body: ByteBuffer, code: ErrorCode?) {
    var headers = extra
    if let token { headers[.authorization] = "Bearer \(token)" }
    return try await client.execute(uri: path, method: method, headers: headers, body: body) { response in
        let code = try? WireCoding.decoder().decode(ErrorBody.self, from: Data(buffer: response.body)).error.code
        return (response.status, response.body, code)
    }
}

func json(_ value: some Encodable) throws -> ByteBuffer {
    ByteBuffer(data: try WireCoding.encoder().encode(value))
}

func login(_ client: some TestClientProtocol) async throws -> LoginResponse {
    let answer = try await send(
        client, .post, "/v1/login", body: try json(LoginRequest(user: "sara", password: "correct horse")))
    #expect(answer.status == .ok)
    return try WireCoding.decoder().decode(LoginResponse.self, from: Data(buffer: answer.body))
}

@Suite("Bad input is refused with its code and changes nothing")
struct BadInputTests {
    @Test("sign-in: wrong password, unknown user, missing and invalid tokens")
    func authentication() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app.test(.router) { client in
            let wrong = try await send(
                client, .post, "/v1/login", body: try json(LoginRequest(user: "sara", password: "nope")))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.code == .invalidCredentials)
            let unknown = try await send(
                client, .post, "/v1/login", body: try json(LoginRequest(user: "zed", password: "nope")))
            #expect(unknown.code == .invalidCredentials)
            let pull = try json(PullRequest(cursor: 0))
            let missing = try await send(client, .post, "/v1/pull", body: pull)
            #expect(missing.status == .unauthorized)
            #expect(missing.code == .unauthorized)
            let invalid = try await send(client, .post, "/v1/pull", body: pull, token: "forged")
            #expect(invalid.status == .unauthorized)
            #expect(invalid.code == .unauthorized)
            let session = try await login(client)
            #expect(try await send(client, .post, "/v1/pull", body: pull, token: session.token).status == .ok)
            // The scheme's name is case-insensitive.
            let lower = try await send(
                client, .post, "/v1/pull", body: pull, headers: [.authorization: "bearer \(session.token)"])
            #expect(lower.status == .ok)
            let spaced = try await send(
                client, .post, "/v1/pull", body: pull, headers: [.authorization: "Bearer  \(session.token) "])
            #expect(spaced.status == .ok)
            // Disabling the user stops the token at once, and the replica is told why.
            try await fixture.storage.setUserDisabled(name: "sara", disabled: true)
            let disabled = try await send(client, .post, "/v1/pull", body: pull, token: session.token)
            #expect(disabled.status == .forbidden)
            #expect(disabled.code == .accountDisabled)
            let relogin = try await send(
                client, .post, "/v1/login", body: try json(LoginRequest(user: "sara", password: "correct horse")))
            #expect(relogin.status == .forbidden)
            #expect(relogin.code == .accountDisabled)
        }
    }

    @Test("file endpoints refuse a missing token, a name that is no hash, missing headers and bad ranges")
    func fileRequests() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app.test(.router) { client in
            let token = try await login(client).token
            let bytes = ByteBuffer(string: "Prison visit report")
            let hash = ContentHash.of(Data("Prison visit report".utf8))
            let upload: HTTPFields = [HTTPField.Name("Upload-Offset")!: "0", HTTPField.Name("Upload-Length")!: "19"]
            for method in [HTTPRequest.Method.head, .patch, .get] {
                let anonymous = try await send(client, method, "/v1/files/\(hash)", body: bytes, headers: upload)
                #expect(anonymous.status == .unauthorized)
            }
            let notAHash = try await send(
                client, .patch, "/v1/files/ABC", body: bytes, token: token, headers: upload)
            #expect(notAHash.code == .malformedRequest)
            let headless = try await send(client, .patch, "/v1/files/\(hash)", body: bytes, token: token)
            #expect(headless.code == .malformedRequest)
            var compressed = upload
            compressed[.contentEncoding] = "gzip"
            let gzipped = try await send(
                client, .patch, "/v1/files/\(hash)", body: bytes, token: token, headers: compressed)
            #expect(gzipped.code == .unsupportedEncoding)
            let longer = try await send(
                client, .patch, "/v1/files/\(hash)", body: ByteBuffer(string: "Prison visit report, annex"),
                token: token, headers: upload)
            #expect(longer.code == .malformedRequest)
            #expect(try fixture.files.receivedBytes(hash, uploader: "nmirf") == 0)
            // Nobody's attachment names the file: it is not found, whatever the range.
            let stored = try await send(client, .patch, "/v1/files/\(hash)", body: bytes, token: token, headers: upload)
            #expect(stored.status == .ok)
            for range in ["bytes=0-", "pages=1", "bytes=5-2"] {
                let answer = try await send(
                    client, .get, "/v1/files/\(hash)", token: token, headers: [.range: range])
                #expect(answer.status == (range == "bytes=0-" ? .notFound : .badRequest), "\(range)")
            }
        }
    }

    @Test("malformed, mistyped, oversized and unknown input leave the store unchanged")
    func malformed() async throws {
        let fixture = try await ServerFixture()
        let emptyDigest = try await fixture.storage.digest()
        let logged = try await fixture.storage.operationCount()
        try await fixture.app.test(.router) { client in
            let session = try await login(client)
            let token = session.token
            func push(_ text: String) async throws -> (HTTPResponse.Status, ErrorCode?) {
                let answer = try await send(client, .post, "/v1/push", body: ByteBuffer(string: text), token: token)
                return (answer.status, answer.code)
            }
            #expect(try await push("{not json") == (.badRequest, .malformedJSON))
            #expect(try await push("") == (.badRequest, .malformedJSON))
            #expect(try await push(#"{"ops": "x"}"#) == (.badRequest, .malformedRequest))
            #expect(try await push(#"{"ops": [{"id": 1}]}"#) == (.badRequest, .malformedRequest))
            let badHLC = #"""
                {"ops": [{"id": "01a22283-fcfa-7f35-b833-4ec80c9c148d", "table": "action", "row": "01a22283-fcfa-7f35-b833-4ec80c9c148e",
                 "kind": "upsert", "fields": {"title": "t"}, "hlc": 1800000000000, "replica": "x"}]}
                """#
            #expect(try await push(badHLC) == (.badRequest, .malformedRequest))
            let nested = badHLC.replacingOccurrences(of: "1800000000000", with: "\"001800000000000-00000\"")
                .replacingOccurrences(of: #""title": "t""#, with: #""title": {"a": 1}"#)
            #expect(try await push(nested) == (.badRequest, .malformedRequest))
            #expect(try await push(#"{"ops": [{"id": "x", "kind": "explode"}]}"#) == (.badRequest, .malformedRequest))

            let oversized = String(repeating: " ", count: 70 * 1024) + #"{"ops": []}"#
            #expect(try await push(oversized) == (.contentTooLarge, .payloadTooLarge))

            var bomb = ByteBuffer(repeating: UInt8(ascii: " "), count: 1024 * 1024)
            let compressed = try bomb.compress(with: .gzip())
            let bombAnswer = try await send(
                client, .post, "/v1/push", body: compressed, token: token, headers: [.contentEncoding: "gzip"])
            #expect(bombAnswer.code == .payloadTooLarge)
            // The size is checked after decompressing, to the byte, not in the decompressor's steps.
            let maxBodyBytes = fixture.configuration.limits.maxPushBytes
            for size in [maxBodyBytes + 1, maxBodyBytes + maxBodyBytes / 4, 2 * maxBodyBytes - 1] {
                var just = ByteBuffer(repeating: UInt8(ascii: " "), count: size)
                let answer = try await send(
                    client, .post, "/v1/push", body: try just.compress(with: .gzip()), token: token,
                    headers: [.contentEncoding: "gzip"])
                #expect(answer.code == .payloadTooLarge, "a body of \(size) bytes once decompressed")
            }
            var atLimit = ByteBuffer(repeating: UInt8(ascii: " "), count: maxBodyBytes)
            let atLimitAnswer = try await send(
                client, .post, "/v1/push", body: try atLimit.compress(with: .gzip()), token: token,
                headers: [.contentEncoding: "gzip"])
            #expect(atLimitAnswer.code == .malformedJSON)
            let brotli = try await send(
                client, .post, "/v1/push", body: ByteBuffer(string: "{}"), token: token,
                headers: [.contentEncoding: "br"])
            #expect(brotli.code == .unsupportedEncoding)

            let notFound = try await send(client, .get, "/v1/nothing-here")
            #expect(notFound.status == .notFound)
            #expect(notFound.code == .notFound)

            #expect(try await send(client, .get, "/v1/health").status == .ok)
        }
        #expect(try await fixture.storage.operationCount() == logged)
        #expect(try await fixture.storage.digest() == emptyDigest)
    }

    @Test("a push of more operations than allowed is refused whole")
    func batchTooLarge() async throws {
        let fixture = try await ServerFixture(maxBodyBytes: 8 * 1024 * 1024)
        let logged = try await fixture.storage.operationCount()
        try await fixture.app.test(.router) { client in
            let session = try await login(client)
            let token = session.token
            let tooMany = PushRequest(
                ops: (0...PushRequest.maxOperations).map { _ in
                    SyncOperation(
                        id: UUIDv7.make(), table: "action", row: UUIDv7.make(), kind: .delete,
                        hlc: HLCTimestamp(physical: 1), replica: session.replica)
                })
            var batch = try json(tooMany)
            let batchAnswer = try await send(
                client, .post, "/v1/push", body: try batch.compress(with: .gzip()), token: token,
                headers: [.contentEncoding: "gzip"])
            #expect(batchAnswer.code == .batchTooLarge)

        }
        #expect(try await fixture.storage.operationCount() == logged)
    }

    @Test("operations outside the rules get per-operation verdicts; the good ones are kept")
    func verdicts() async throws {
        let fixture = try await ServerFixture()
        let logged = try await fixture.storage.operationCount()
        try await fixture.app.test(.router) { client in
            let session = try await login(client)
            let now = fixture.clock.nowMillis()
            func op(
                _ fields: [String: FieldValue], table: String = "action", hlc: Int64? = nil, replica: String? = nil
            ) -> SyncOperation {
                SyncOperation(
                    id: UUIDv7.make(millis: now), table: table, row: UUIDv7.make(millis: now), kind: .upsert,
                    fields: fields, hlc: HLCTimestamp(physical: hlc ?? now), replica: replica ?? session.replica)
            }
            let good = op(["title": .text("Draft the bill")])
            var forgedAuthor = op(["title": .text("Signed by someone else")])
            forgedAuthor.author = "mallory"
            forgedAuthor.org = "other-org"
            forgedAuthor.seq = 99
            let ops = [
                op(["title": .text("x")], table: "no_such_table"),
                op(["no_such_column": .text("x")]),
                op(["title": .integer(42)]),
                op(["status": .text("planned")]),
                op(["title": .text("x"), "owner_org": .text("moj")]),
                op(["title": .text("from the future")], hlc: now + 3 * 86_400_000),
                op(["title": .text("forged replica")], replica: UUIDv7.make()),
                good,
                forgedAuthor,
            ]
            let answer = try await send(
                client, .post, "/v1/push", body: try json(PushRequest(ops: ops)), token: session.token)
            #expect(answer.status == .ok)
            let response = try WireCoding.decoder().decode(PushResponse.self, from: Data(buffer: answer.body))
            #expect(
                response.verdicts.map(\.code) == [
                    .unknownTable, .unknownColumn, .invalidValue, .missingRequiredField, .readOnlyColumn, .clockSkew,
                    .forgedReplica, nil, nil,
                ])
            #expect(response.verdicts.map(\.op) == ops.map(\.id))
            #expect(response.verdicts.allSatisfy { $0.status == .accepted || $0.message?.isEmpty == false })
            #expect(response.serverTime == now)

            // Re-sending an accepted operation answers the same verdict and stores nothing new.
            let again = try await send(
                client, .post, "/v1/push", body: try json(PushRequest(ops: [good])), token: session.token)
            let replay = try WireCoding.decoder().decode(PushResponse.self, from: Data(buffer: again.body))
            #expect(replay.verdicts == [response.verdicts[7]])

            // The log holds the two good operations, stamped with the session's identity.
            let log = try await fixture.storage.operations(after: 0, limit: 5_000).operations
            // The operator's reference rows come first; then the two accepted operations.
            let pushed = Array(log.dropFirst(logged))
            #expect(log.prefix(logged).allSatisfy { $0.author == "_operator" })
            #expect(pushed.map(\.id) == [good.id, forgedAuthor.id])
            #expect(pushed.allSatisfy { $0.author == "sara" && $0.org == "nmirf" && $0.replica == session.replica })
            #expect(pushed.map(\.seq) == [Int64(logged + 1), Int64(logged + 2)])
            #expect(pushed[0].fields["owner_org"] == .text("nmirf"))
            #expect(pushed[0].fields["created_by"] == .text("sara"))

            // A pull sends the rows whole, with the owner and author the server stamped.
            let pull = try await send(
                client, .post, "/v1/pull", body: try json(PullRequest(cursor: 0)), token: session.token)
            let page = try WireCoding.decoder().decode(PullResponse.self, from: Data(buffer: pull.body))
            let rows = page.changes.filter { change in pushed.contains { $0.row == change.row } }
            #expect(rows.count == Set(pushed.map(\.row)).count)
            #expect(
                rows.allSatisfy { $0.fields["owner_org"] == .text("nmirf") && $0.fields["created_by"] == .text("sara") }
            )
            #expect(page.more == false)
            #expect(page.org == "nmirf" && page.orgKind == "secretariat")
        }
        #expect(try await fixture.storage.operationCount() == logged + 2)
    }

    @Test("gzip works both ways")
    func gzip() async throws {
        let fixture = try await ServerFixture()
        let logged = try await fixture.storage.operationCount()
        try await fixture.app.test(.router) { client in
            let session = try await login(client)
            let now = fixture.clock.nowMillis()
            let ops = (0..<50).map { index in
                SyncOperation(
                    id: UUIDv7.make(millis: now), table: "recommendation", row: UUIDv7.make(millis: now), kind: .upsert,
                    fields: ["text": .text("Recommendation \(index): strengthen the independence of the NHRI")],
                    hlc: HLCTimestamp(physical: now, logical: UInt16(index)), replica: session.replica)
            }
            var body = try json(PushRequest(ops: ops))
            let pushed = try await send(
                client, .post, "/v1/push", body: try body.compress(with: .gzip()), token: session.token,
                headers: [.contentEncoding: "gzip"])
            #expect(pushed.status == .ok)
            let pulled = try await send(
                client, .post, "/v1/pull", body: try json(PullRequest(cursor: 0)), token: session.token,
                headers: [.acceptEncoding: "gzip"])
            var compressed = pulled.body
            let page = try WireCoding.decoder().decode(
                PullResponse.self, from: Data(buffer: try compressed.decompress(with: .gzip())))
            #expect(page.changes.count == logged + 50)
        }
    }
}
