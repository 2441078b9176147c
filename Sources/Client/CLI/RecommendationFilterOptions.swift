import ArgumentParser
import Foundation
import Shared

/// The recommendation filters `recs list` and `export recommendations` share.
struct RecommendationFilterOptions: ParsableArguments {
    @Option(help: "Mechanism code, e.g. UPR or CEDAW.") var mechanism: String?
    @Option(help: "UPR session number.") var session: Int?
    @Option(help: "UPR cycle (1-4).") var cycle: Int?
    @Option(help: "A theme, e.g. \"Women's rights\".") var theme: String?
    @Option(help: "An SDG goal or target, e.g. 5 or 5.2.") var sdg: String?
    @Option(help: "supported, supported_in_part, noted or pending.") var position: String?
    @Option(help: "Assigned to this institution (id or organisation id).") var institution: String?
    @Option(help: "no_action, planned, in_progress or completed.") var status: String?
    @Flag(inversion: .prefixedNo, help: "Only those marked as needing legislation (or, with --no-, not marked).")
    var needsLegislation: Bool?
    @Option(help: "Full-text search in the recommendation text.") var search: String?

    func validate() throws {
        if let status, ImplementationStatus(rawValue: status) == nil {
            throw ValidationError("--status must be no_action, planned, in_progress or completed")
        }
    }

    /// The filter these options describe (every match: no page).
    var filter: RecommendationFilter {
        var filter = RecommendationFilter()
        filter.mechanism = mechanism?.uppercased()
        filter.session = session
        filter.cycle = cycle
        filter.theme = theme
        filter.sdg = sdg
        filter.position = position
        filter.institution = institution
        filter.status = status.flatMap(ImplementationStatus.init(rawValue:))
        filter.search = search
        filter.needsLegislation = needsLegislation
        return filter
    }
}
