import Client
import Foundation
import Hummingbird
import Logging
import Shared

extension DeskPages {
    /// Whether this organisation groups recommendations into clusters (the secretariat).
    var mayCluster: Bool {
        replica.permits(RowEdit(table: "cluster", fields: ["title": .text("-"), "kind": .text("custom")]))
    }

    /// The clusters, each linked to its page, and the form creating one.
    func clusters(
        request: Request, context: DeskRequestContext, posted: FormValues = FormValues(),
        errors: [(field: String, text: String)] = []
    ) throws -> HTML {
        guard mayCluster else { throw DeskError(.forbidden) }
        let catalog = renderer.catalog(context.language)
        let rows = try replica.rows("cluster").map { row in
            (id: row.id, title: AccessPolicy.text(row.values["title"]) ?? "")
        }.sorted { $0.title.localizedStandardCompare($1.title) == .orderedAscending }
        let values: [String: Any] = [
            "clusters": try rows.map { cluster in
                [
                    "id": cluster.id, "title": cluster.title,
                    "members": catalog.text(
                        "clusters_members",
                        [
                            "count": catalog.number(
                                try replica.rows("cluster_member", where: "cluster_id", is: cluster.id).count)
                        ]),
                ]
            },
            "title": posted["title"] ?? "", "description": posted["description"] ?? "",
            "errors": errors.map { ["href": "#f-" + $0.field, "text": $0.text] },
            "titleError": errors.first { $0.field == "title" }?.text ?? "",
        ]
        let title = catalog["clusters_title"]
        return try page(
            "clusters", title: errors.isEmpty ? title : catalog.text("error_prefix", ["title": title]),
            request: request, context: context, values: values, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    /// Creates the posted cluster and opens its page, or shows the form again with its error.
    func createCluster(request: Request, context: DeskRequestContext) throws -> Response {
        guard mayCluster else { throw DeskError(.forbidden) }
        let catalog = renderer.catalog(context.language)
        guard let title = context.form["title"] else {
            return try clusters(
                request: request, context: context, posted: context.form,
                errors: [("title", catalog.text("error_required", ["field": catalog["clusters_field_title"]]))]
            ).response(from: request, context: context)
        }
        let id = try replica.createCluster(NewCluster(title: title, description: context.form["description"]))
        context.logger.info("desk.cluster.created")
        return .redirect(to: "/clusters/\(id)?notice=notice_cluster_created", type: .normal)
    }

    /// A cluster: its members, its assignments and the form assigning it, and recommendations
    /// found by a search to add to it, picked with checkboxes.
    func cluster(
        _ id: String, request: Request, context: DeskRequestContext, errors: [(field: String, text: String)] = []
    ) throws -> HTML {
        guard mayCluster else { throw DeskError(.forbidden) }
        guard let cluster = try? replica.cluster(id) else { throw DeskError(.notFound) }
        let catalog = renderer.catalog(context.language)
        let names = try institutionNames()
        let members = Set(cluster.members.map(\.id))
        let search = Self.parameters(request)("q")
        var found: [[String: Any]] = []
        if let search {
            var filter = RecommendationFilter()
            filter.search = search
            filter.limit = Self.pageSize
            found = try replica.recommendations(filter).filter { !members.contains($0.id) }.map { summary in
                ["id": summary.id, "text": Self.excerpt(summary.text)]
            }
        }
        let institutions = ((try? replica.institutions()) ?? []).filter {
            ["ministry", "judiciary", "secretariat"].contains($0.kind ?? "ministry")
        }
        let error = { (field: String) in errors.first { $0.field == field }?.text ?? "" }
        let values: [String: Any] = [
            "id": id, "heading": cluster.title,
            "members": cluster.members.map { ["id": $0.id, "text": Self.excerpt($0.text)] },
            "assignments": try replica.rows("assignment", where: "cluster_id", is: id).map { row in
                [
                    "institution": AccessPolicy.text(row.values["institution_id"]).flatMap { names[$0] } ?? "",
                    "role": AccessPolicy.text(row.values["role"]).map { catalog["role_" + $0] } ?? "",
                ]
            },
            "institutions": institutions.map { ["value": $0.id, "label": $0.name] },
            "roles": AssignmentRole.allCases.map { ["value": $0.rawValue, "label": catalog["role_" + $0.rawValue]] },
            "search": search ?? "", "searched": search != nil, "found": found,
            "errors": errors.map { ["href": "#f-" + $0.field, "text": $0.text] },
            "institutionError": error("institution"), "recommendationError": error("recommendation"),
        ]
        return try page(
            "cluster",
            title: errors.isEmpty ? cluster.title : catalog.text("error_prefix", ["title": cluster.title]),
            request: request, context: context, values: values, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    /// Adds the recommendations ticked on the cluster's page to it.
    func addToCluster(_ id: String, request: Request, context: DeskRequestContext) throws -> Response {
        guard mayCluster else { throw DeskError(.forbidden) }
        let catalog = renderer.catalog(context.language)
        let picked = context.form.values("recommendation")
        guard !picked.isEmpty else {
            return try cluster(
                id, request: request, context: context,
                errors: [("recommendation", catalog["clusters_error_pick"])]
            ).response(from: request, context: context)
        }
        do {
            try replica.addToCluster(id, recommendations: picked)
        } catch let error as ReplicaError where error.code == .rowNotFound {
            throw DeskError(.notFound)
        }
        return .redirect(to: "/clusters/\(id)?notice=notice_saved", type: .normal)
    }

    /// Assigns the cluster to the institution picked, as lead or contributing.
    func assignCluster(_ id: String, request: Request, context: DeskRequestContext) throws -> Response {
        guard mayCluster else { throw DeskError(.forbidden) }
        guard (try? replica.row("cluster", id: id)) != nil else { throw DeskError(.notFound) }
        let catalog = renderer.catalog(context.language)
        var problem: String?
        if let institution = context.form["institution"],
            let role = context.form["role"].flatMap(AssignmentRole.init(rawValue:))
        {
            do {
                _ = try replica.assign(NewAssignment(target: id, institution: institution, role: role))
                return .redirect(to: "/clusters/\(id)?notice=notice_saved", type: .normal)
            } catch let error as ReplicaError where error.code == .alreadyExists {
                problem = catalog["clusters_error_assigned"]
            } catch let error as ReplicaError {
                problem = catalog.text("error_not_recorded", ["reason": error.message])
            }
        }
        let text = problem ?? catalog.text("error_required", ["field": catalog["field_assignment_institution"]])
        return try cluster(id, request: request, context: context, errors: [("institution", text)])
            .response(from: request, context: context)
    }
}
