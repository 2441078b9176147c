import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat
import Shared

/// The sizes the wire codec accepts and the point from which it compresses, in one place.
public struct WireLimits: Sendable, Equatable {
    /// The largest push body accepted, in bytes, after decompression (`--max-body-bytes`).
    public var maxPushBytes: Int
    /// The largest body of any other request (sign-in, pull), in bytes, after decompression.
    public var maxSmallBodyBytes: Int
    /// Answers smaller than this are sent uncompressed, in bytes.
    public var compressionThreshold: Int

    /// The defaults: 8 MiB pushes, 64 KiB other requests, compression from 1 KiB.
    public init(
        maxPushBytes: Int = 8 * 1024 * 1024, maxSmallBodyBytes: Int = 64 * 1024, compressionThreshold: Int = 1024
    ) {
        self.maxPushBytes = maxPushBytes
        self.maxSmallBodyBytes = maxSmallBodyBytes
        self.compressionThreshold = compressionThreshold
    }
}

/// Reads a request body as a protocol message: at most the limit for its kind (after gzip
/// decompression), pushes by the hand-written reader, everything else by `JSONDecoder`.
///
/// Throws `payload_too_large`, `unsupported_encoding`, `malformed_json` or `malformed_request`
/// as `APIError`s.
public struct WireRequestDecoder: RequestDecoder, Sendable {
    /// The sizes accepted.
    public var limits: WireLimits

    /// Creates a decoder.
    public init(limits: WireLimits) {
        self.limits = limits
    }

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws
        -> T
    {
        let maxBytes = T.self == PushRequest.self ? limits.maxPushBytes : limits.maxSmallBodyBytes
        var buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw APIError(.payloadTooLarge, "the request body is larger than \(maxBytes) bytes")
        }
        switch request.headers[.contentEncoding]?.lowercased() {
        case nil, "identity":
            break
        case "gzip":
            do {
                buffer = try buffer.decompress(with: .gzip(), maxSize: maxBytes)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw APIError(.payloadTooLarge, "the request body is larger than \(maxBytes) bytes once decompressed")
            } catch {
                throw APIError(.malformedRequest, "the gzip request body could not be decompressed")
            }
            // The decompressor's own bound is loose (it grows its buffer in steps): check the size.
            guard buffer.readableBytes <= maxBytes else {
                throw APIError(.payloadTooLarge, "the request body is larger than \(maxBytes) bytes once decompressed")
            }
        case .some(let other):
            throw APIError(.unsupportedEncoding, "content encoding '\(other)' is not supported; use gzip or none")
        }
        // Pushes are most of the traffic: read them by hand, and fall back to the decoder
        // (and its errors) for anything the hand-written reader does not take.
        if T.self == PushRequest.self,
            let push = buffer.withUnsafeReadableBytes({ WireJSONReader.pushRequest($0) }) as? T
        {
            return push
        }
        do {
            return try WireCoding.decoder().decode(T.self, from: Data(buffer: buffer))
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            throw APIError(.malformedJSON, "the request body is not valid JSON")
        } catch let error as DecodingError {
            throw APIError(.malformedRequest, Self.describe(error))
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let components = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return components.isEmpty ? "the body" : components.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing '\(key.stringValue)' in \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            return "invalid value at \(path(context)): \(context.debugDescription)"
        @unknown default:
            return "the request does not match the protocol"
        }
    }
}

/// Writes protocol messages as JSON (pull pages by the hand-written writer), gzip-compressed
/// when the client accepts it and the body is at least `WireLimits.compressionThreshold`.
public struct WireResponseEncoder: ResponseEncoder, Sendable {
    /// The sizes that decide compression.
    public var limits: WireLimits

    /// Creates an encoder.
    public init(limits: WireLimits) {
        self.limits = limits
    }

    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws
        -> Response
    {
        let bytes: [UInt8]
        if let page = value as? PullResponse {
            bytes = WireJSON.encode(page)
        } else {
            bytes = Array(try WireCoding.encoder().encode(value))
        }
        var buffer = ByteBuffer(bytes: bytes)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        let acceptsGzip = request.headers[values: .acceptEncoding].contains { $0.lowercased().contains("gzip") }
        if acceptsGzip && buffer.readableBytes >= limits.compressionThreshold,
            let compressed = try? buffer.compress(with: .gzip())
        {
            buffer = compressed
            headers[.contentEncoding] = "gzip"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
    }
}

/// Protocol messages a route returns as its answer.
extension HealthResponse: ResponseEncodable {}
extension LoginResponse: ResponseEncodable {}
extension PushResponse: ResponseEncodable {}
extension PullResponse: ResponseEncodable {}
extension PasswordChangeResponse: ResponseEncodable {}
extension SignedTreeHead: ResponseEncodable {}
extension InclusionResponse: ResponseEncodable {}
extension ConsistencyResponse: ResponseEncodable {}
extension HistoryResponse: ResponseEncodable {}
