import Hummingbird
import NIOCore

/// A rendered HTML page as a response (`text/html; charset=utf-8`).
public struct HTML: ResponseGenerator, Sendable {
    /// The page.
    public var body: String
    /// The status, 200 unless said.
    public var status: HTTPResponse.Status = .ok

    /// Creates the response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
