import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Shared

extension HTTPSyncTransport {
    public func fileOffset(_ hash: String) async throws -> FileUploadResponse {
        let (response, _) = try await exchange(path: "/v1/files/\(hash)", method: .HEAD, body: nil)
        guard let offset = response.headers.first(name: "Upload-Offset").flatMap({ Int64($0) }) else {
            throw TransportError(
                code: .malformedResponse, status: Int(response.status.code),
                message: "the server's answer about file \(hash) has no Upload-Offset")
        }
        return FileUploadResponse(offset: offset, complete: response.headers.first(name: "Upload-Length") != nil)
    }

    public func uploadFile(_ hash: String, bytes: Data, offset: Int64, length: Int64) async throws
        -> FileUploadResponse
    {
        let headers = HTTPHeaders([
            ("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "\(offset)"),
            ("Upload-Length", "\(length)"), ("Accept", "application/json"),
        ])
        let (_, body) = try await exchange(
            path: "/v1/files/\(hash)", method: .PATCH, headers: headers, body: ByteBuffer(data: bytes))
        return try Self.decode(FileUploadResponse.self, from: Data(buffer: body))
    }

    public func downloadFile(_ hash: String, from first: Int64, count: Int64) async throws -> (
        bytes: Data, size: Int64
    ) {
        let headers = HTTPHeaders([("Range", "bytes=\(first)-\(first + max(count, 1) - 1)")])
        let (response, body) = try await exchange(path: "/v1/files/\(hash)", method: .GET, headers: headers, body: nil)
        // `Content-Range: bytes FIRST-LAST/SIZE` on a 206; a 200 is the whole file.
        let size =
            response.headers.first(name: "Content-Range").flatMap { $0.split(separator: "/").last }
            .flatMap { Int64($0) } ?? Int64(body.readableBytes)
        guard response.status.code == 206 || first == 0 else {
            throw TransportError(
                code: .malformedResponse, status: Int(response.status.code),
                message: "the server ignored the range asked for of file \(hash)")
        }
        return (Data(buffer: body), size)
    }
}
