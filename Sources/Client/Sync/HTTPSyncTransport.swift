import AsyncHTTPClient
import CompressNIO
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Shared
import Synchronization

/// Protocol v1 over HTTP with AsyncHTTPClient: JSON bodies, gzip both ways, bearer token.
public struct HTTPSyncTransport: SyncTransport {
    /// The server's base URL, such as `http://127.0.0.1:8080`.
    public var baseURL: String
    /// The bearer token.
    public var token: String?
    /// Request bodies at least this large are gzip-compressed.
    public var compressionThreshold = 1024
    /// The largest answer accepted (after decompression).
    public var maxResponseBytes = 256 * 1024 * 1024
    /// How long one request may take.
    public var timeout: TimeAmount = .seconds(120)
    /// The bytes this transport (and its copies) sent and received.
    public let traffic = Traffic()

    /// The process-wide HTTP client, which leaves responses compressed.
    ///
    /// Unlike `HTTPClient.shared`, it does not decompress: the transport does, with its own limit.
    /// It follows no redirect: a push body and a bearer token go to the server the replica was
    /// set up with, never to wherever an answer points (a redirect is an `http_3xx` error).
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(120)),
            decompression: .disabled))

    /// Whether `url` sends passwords and data in clear over a network: `http://` to a host other
    /// than this machine (`localhost`, `127.0.0.0/8`, `::1`).
    public static func isCleartextOverNetwork(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "http" else {
            return false
        }
        let host = (components.host ?? "").lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return !(host == "localhost" || host.hasSuffix(".localhost") || host == "::1" || host.hasPrefix("127."))
    }

    /// Creates a transport for `baseURL` with `token`.
    public init(baseURL: String, token: String?) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
    }

    public func push(_ request: PushRequest) async throws -> PushResponse {
        try await post("/v1/push", request, expecting: PushResponse.self)
    }

    public func push(encodedOperations: [String], org: String?) async throws -> PushResponse {
        // `{"ops":[…],"org":…}` is the whole of a push request; the objects are spliced in as stored.
        var body = Data("{\"ops\":[".utf8)
        body.reserveCapacity(encodedOperations.reduce(16) { $0 + $1.utf8.count + 1 })
        for (index, operation) in encodedOperations.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: operation.utf8)
        }
        body.append(contentsOf: "]".utf8)
        if let org {
            body.append(contentsOf: ",\"org\":".utf8)
            body.append(try WireCoding.encoder().encode(org))
        }
        body.append(contentsOf: "}".utf8)
        return try await send(path: "/v1/push", method: .POST, body: body, expecting: PushResponse.self)
    }

    public func pull(_ request: PullRequest) async throws -> PullResponse {
        try await post("/v1/pull", request, expecting: PullResponse.self)
    }

    /// Signs in; answers the session token and replica id.
    public func login(_ request: LoginRequest) async throws -> LoginResponse {
        try await post("/v1/login", request, expecting: LoginResponse.self)
    }

    /// Changes the signed-in user's password; the server revokes the user's other sessions.
    public func changePassword(_ request: PasswordChangeRequest) async throws -> PasswordChangeResponse {
        try await post("/v1/password", request, expecting: PasswordChangeResponse.self)
    }

    private func post<Body: Encodable, Answer: Decodable>(
        _ path: String, _ body: Body, expecting: Answer.Type
    ) async throws -> Answer {
        try await send(path: path, method: .POST, body: try WireCoding.encoder().encode(body), expecting: Answer.self)
    }

    private func send<Answer: Decodable>(
        path: String, method: HTTPMethod, body: Data?, expecting: Answer.Type
    ) async throws -> Answer {
        var headers = HTTPHeaders([("Accept", "application/json"), ("Accept-Encoding", "gzip")])
        var payload: ByteBuffer?
        if let body {
            var buffer = ByteBuffer(bytes: body)
            headers.add(name: "Content-Type", value: "application/json")
            if buffer.readableBytes >= compressionThreshold {
                buffer = try buffer.compress(with: .gzip())
                headers.add(name: "Content-Encoding", value: "gzip")
            }
            payload = buffer
        }
        let (_, buffer) = try await exchange(path: path, method: method, headers: headers, body: payload)
        return try Self.decode(Answer.self, from: Data(buffer: buffer))
    }

    /// Sends one request and answers the response's head and body, decompressed; a non-2xx
    /// answer throws its error body as a `TransportError`.
    func exchange(
        path: String, method: HTTPMethod, headers: HTTPHeaders = [:], body: ByteBuffer?
    ) async throws -> (HTTPClientResponse, ByteBuffer) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers = headers
        request.headers.add(name: "User-Agent", value: "followup/\(ProtocolVersion.current)")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body { request.body = .bytes(body) }
        let response: HTTPClientResponse
        do {
            response = try await Self.client.execute(request, timeout: timeout)
        } catch {
            throw TransportError(
                code: .unreachable, status: nil,
                message: "cannot reach the server at \(baseURL) (\(error)); your edits are kept and will sync later")
        }
        let tooLarge = TransportError(
            code: .malformedResponse, status: Int(response.status.code),
            message: "the server's answer is larger than \(maxResponseBytes) bytes; nothing of it was applied")
        var buffer = ByteBuffer()
        if method != .HEAD {
            do {
                buffer = try await response.body.collect(upTo: maxResponseBytes)
            } catch is NIOTooManyBytesError {
                throw tooLarge
            }
        }
        traffic.count(
            sent: Traffic.headerBytes(request.headers, firstLine: "\(method.rawValue) \(path) HTTP/1.1")
                + (body?.readableBytes ?? 0),
            received: Traffic.headerBytes(response.headers, firstLine: "HTTP/1.1 \(response.status)")
                + buffer.readableBytes)
        if response.headers.first(name: "Content-Encoding")?.lowercased() == "gzip" {
            do {
                buffer = try buffer.decompress(with: .gzip(), maxSize: maxResponseBytes)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw tooLarge
            } catch {
                throw TransportError(
                    code: .malformedResponse, status: Int(response.status.code),
                    message: "the server's gzip answer could not be decompressed")
            }
            // The decompressor's own bound is loose (it grows its buffer in steps): check the size.
            guard buffer.readableBytes <= maxResponseBytes else { throw tooLarge }
        }
        guard (200..<300).contains(response.status.code) else {
            if let error = try? WireCoding.decoder().decode(ErrorBody.self, from: Data(buffer: buffer)) {
                throw TransportError(
                    code: error.error.code, status: Int(response.status.code), message: error.error.message)
            }
            throw TransportError(
                code: .http(status: Int(response.status.code)), status: Int(response.status.code),
                message: "the server answered \(response.status.code) \(response.status.reasonPhrase)")
        }
        return (response, buffer)
    }

    /// Reads a successful answer as a protocol message.
    static func decode<Answer: Decodable>(_ type: Answer.Type, from data: Data) throws -> Answer {
        // Pull pages are read by hand; the decoder takes whatever that reader does not.
        if Answer.self == PullResponse.self, let page = WireJSONReader.pullResponse(data) as? Answer {
            return page
        }
        do {
            return try WireCoding.decoder().decode(Answer.self, from: data)
        } catch {
            throw TransportError(
                code: .malformedResponse, status: 200, message: "the server's answer could not be read (\(error))")
        }
    }
}

/// Bytes on the wire at the HTTP level: header lines and bodies as sent (compressed when they
/// were), not counting TCP/IP framing.
public final class Traffic: Sendable {
    private let counts = Mutex((sent: 0, received: 0))

    /// Creates a zeroed counter.
    public init() {}

    /// Bytes sent so far.
    public var sent: Int { counts.withLock { $0.sent } }
    /// Bytes received so far.
    public var received: Int { counts.withLock { $0.received } }

    func count(sent: Int, received: Int) {
        counts.withLock {
            $0.sent += sent
            $0.received += received
        }
    }

    /// The size of a message's start line and header lines, with their line ends and the blank line.
    static func headerBytes(_ headers: HTTPHeaders, firstLine: String) -> Int {
        headers.reduce(firstLine.utf8.count + 4) { $0 + $1.name.utf8.count + 2 + $1.value.utf8.count + 2 }
    }
}
