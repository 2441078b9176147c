import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat
import Shared

extension Request {
    /// Reads the body (at most `maxBytes`, after gzip decompression) and decodes a wire message.
    ///
    /// Throws `payload_too_large`, `unsupported_encoding`, `malformed_json` or
    /// `malformed_request` as `APIError`s.
    func decodeWireBody<Message: Decodable>(_ type: Message.Type, maxBytes: Int) async throws -> Message {
        var buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw APIError(.payloadTooLarge, "the request body is larger than \(maxBytes) bytes")
        }
        switch headers[.contentEncoding]?.lowercased() {
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
        case .some(let other):
            throw APIError(.unsupportedEncoding, "content encoding '\(other)' is not supported; use gzip or none")
        }
        // Pushes are most of the traffic: read them by hand, and fall back to the decoder
        // (and its errors) for anything the hand-written reader does not take.
        if Message.self == PushRequest.self,
            let push = buffer.withUnsafeReadableBytes({ WireJSONReader.pushRequest($0) }) as? Message
        {
            return push
        }
        do {
            return try WireCoding.decoder().decode(Message.self, from: Data(buffer: buffer))
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

/// Builds JSON answers, gzip-compressed when the client accepts it and the body is large.
enum WireResponse {
    /// Bodies smaller than this are sent uncompressed.
    static let compressionThreshold = 1024

    static func json<Message: Encodable>(
        _ message: Message, for request: Request, status: HTTPResponse.Status = .ok
    ) throws -> Response {
        json(bytes: try WireCoding.encoder().encode(message), for: request, status: status)
    }

    /// Answers JSON already written (by `WireJSON`).
    static func json(
        bytes: some Sequence<UInt8>, for request: Request, status: HTTPResponse.Status = .ok
    ) -> Response {
        var buffer = ByteBuffer(bytes: bytes)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        let acceptsGzip = request.headers[values: .acceptEncoding].contains { $0.lowercased().contains("gzip") }
        if acceptsGzip && buffer.readableBytes >= compressionThreshold,
            let compressed = try? buffer.compress(with: .gzip())
        {
            buffer = compressed
            headers[.contentEncoding] = "gzip"
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }
}
