import Client
import Foundation
import Hummingbird
import Logging
import NIOCore
import Shared

extension DeskPages {
    /// The tables whose rows the desk offers to attach evidence files to.
    static let attachableTables: Set<String> = [
        "recommendation", "action", "progress_update", "submission", "assessment", "oversight_request",
        "oversight_response",
    ]

    /// The media types a file opens with in the browser.
    ///
    /// Every other file is downloaded as `application/octet-stream`. PDFs download too: a
    /// sandboxed document cannot run the browser's PDF viewer.
    static let inlineMediaTypes: Set<String> = ["image/png", "image/jpeg", "image/gif", "image/webp", "text/plain"]

    /// The evidence files of row `id` of `table` as pages list them, and the link to attach one
    /// when this organisation may.
    func evidence(of table: String, id: String, catalog: Catalog) -> [String: Any] {
        let text = AccessPolicy.text
        let files: [[String: Any]] = ((try? replica.attachments(of: id)) ?? []).map { attachment in
            let sealed = text(attachment.values["file_name"]).map(SealedText.isSealed) == true
            var view: [String: Any] = [
                "name": sealed
                    ? catalog["evidence_sealed_name"]
                    : text(attachment.values["file_name"]) ?? catalog["evidence_unnamed"],
                "size": attachment.values["size"].flatMap { value -> String? in
                    guard case .integer(let bytes) = value else { return nil }
                    return catalog.byteCount(bytes)
                } ?? "",
            ]
            if sealed {
                // No key here opens it: neither its name nor its bytes are offered.
                view["missing"] = catalog["evidence_sealed"]
            } else if (try? replica.evidencePath(ofAttachment: attachment.id)) != nil {
                view["href"] = "/files/\(attachment.id)"
            } else {
                view["missing"] = catalog["evidence_not_downloaded"]
            }
            return view
        }
        var values: [String: Any] = ["files": files]
        if Self.attachableTables.contains(table), replica.mayAttach(to: table, id: id) {
            values["attachLink"] = "/evidence/\(table)/\(id)"
        }
        return values
    }

    /// The form that attaches a file to row `id` of `table` (a file picker), with its error.
    func evidenceForm(
        table: String, id: String, request: Request, context: DeskRequestContext, error: String? = nil
    ) throws -> HTML {
        let catalog = renderer.catalog(context.language)
        try requireAttachable(table: table, id: id)
        let title = catalog["form_evidence_title"]
        var values: [String: Any] = [
            "heading": title, "action": "/evidence/\(table)/\(id)",
            "back": recommendation(ofRow: id, table: table).map { "/recommendations/\($0)" } ?? "/",
            "hint": catalog.text("field_evidence_file_hint", ["size": catalog.byteCount(Int64(maxFileBytes))]),
            "kind": catalog["table_" + table],
        ]
        if let row = try? replica.row(table, id: id),
            let about = AccessPolicy.text(row["text"]) ?? AccessPolicy.text(row["title"])
                ?? AccessPolicy.text(row["narrative"]) ?? AccessPolicy.text(row["rationale"])
        {
            values["about"] = Self.excerpt(about, length: 400)
        }
        if let error {
            values["error"] = error
            values["errors"] = [["href": "#f-file", "text": error]]
        }
        return try page(
            "evidence", title: error == nil ? title : catalog.text("error_prefix", ["title": title]), request: request,
            context: context, values: values, status: error == nil ? .ok : .unprocessableContent)
    }

