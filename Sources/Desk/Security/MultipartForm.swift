import Foundation
import MultipartKit
import NIOCore

/// A file a form posted as `multipart/form-data`: its field, the name the browser gave it and
/// its bytes, held in memory until the form's CSRF token is checked.
public struct UploadedFile: Sendable {
    /// The form field.
    public var field: String
    /// The file's name as the browser sent it (only its last path component is kept later).
    public var fileName: String
    /// The bytes.
    public var bytes: ByteBuffer
}

/// A form posted as `multipart/form-data` (a file picker's form), parsed with MultipartKit's
/// `MultipartParser`: its text fields and its files.
public struct MultipartForm: Sendable {
    /// The text fields.
    public var fields: FormValues
    /// The files, in the order posted; a file input left empty sends none.
    public var files: [UploadedFile]

    /// The boundary of a `multipart/form-data` content type; nil for any other type.
    public static func boundary(ofContentType contentType: String?) -> String? {
        guard let contentType else { return nil }
        let parameters = HeaderParameters(contentType)
        guard parameters.value.lowercased() == "multipart/form-data", let boundary = parameters["boundary"],
            !boundary.isEmpty, boundary.utf8.count <= 200
        else { return nil }
        return boundary
    }

    /// Parses `body`, whose parts `boundary` separates.
    ///
    /// - Throws: `DeskError(.badForm)` when the body is not multipart, or ends before its last part.
    public init(body: ByteBuffer, boundary: String) throws {
        let parser = MultipartParser(boundary: boundary)
        var headers: [(String, String)] = []
        var content = ByteBuffer()
        var parts: [(headers: [(String, String)], body: ByteBuffer)] = []
        parser.onHeader = { headers.append(($0, $1)) }
        parser.onBody = { content.writeBuffer(&$0) }
        parser.onPartComplete = {
            parts.append((headers, content))
            headers = []
            content = ByteBuffer()
        }
        do {
            try parser.execute(body)
        } catch {
            throw DeskError(.badForm)
        }
        var fields: [(name: String, value: String)] = []
        var files: [UploadedFile] = []
        for part in parts {
            guard
                let disposition = part.headers.first(where: { $0.0.lowercased() == "content-disposition" })?.1
            else { continue }
            let parameters = HeaderParameters(disposition)
            guard parameters.value.lowercased() == "form-data", let name = parameters["name"] else { continue }
            if let fileName = parameters["filename"] {
                // An empty file input posts a part with no name and no bytes.
                if !fileName.isEmpty || part.body.readableBytes > 0 {
                    files.append(UploadedFile(field: name, fileName: fileName, bytes: part.body))
                }
            } else {
                fields.append((name, String(buffer: part.body)))
            }
        }
        self.fields = FormValues(pairs: fields)
        self.files = files
    }
}

/// A header value with parameters, `form-data; name="file"; filename="a; b.pdf"`: the value and
/// its parameters, quoted strings unquoted (a `;` or `=` inside quotes belongs to the value).
struct HeaderParameters {
    /// The value before the first `;`.
    var value = ""
    private var parameters: [String: String] = [:]

    init(_ header: String) {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in header {
            if escaped {
                current.append(character)
                escaped = false
            } else if quoted && character == "\\" {
                current.append(character)
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
                current.append(character)
            } else if character == ";" && !quoted {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)
        value = pieces[0].trimmingCharacters(in: .whitespaces)
        for piece in pieces.dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            parameters[pair[0].lowercased()] = Self.unquoted(pair[1])
        }
    }

    /// The parameter `name` (lower-case), unquoted.
    subscript(_ name: String) -> String? { parameters[name] }

    private static func unquoted(_ text: String) -> String {
        guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return text }
        var result = ""
        var escaped = false
        for character in text.dropFirst().dropLast() {
            if escaped || character != "\\" {
                result.append(character)
                escaped = false
            } else {
                escaped = true
            }
        }
        return result
    }
}
