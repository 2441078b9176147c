import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import Shared

/// The evidence file endpoints of protocol v1, resumable in the style of tus:
/// `HEAD /v1/files/{sha256}` (bytes held), `PATCH /v1/files/{sha256}` (append at
/// `Upload-Offset`) and `GET /v1/files/{sha256}` (download, with `Range`).
struct FileRoutes {
    let evidence: EvidenceService
    let identity: IdentityService

    static let uploadOffset = HTTPField.Name("Upload-Offset")!
    static let uploadLength = HTTPField.Name("Upload-Length")!

    func add(to router: Router<FollowupRequestContext>) {
        let files = router.group("v1/files")
            .add(middleware: BearerAuthMiddleware(identity: identity))
            .group(context: AuthenticatedRequestContext.self)
        files.head(":sha256") { _, context -> Response in
            let held = try await evidence.offset(of: try context.parameters.require("sha256"), session: context.session)
            var headers: HTTPFields = [Self.uploadOffset: "\(held.offset)", .cacheControl: "no-store"]
            if held.complete { headers[Self.uploadLength] = "\(held.offset)" }
            return Response(status: .ok, headers: headers)
        }
        files.patch(":sha256") { request, context -> Response in
            let hash = try context.parameters.require("sha256")
            guard let offset = Self.integer(request.headers[Self.uploadOffset]),
                let length = Self.integer(request.headers[Self.uploadLength])
            else {
                throw APIError(.malformedRequest, "a file upload needs the headers Upload-Offset and Upload-Length")
            }
            guard (request.headers[.contentEncoding]?.lowercased() ?? "identity") == "identity" else {
                throw APIError(.unsupportedEncoding, "send a file's bytes as they are, without Content-Encoding")
            }
            let held = try await evidence.upload(
                request.body, to: hash, offset: offset, length: length, session: context.session)
            context.logger.info(
                "files.upload",
                metadata: [
                    "files.hash": .string(hash), "files.offset": "\(held.offset)", "files.complete": "\(held.complete)",
                ])
            var response = try context.responseEncoder.encode(held, from: request, context: context)
            response.headers[Self.uploadOffset] = "\(held.offset)"
            return response
        }
        files.get(":sha256") { request, context -> Response in
            let hash = try context.parameters.require("sha256")
            let range = try Self.range(request.headers[.range])
            let file = try await evidence.download(
                hash, first: range?.first ?? 0, last: range?.last, session: context.session)
            context.logger.debug(
                "files.download", metadata: ["files.hash": .string(hash), "files.bytes": "\(file.bytes.count)"])
            var headers: HTTPFields = [
                .contentType: "application/octet-stream", .acceptRanges: "bytes", .cacheControl: "no-store",
            ]
            var status = HTTPResponse.Status.ok
            if let range {
                status = .partialContent
                let last = range.first + Int64(file.bytes.count) - 1
                headers[.contentRange] = "bytes \(range.first)-\(last)/\(file.size)"
            }
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: file.bytes)))
        }
    }

    /// A non-negative decimal header value.
    static func integer(_ text: String?) -> Int64? {
        guard let text, !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int64(text)
    }

    /// The one range of a `Range: bytes=FIRST-` or `bytes=FIRST-LAST` header, nil without one;
    /// any other form is `malformed_request`.
    static func range(_ header: String?) throws -> (first: Int64, last: Int64?)? {
        guard let header else { return nil }
        let bounds =
            header.hasPrefix("bytes=")
            ? header.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false) : []
        guard bounds.count == 2, let first = integer(String(bounds[0])),
            bounds[1].isEmpty || integer(String(bounds[1])).map({ $0 >= first }) == true
        else {
            throw APIError(.malformedRequest, "Range must be bytes=FIRST- or bytes=FIRST-LAST")
        }
        return (first, bounds[1].isEmpty ? nil : integer(String(bounds[1])))
    }
}
