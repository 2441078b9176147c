import Client
import Foundation
import Hummingbird
import Logging
import Shared

extension DeskPages {
    /// Shows form `kind` about `target`, empty or with what was posted and its errors.
    func form(
        _ kind: DeskForm.Kind, target: String, request: Request, context: DeskRequestContext,
        posted: FormValues? = nil, errors: [String: String] = [:], failure: String? = nil
    ) throws -> HTML {
        let catalog = renderer.catalog(context.language)
        guard kind.permitted(replica, target: target) else { throw DeskError(.forbidden) }
        let form = DeskForm(kind: kind)
        let posted = posted ?? form.initialValues(replica, target: target)
        let fields: [[String: Any]] = form.fields(replica, catalog: catalog, target: target).map { field in
            let id = "f-" + field.name.replacingOccurrences(of: ".", with: "-")
            let hintKey = "field_\(kind.rawValue)_\(field.name)_hint"
            var view: [String: Any] = [
                "name": field.name, "id": id, "label": catalog["field_\(kind.rawValue)_\(field.name)"],
                "value": posted[field.name] ?? "", "required": field.required, "is_" + field.input.rawValue: true,
                "options": field.options.map { option in
                    ["value": option.value, "label": option.label, "selected": posted[field.name] == option.value]
                },
                "checked": posted[field.name] != nil,
            ]
            var describedBy: [String] = []
            if catalog.strings[hintKey] != nil {
                view["hint"] = catalog[hintKey]
                view["hintID"] = id + "-hint"
                describedBy.append(id + "-hint")
            }
            if let error = errors[field.name] {
                view["error"] = error
                view["errorID"] = id + "-error"
                describedBy.append(id + "-error")
            }
            if !describedBy.isEmpty { view["describedBy"] = describedBy.joined(separator: " ") }
            return view
        }
        var summary: [[String: String]] = fields.compactMap { field in
            guard let error = field["error"] as? String, let id = field["id"] as? String else { return nil }
            return ["href": "#" + id, "text": error]
        }
        if let failure { summary.append(["href": "#main", "text": failure]) }
        let back = kind.recommendation(of: target, replica: replica).map { "/recommendations/\($0)" } ?? "/"
        let title = catalog["form_\(kind.rawValue)_title"]
        // Always a list: a missing one would show the error summary's empty box.
        var values: [String: Any] = [
            "heading": title, "fields": fields, "action": request.uri.path, "back": back,
            "intro": catalog["form_\(kind.rawValue)_intro"], "errors": summary,
        ]
        if let context = formContext(kind, target: target) { values["about"] = DeskPages.excerpt(context, length: 400) }
        return try page(
            "form", title: summary.isEmpty ? title : catalog.text("error_prefix", ["title": title]), request: request,
            context: context, values: values, status: summary.isEmpty ? .ok : .unprocessableContent)
    }

    /// Records form `kind` about `target` and returns to the recommendation, or shows the form
    /// again with its errors.
    func submit(
        _ kind: DeskForm.Kind, target: String, request: Request, context: DeskRequestContext
    ) throws -> Response {
        let catalog = renderer.catalog(context.language)
        guard kind.permitted(replica, target: target) else { throw DeskError(.forbidden) }
        let form = DeskForm(kind: kind)
        var errors: [String: String] = [:]
        for field in form.fields(replica, catalog: catalog, target: target) where field.required {
            if context.form[field.name] == nil {
                errors[field.name] = catalog.text(
                    "error_required", ["field": catalog["field_\(kind.rawValue)_\(field.name)"]])
            }
        }
        var failure: String?
        if errors.isEmpty {
            do {
                let notice = try form.save(context.form, replica: replica, target: target)
                context.logger.info(
                    "desk.form.saved", metadata: ["desk.form.kind": "\(kind.rawValue)"])
                let back = kind.recommendation(of: target, replica: replica).map { "/recommendations/\($0)" } ?? "/"
                return .redirect(to: back + "?notice=" + notice, type: .normal)
            } catch let error as ReplicaError {
                if let input = error.invalidInput {
                    errors[input.name] = catalog.text(
                        "error_rule_" + input.rule.rawValue,
                        ["field": catalog["field_\(kind.rawValue)_\(input.name)"]])
                } else {
                    failure = catalog.text("error_not_recorded", ["reason": error.message])
                }
            }
        }
        let page = try self.form(
            kind, target: target, request: request, context: context, posted: context.form, errors: errors,
            failure: failure)
        return try page.response(from: request, context: context)
    }

    /// What the form is about, shown above it: the recommendation's, action's or question's text.
    private func formContext(_ kind: DeskForm.Kind, target: String) -> String? {
        let table =
            switch kind {
            case .progress, .edit: "action"
            case .answer: "oversight_request"
            default: "recommendation"
            }
        guard let row = try? replica.row(table, id: target) else { return nil }
        return AccessPolicy.text(row["text"]) ?? AccessPolicy.text(row["title"])
    }

    /// Moves a workflow row (submit, publish, back to draft) when this organisation may.
    func move(_ request: Request, context: DeskRequestContext) throws -> Response {
        guard let row = context.form["row"], let table = context.form["table"], let state = context.form["state"],
            Replica.workTables.contains(table)
        else { throw DeskError(.badForm) }
        guard (try? replica.allowedMoves(table, id: row))?.contains(state) == true else {
            throw DeskError(.forbidden)
        }
        try replica.move(row, to: state)
        context.logger.info("desk.row.moved", metadata: ["desk.row.table": "\(table)", "desk.row.state": "\(state)"])
        return .redirect(to: Self.localPath(context.form["return"]) + "?notice=notice_moved", type: .normal)
    }

    /// `path` when it is a path on this desk, `/` otherwise (never another site).
    static func localPath(_ path: String?) -> String {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\") else { return "/" }
        return String(path.split(separator: "?", maxSplits: 1).first ?? "/")
    }
}
