import Client
import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Shared
import Synchronization
import Testing

/// What the client's HTTP transport refuses to do with its push body, its token and answers.
@Suite("Transport safety")
struct TransportSafetyTests {
    @Test("a redirect is not followed: the push body and the token stay with the server the replica knows")
    func noRedirects() async throws {
        let hits = Mutex(0)
        let elsewhere = Router()
        elsewhere.post("v1/push") { _, _ -> HTTPResponse.Status in
            hits.withLock { $0 += 1 }
            return .ok
        }
        try await Application(router: elsewhere, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            .test(.live) { other in
                let target = "http://127.0.0.1:\(try #require(other.port))/v1/push"
                let redirecting = Router()
                redirecting.post("v1/push") { _, _ in
                    Response(status: .temporaryRedirect, headers: [.location: target])
                }
                try await Application(
                    router: redirecting, configuration: .init(address: .hostname("127.0.0.1", port: 0))
                ).test(.live) { server in
                    let transport = HTTPSyncTransport(
                        baseURL: "http://127.0.0.1:\(try #require(server.port))", token: "secret-token")
                    do {
                        _ = try await transport.push(PushRequest(ops: []))
                        Issue.record("a redirected push was taken as answered")
                    } catch let error as TransportError {
                        #expect(error.status == 307)
                    }
                }
            }
        #expect(hits.withLock { $0 } == 0)
    }

    @Test("an answer over the cap once decompressed is refused, however small it came")
    func answerCapAfterDecompressing() async throws {
        let router = Router()
        router.post("v1/pull") { _, _ in
            var plain = ByteBuffer(repeating: UInt8(ascii: " "), count: 4_097)
            let compressed = try plain.compress(with: .gzip())
            return Response(
                status: .ok, headers: [.contentEncoding: "gzip", .contentType: "application/json"],
                body: .init(byteBuffer: compressed))
        }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            .test(.live) { server in
                var transport = HTTPSyncTransport(
                    baseURL: "http://127.0.0.1:\(try #require(server.port))", token: "token")
                transport.maxResponseBytes = 4_096
                do {
                    _ = try await transport.pull(PullRequest(cursor: 0))
                    Issue.record("an answer one byte over the cap was read")
                } catch let error as TransportError {
                    #expect(error.code == .malformedResponse)
                    #expect(error.message.contains("larger than 4096 bytes"))
                }
            }
    }

    @Test("plain http is fine on this machine and warned about across a network")
    func cleartext() {
        #expect(HTTPSyncTransport.isCleartextOverNetwork("http://example.org:8080"))
        #expect(HTTPSyncTransport.isCleartextOverNetwork("HTTP://10.0.0.5"))
        #expect(!HTTPSyncTransport.isCleartextOverNetwork("https://followup.example.org"))
        #expect(!HTTPSyncTransport.isCleartextOverNetwork("http://127.0.0.1:8080"))
        #expect(!HTTPSyncTransport.isCleartextOverNetwork("http://localhost:8080"))
        #expect(!HTTPSyncTransport.isCleartextOverNetwork("http://[::1]:8080"))
    }
}
