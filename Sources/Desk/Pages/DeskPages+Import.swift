import Client
import Foundation
import Hummingbird
import Logging
import Shared

extension DeskPages {
    /// The formats the import page offers, by the value its list posts.
    static let importFormats: [(value: String, format: ImportFormat)] = [("upr-info", .uprInfo), ("uhri", .uhri)]

    /// Whether this organisation records recommendations (the secretariat): the import page is its.
    var mayImport: Bool {
        replica.permits(RowEdit(table: "recommendation", fields: ["text": .text("(import)")]))
    }

    /// The page importing recommendations from an export file, with what the last import did or
    /// the errors that stopped it.
    func importForm(
        request: Request, context: DeskRequestContext, posted: FormValues = FormValues(),
        errors: [(field: String, text: String)] = [], report: ImportReport? = nil
    ) throws -> HTML {
        guard mayImport else { throw DeskError(.forbidden) }
        let catalog = renderer.catalog(context.language)
        let title = catalog["import_title"]
        var values: [String: Any] = [
            "heading": title,
            "fileHint": catalog.text("import_file_hint", ["size": catalog.byteCount(Int64(maxFileBytes))]),
            "formats": Self.importFormats.map { choice in
                [
                    "value": choice.value, "label": catalog["import_format_" + choice.value],
                    "selected": posted["format"] == choice.value,
                ]
            },
            "state": posted["state"] ?? "", "skipInvalid": posted["skipInvalid"] != nil,
            "errors": errors.map { ["href": "#f-" + $0.field, "text": $0.text] },
        ]
        for error in errors { values[error.field + "Error"] = error.text }
        if let report {
            values["report"] = [
                "counts": [
                    ("import_read", report.read), ("import_new", report.new), ("import_updated", report.updated),
                    ("import_unchanged", report.unchanged), ("import_other_states", report.otherStates),
                    ("import_invalid", report.invalid.count),
                ].map { ["label": catalog[$0.0], "value": catalog.number($0.1)] },
                "invalid": report.invalid.prefix(50).map { row in
                    ["line": catalog.number(row.line), "reason": row.reason]
                },
            ]
        }
        return try page(
            "import", title: errors.isEmpty ? title : catalog.text("error_prefix", ["title": title]),
            request: request, context: context, values: values,
            status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    /// Imports the posted file (its CSRF token already checked) through
    /// `Replica.importRecommendations` and shows what it did, or the form with its errors.
    func importFile(request: Request, context: DeskRequestContext) throws -> Response {
        guard mayImport else { throw DeskError(.forbidden) }
        let catalog = renderer.catalog(context.language)
        let form = context.form
        var errors: [(field: String, text: String)] = []
        let file = context.files.first { $0.field == "file" }
        if file == nil { errors.append(("file", catalog["error_file_required"])) }
        let format = Self.importFormats.first { $0.value == form["format"] }?.format
        if format == nil { errors.append(("format", catalog["import_error_format"])) }
        let state = form["state"]?.uppercased()
        if let state, state.count != 3 || !state.allSatisfy({ $0.isASCII && $0.isLetter }) {
            errors.append(("state", catalog["import_error_state"]))
        }
        var report: ImportReport?
        if errors.isEmpty, let file, let format {
            let upload = ImportFile(
                path: Replica.evidenceFileName(file.fileName), data: Data(file.bytes.readableBytesView))
            do {
                report = try replica.importRecommendations(
                    from: upload, format: format, scope: state.map(ImportScope.state) ?? .allStates,
                    skipInvalid: form["skipInvalid"] != nil)
                context.logger.info("desk.import.done", metadata: ["desk.import.read": "\(report?.read ?? 0)"])
            } catch let refusal as ImportRefusal {
                errors.append(("file", catalog["import_error_invalid"]))
                report = refusal.report
            } catch {
                let reason = (error as? ReplicaError)?.message ?? String(describing: error)
                errors.append(("file", catalog.text("import_error_unreadable", ["reason": reason])))
            }
        }
        return try importForm(request: request, context: context, posted: form, errors: errors, report: report)
            .response(from: request, context: context)
    }
}
