import Client
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Shared
import TestSupport
import Testing

@testable import Desk

/// A desk over a replica, as `app.test(.router)` drives it.
struct DeskFixture: Sendable {
    let replica: Replica
    let deskGuard: DeskGuard
    let renderer: PageRenderer
    let monitor = SyncMonitor()
    /// A recommendation on the replica.
    let recommendation: String
    /// The largest evidence file the desk accepts.
    var maxFileBytes = DeskConfiguration.defaultMaxFileBytes

    init(replica: Replica, recommendation: String, hosts: Set<String> = ["localhost"]) throws {
        self.replica = replica
        self.recommendation = recommendation
        deskGuard = DeskGuard(hosts: hosts)
        renderer = try PageRenderer()
    }

    /// A desk over a synced secretariat replica holding a recommendation whose text is a script.
    static func secretariat(hosts: Set<String> = ["localhost"]) async throws -> DeskFixture {
        let server = try await InProcessServer()
        let (replica, engine) = try await server.replica(user: "sara", org: "nmirf", clock: SystemWallClock())
        _ = try await engine.sync()
        let recommendation = try replica.put(
            "recommendation", fields: ["text": .text("<script>alert('x')</script> Protect defenders")])
        return try DeskFixture(replica: replica, recommendation: recommendation, hosts: hosts)
    }

    /// The desk's routes as an application for `test(.router)`.
    var application: some ApplicationProtocol {
        Application(
            router: buildDeskRouter(
                replica: replica, deskGuard: deskGuard, monitor: monitor, renderer: renderer,
                maxFileBytes: maxFileBytes))
    }

    /// Opens a session the way the browser does with the printed address; the cookie header to send.
    func enter(_ client: some TestClientProtocol) async throws -> String {
        let response = try await client.execute(uri: "/enter?key=\(deskGuard.entrySecret)", method: .get)
        #expect(response.status == .seeOther)
        let cookie = try #require(response.headers[.setCookie])
        return String(cookie.split(separator: ";")[0])
    }

    /// The CSRF token of the session behind `cookie`.
    func csrf(_ cookie: String) -> String {
        deskGuard.csrfToken(forSession: String(cookie.split(separator: "=")[1]))
    }

    /// POSTs a form with the session cookie.
    func post(
        _ client: some TestClientProtocol, _ path: String, cookie: String, form: String
    ) async throws -> TestResponse {
        try await client.execute(
            uri: path, method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: form))
    }

    /// POSTs a `multipart/form-data` form with the session cookie: text `fields`, then a file
    /// `file` named `fileName` holding `bytes` (none when `fileName` is nil).
    func upload(
        _ client: some TestClientProtocol, _ path: String, cookie: String, fields: [(String, String)],
        fileName: String?, bytes: [UInt8] = []
    ) async throws -> TestResponse {
        let boundary = "----DeskTestBoundary7MA4YWxkTrZu0gW"
        var body = ByteBuffer()
        for (name, value) in fields {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        if let fileName {
            body.writeString(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n")
            body.writeBytes(bytes)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        return try await client.execute(
            uri: path, method: .post,
            headers: [.cookie: cookie, .contentType: "multipart/form-data; boundary=\(boundary)"], body: body)
    }

    /// GETs a page with the session cookie; its body.
    func page(_ client: some TestClientProtocol, _ path: String, cookie: String) async throws -> String {
        String(buffer: try await client.execute(uri: path, method: .get, headers: [.cookie: cookie]).body)
    }
}