    /// Stores the posted file (its CSRF token already checked) and records its attachment to row
    /// `id` of `table`; returns to the recommendation, or shows the form again when no file came.
    func attachEvidence(table: String, id: String, request: Request, context: DeskRequestContext) throws -> Response {
        let catalog = renderer.catalog(context.language)
        try requireAttachable(table: table, id: id)
        guard let file = context.files.first(where: { $0.field == "file" }) else {
            return try evidenceForm(
                table: table, id: id, request: request, context: context, error: catalog["error_file_required"]
            ).response(from: request, context: context)
        }
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent(
            "followup-desk-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: temporary) }
        try Data(file.bytes.readableBytesView).write(to: temporary, options: .withoutOverwriting)
        do {
            let attached = try replica.attach(temporary.path, named: file.fileName, to: "\(table):\(id)")
            context.logger.info(
                "desk.evidence.attached",
                metadata: ["desk.row.table": "\(table)", "desk.evidence.bytes": "\(attached.size)"])
        } catch let error as ReplicaError where error.code == .forbidden {
            throw DeskError(.forbidden)
        }
        let back = recommendation(ofRow: id, table: table).map { "/recommendations/\($0)" } ?? "/"
        return .redirect(to: back + "?notice=notice_attached", type: .normal)
    }

    /// The bytes of attachment `id`, opened when it is sealed.
    ///
    /// Headers keep the file from acting as a page of the desk: its own type only for the images
    /// and plain text in `inlineMediaTypes`, `application/octet-stream` and a download otherwise,
    /// `nosniff`, and a sandbox. A sealed file no key here opens is refused (`sealed`), never
    /// served as it is.
    func openFile(_ id: String, request: Request, context: DeskRequestContext) throws -> Response {
        guard (try? replica.row("attachment", id: id)) != nil else { throw DeskError(.notFound) }
        guard (try? replica.evidencePath(ofAttachment: id)) != nil else { throw DeskError(.notDownloaded) }
        let opened: OpenedEvidence
        do {
            opened = try replica.openedAttachment(id)
        } catch let error as ReplicaError where error.code == .sealed {
            throw DeskError(.sealed)
        }
        let data = opened.bytes
        let name = opened.fileName
        let mediaType = Replica.mediaType(of: name)
        let inline = Self.inlineMediaTypes.contains(mediaType)
        var headers: HTTPFields = [
            .contentType: inline
                ? (mediaType == "text/plain" ? "text/plain; charset=utf-8" : mediaType)
                : "application/octet-stream",
            .contentDisposition: Self.contentDisposition(inline ? "inline" : "attachment", fileName: name),
            .contentSecurityPolicy: DeskGuardMiddleware.fileContentSecurityPolicy,
        ]
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A `Content-Disposition` value naming `fileName`: an ASCII fallback with every quote,
    /// backslash and control or non-ASCII character replaced, and the exact name percent-encoded
    /// (RFC 6266 `filename*`).
    static func contentDisposition(_ type: String, fileName: String) -> String {
        let fallback = String(
            fileName.unicodeScalars.map { scalar -> Character in
                scalar.isASCII && scalar.value >= 0x20 && scalar.value < 0x7F && scalar != "\"" && scalar != "\\"
                    ? Character(scalar) : "_"
            })
        var allowed = CharacterSet.alphanumerics.intersection(
            CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(0x7F)))
        allowed.insert(charactersIn: "!#$&+-.^_`|~")
        let encoded = fileName.addingPercentEncoding(withAllowedCharacters: allowed) ?? fallback
        return "\(type); filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }

    /// Refuses (404) a row that is not on this replica or not of a table files are attached to,
    /// and (403) one this organisation may not attach a file to.
    private func requireAttachable(table: String, id: String) throws {
        guard Self.attachableTables.contains(table), (try? replica.row(table, id: id)) != nil else {
            throw DeskError(.notFound)
        }
        guard replica.mayAttach(to: table, id: id) else { throw DeskError(.forbidden) }
    }

    /// The recommendation row `id` of `table` is about: itself, or the one its action, question
    /// or assessment names.
    func recommendation(ofRow id: String, table: String) -> String? {
        if table == "recommendation" { return id }
        guard let row = try? replica.row(table, id: id) else { return nil }
        let text = AccessPolicy.text
        if let recommendation = text(row["recommendation_id"]) { return recommendation }
        if let action = text(row["action_id"]) { return recommendation(ofRow: action, table: "action") }
        if let request = text(row["oversight_request_id"]) {
            return recommendation(ofRow: request, table: "oversight_request")
        }
        return nil
    }
}
