import Foundation

/// The labels and headings of the reports, each a key of the catalogs.
public enum ReportLabel: String, Sendable, CaseIterable {
    case reportUprMidterm = "report.upr_midterm"
    case reportUprMidtermScope = "report.upr_midterm.scope"
    case reportTreatyBody = "report.treaty_body"
    case reportTreatyBodyScope = "report.treaty_body.scope"
    case reportInstitution = "report.institution"
    case reportInstitutionScope = "report.institution.scope"
    case reportState = "report.state"
    case reportDate = "report.date"
    case reportPublishedOnly = "report.published_only"
    case reportEmpty = "report.empty"
    case contents = "contents"
    case contentsUpdate = "contents.update"
    case recommendation = "recommendation"
    case recommendationSymbol = "recommendation.symbol"
    case recommendationParagraph = "recommendation.paragraph"
    case recommendationMechanism = "recommendation.mechanism"
    case recommendationSession = "recommendation.session"
    case recommendationCycle = "recommendation.cycle"
    case recommendationRecommendingStates = "recommendation.recommending_states"
    case recommendationPosition = "recommendation.position"
    case recommendationStatus = "recommendation.status"
    case recommendationFollowUpDue = "recommendation.follow_up_due"
    case institutionsLead = "institutions.lead"
    case institutionsContributing = "institutions.contributing"
    case actions = "actions"
    case actionTitle = "action.title"
    case actionInstitution = "action.institution"
    case actionStatus = "action.status"
    case actionDue = "action.due"
    case actionBudget = "action.budget"
    case indicators = "indicators"
    case indicatorTitle = "indicator.title"
    case indicatorBaseline = "indicator.baseline"
    case indicatorTarget = "indicator.target"
    case indicatorLatest = "indicator.latest"
    case progress = "progress"
    case nhriHeading = "nhri.heading"
    case nhriBy = "nhri.by"
    case nhriRating = "nhri.rating"
    case nhriRationale = "nhri.rationale"
    case none = "none"
    case matrix = "matrix"
    case matrixRecommendation = "matrix.recommendation"
    case matrixSource = "matrix.source"
    case matrixPosition = "matrix.position"
    case matrixResponsible = "matrix.responsible"
    case matrixActions = "matrix.actions"
    case matrixStatus = "matrix.status"
    case positionSupported = "position.supported"
    case positionSupportedInPart = "position.supported_in_part"
    case positionNoted = "position.noted"
    case positionPending = "position.pending"
    case statusNoAction = "status.no_action"
    case statusPlanned = "status.planned"
    case statusInProgress = "status.in_progress"
    case statusCompleted = "status.completed"
    case statusCancelled = "status.cancelled"
    case ratingNoProgress = "rating.no_progress"
    case ratingLimited = "rating.limited"
    case ratingPartial = "rating.partial"
    case ratingSubstantial = "rating.substantial"
    case ratingImplemented = "rating.implemented"
    case progressStatusOnTrack = "progress_status.on_track"
    case progressStatusDelayed = "progress_status.delayed"
    case progressStatusAtRisk = "progress_status.at_risk"
    case progressStatusCompleted = "progress_status.completed"
    case dashboardStatusByMechanism = "dashboard.status_by_mechanism"
    case dashboardStatusByCluster = "dashboard.status_by_cluster"
    case dashboardStatusByInstitution = "dashboard.status_by_institution"
    case dashboardStatusBySdg = "dashboard.status_by_sdg"
    case dashboardRatings = "dashboard.ratings"
    case dashboardOverdue = "dashboard.overdue"
    case dashboardDescription = "dashboard.description"
    case dashboardGroup = "dashboard.group"
    case dashboardTotal = "dashboard.total"
    case dashboardCount = "dashboard.count"
    case dashboardNotAssessed = "dashboard.not_assessed"
    case dashboardNoInstitution = "dashboard.no_institution"
    case dashboardOverdueCount = "dashboard.overdue_count"
    case dashboardProgressOverTime = "dashboard.progress_over_time"
    case dashboardProgressDescription = "dashboard.progress_description"
    case dashboardMonth = "dashboard.month"
    case dashboardNoStatus = "dashboard.no_status"
    case portalTitle = "portal.title"
    case portalCount = "portal.count"
    case portalOpenData = "portal.open_data"
    case portalOpenDataNote = "portal.open_data.note"
    case portalCsv = "portal.csv"
    case portalJson = "portal.json"
    case portalDashboards = "portal.dashboards"
    case portalLanguages = "portal.languages"
    case portalRecommendations = "portal.recommendations"
    case portalSearch = "portal.search"
    case portalSearchWords = "portal.search.words"
    case portalResults = "portal.results"
    case portalSubmissions = "portal.submissions"
    case portalAll = "portal.all"
    case portalPage = "portal.page"
    case portalPrevious = "portal.previous"
    case portalNext = "portal.next"
    case portalPages = "portal.pages"
}

/// The labels of one UN language, read from `Resources/Catalogs/LANG.json` (one file a language).
public struct ReportCatalog: Sendable {
    /// The six UN languages, each with its catalog.
    public static let languages = ["ar", "en", "es", "fr", "ru", "zh"]

    /// The language code (`ar`, `en`...).
    public let language: String
    /// The catalog's labels by key.
    public let labels: [String: String]

    /// Whether the language is written right to left (Arabic).
    public var isRightToLeft: Bool { language == "ar" }

    /// The catalog of `language`, or `unknown_language`; fails with `missing_label` when it lacks a
    /// key of `ReportLabel`.
    public init(language: String) throws {
        guard Self.languages.contains(language) else {
            throw ReportError(
                .unknownLanguage,
                "there is no catalog for '\(language)': use \(Self.languages.joined(separator: ", "))")
        }
        guard
            let url = Bundle.module.url(
                forResource: language, withExtension: "json", subdirectory: "Resources/Catalogs"),
            let data = try? Data(contentsOf: url),
            let labels = try? JSONDecoder().decode([String: String].self, from: data)
        else {
            throw ReportError(.templateMissing, "the \(language) catalog is missing from the Client library")
        }
        let missing = ReportLabel.allCases.filter { labels[$0.rawValue] == nil }.map(\.rawValue)
        guard missing.isEmpty else {
            throw ReportError(
                .missingLabel, "the \(language) catalog has no \(missing.joined(separator: ", "))")
        }
        self.language = language
        self.labels = labels
    }

    /// The text of `label`, each `{name}` replaced by `values[name]`.
    public func text(_ label: ReportLabel, _ values: [String: String] = [:]) -> String {
        var text = labels[label.rawValue] ?? label.rawValue
        for (name, value) in values { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }

    /// The text of the key `prefix.value` (a position, status or rating), or `value` itself when
    /// the catalog has no such key.
    public func term(_ prefix: String, _ value: String?) -> String {
        guard let value, !value.isEmpty else { return "" }
        return labels["\(prefix).\(value)"] ?? value
    }
}
