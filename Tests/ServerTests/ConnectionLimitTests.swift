import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Server
import Shared
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP connection to the server under test, for what an HTTP client library hides.
///
/// Its calls block, so the tests make them on a thread of their own: on the few threads of
/// Swift's cooperative pool they would starve the server under test.
private final class RawConnection: Sendable {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(descriptor) }

    /// Whether the server closed the connection within `seconds` (a read answers end of file).
    func closedByServer(within seconds: Int) async -> Bool {
        await onOwnThread { self.waitForClose(seconds) }
    }

    /// Sends a health request and answers the status line.
    func health() async -> String? {
        await onOwnThread { self.askHealth() }
    }

    private func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }

    private func waitForClose(_ seconds: Int) -> Bool {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var byte: UInt8 = 0
        let read = recv(descriptor, &byte, 1, 0)
        return read == 0 || (read < 0 && errno == ECONNRESET)
    }

    private func askHealth() -> String? {
        let request = "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        _ = request.withCString { send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 512)
        let read = recv(descriptor, &buffer, buffer.count, 0)
        guard read > 0 else { return nil }
        return String(decoding: buffer[..<read], as: UTF8.self).components(separatedBy: "\r\n").first
    }
}

/// Idle connections are closed and their number capped, so a flood cannot stop the server.
@Suite("Connections")
struct ConnectionLimitTests {
    static func serve(
        idleTimeoutSeconds: Int, maxConnections: Int, _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        let storage = try SQLiteServerStorage(writer: DatabaseQueue(), policy: .standard, clock: SystemWallClock())
        let app = buildApplication(
            ServerConfiguration(
                port: 0, logLevel: LiveServer.logLevel, idleTimeoutSeconds: idleTimeoutSeconds,
                maxConnections: maxConnections),
            storage: storage,
            files: try DirectoryEvidenceStore(root: try temporaryDirectory("connection-files")),
            credentials: Credentials(bcryptCost: 4))
        try await app.test(.live) { client in
            try await body(try #require(client.port))
        }
    }

    @Test("a connection that sends nothing is closed after the idle timeout")
    func idleClosed() async throws {
        try await Self.serve(idleTimeoutSeconds: 2, maxConnections: 100) { port in
            let idle = try RawConnection(port: port)
            #expect(await idle.closedByServer(within: 10))
            // The server still serves. On a loaded machine a new connection may itself sit idle
            // past two seconds before the server reads it: a few tries, one answer is enough.
            var answers: [String?] = []
            for _ in 1...3 where !answers.contains("HTTP/1.1 200 OK") {
                answers.append(await (try RawConnection(port: port)).health())
            }
            #expect(answers.contains("HTTP/1.1 200 OK"), "\(answers)")
        }
    }

    @Test("connections over the cap are closed at once; the ones held still answer, and room comes back")
    func capped() async throws {
        try await Self.serve(idleTimeoutSeconds: 30, maxConnections: 3) { port in
            // Whatever the test client holds itself, no more than three are served at once.
            var held: [RawConnection] = []
            var refused = 0
            for _ in 1...5 {
                let connection = try RawConnection(port: port)
                if await connection.health() == "HTTP/1.1 200 OK" {
                    held.append(connection)
                } else {
                    refused += 1
                }
            }
            #expect((2...3).contains(held.count))
            #expect(refused >= 2)
            for connection in held { #expect(await connection.health() == "HTTP/1.1 200 OK") }
            held.removeAll()
            // The server notices the closes as its event loops get to them: on a loaded machine
            // that can take a while, so a few tries, one answer is enough.
            var answer: String?
            for _ in 1...20 where answer != "HTTP/1.1 200 OK" {
                try await Task.sleep(for: .milliseconds(300))
                answer = await (try RawConnection(port: port)).health()
            }
            #expect(answer == "HTTP/1.1 200 OK")
        }
    }
}
