import Foundation
import GRDB
import Shared

/// The dashboards of a replica: implementation status by mechanism, cluster, institution and
/// SDG, the NHRI's published ratings, and overdue items by institution, each a `BarChart`; and
/// the progress reported over time, a `StepChart`.
public struct Dashboard: Sendable, Equatable {
    public var charts: [BarChart]
    /// Progress updates a month by the status they report.
    public var progress: StepChart

    /// The dashboards as one HTML fragment: each chart's SVG with its numbers table beside it.
    public func html() -> String { (charts.map { $0.figure() } + [progress.figure()]).joined(separator: "\n") }
}

/// How many progress updates dated in one month report each status.
public struct MonthlyProgress: Sendable, Equatable {
    /// `YYYY-MM`.
    public var month: String
    /// By status (`on_track`...; `""` for an update that gives none).
    public var counts: [String: Int]
}

extension Replica {
    /// The progress updates this replica holds, by the month of their date and the status they
    /// report, every month from the first to the last (empty months included).
    ///
    /// An update counts only when the replica holds its action, as a report shows progress
    /// only under an action it shows: on the portal's replica, published updates under
    /// published actions.
    public func progressByMonth() throws -> [MonthlyProgress] {
        let counted = try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT substr(p.date, 1, 7) AS month, coalesce(p.status, '') AS reported, count(*) AS n
                    FROM progress_update p JOIN action a ON a.id = p.action_id AND a._deleted IS NULL
                    WHERE p._deleted IS NULL AND p.revision_of IS NULL AND p.date IS NOT NULL
                    GROUP BY month, reported ORDER BY month
                    """
            ).map { (month: $0["month"] as String, status: $0["reported"] as String, count: $0["n"] as Int) }
        }
        var byMonth: [String: [String: Int]] = [:]
        for row in counted { byMonth[row.month, default: [:]][row.status] = row.count }
        guard let first = counted.first?.month, let last = counted.last?.month else { return [] }
        return Self.months(from: first, through: last).map { MonthlyProgress(month: $0, counts: byMonth[$0] ?? [:]) }
    }

    /// Every `YYYY-MM` from `first` to `last`, inclusive.
    static func months(from first: String, through last: String) -> [String] {
        func parts(_ month: String) -> (Int, Int) {
            let split = month.split(separator: "-")
            return (Int(split.first ?? "") ?? 0, Int(split.dropFirst().first ?? "") ?? 1)
        }
        var (year, month) = parts(first)
        var months: [String] = []
        while true {
            let label = String(format: "%04d-%02d", year, month)
            months.append(label)
            if label >= last || months.count > 1_200 { return months }
            (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
        }
    }
}

extension Replica {
    /// The dashboards of this replica's rows, labelled in the catalog's language; items due
    /// before `today` count as overdue.
    public func dashboard(_ catalog: ReportCatalog, today: String = Replica.today()) throws -> Dashboard {
        let statuses = ImplementationStatus.allCases
        let statusSeries = statuses.map { catalog.term("status", $0.rawValue) }
        func statusChart(_ grouping: String, _ title: ReportLabel) throws -> BarChart {
            let bars = try summary(by: grouping).map { count in
                BarChart.Bar(label: count.group, values: statuses.map { count.counts[$0.rawValue] ?? 0 })
            }
            return chart(grouping, title, catalog, series: statusSeries, bars: bars)
        }
        // The NHRI's published ratings (the tracking table's column), in the scale's order.
        let ratings = try nhriRatingCounts()
        let scale = ["no_progress", "limited", "partial", "substantial", "implemented", ""]
        let ratingBars = scale.compactMap { rating -> BarChart.Bar? in
            guard let count = ratings[rating] else { return nil }
            let label = rating.isEmpty ? catalog.text(.dashboardNotAssessed) : catalog.term("rating", rating)
            return BarChart.Bar(label: label, values: [count])
        }
        var overdue: [String: Int] = [:]
        for item in try self.overdue(today: today) {
            overdue[item.institution ?? catalog.text(.dashboardNoInstitution), default: 0] += 1
        }
        let overdueBars = overdue.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { BarChart.Bar(label: $0.key, values: [$0.value]) }
        return Dashboard(
            charts: [
                try statusChart("mechanism", .dashboardStatusByMechanism),
                try statusChart("cluster", .dashboardStatusByCluster),
                try statusChart("institution", .dashboardStatusByInstitution),
                try statusChart("sdg", .dashboardStatusBySdg),
                chart(
                    "ratings", .dashboardRatings, catalog, series: [catalog.text(.dashboardCount)], bars: ratingBars),
                chart(
                    "overdue", .dashboardOverdue, catalog, series: [catalog.text(.dashboardOverdueCount)],
                    bars: overdueBars),
            ], progress: try progressChart(catalog))
    }

    /// The progress reported over time: a line a status of the schema (and one for updates
    /// giving none, when there are any), a step a month.
    private func progressChart(_ catalog: ReportCatalog) throws -> StepChart {
        let months = try progressByMonth()
        var statuses =
            Schema.current.table("progress_update")?.column("status").flatMap { column -> [String]? in
                if case .enumeration(let values) = column.type { return values }
                return nil
            } ?? []
        if months.contains(where: { $0.counts[""] != nil }) { statuses.append("") }
        let periods = months.map { month in
            BarChart.Bar(label: month.month, values: statuses.map { month.counts[$0] ?? 0 })
        }
        let total = periods.map(\.total).reduce(0, +)
        return StepChart(
            id: "chart-progress", title: catalog.text(.dashboardProgressOverTime),
            description: catalog.text(
                .dashboardProgressDescription,
                ["total": String(total), "first": months.first?.month ?? "-", "last": months.last?.month ?? "-"]),
            series: statuses.map {
                $0.isEmpty ? catalog.text(.dashboardNoStatus) : catalog.term("progress_status", $0)
            },
            periods: periods, periodHeader: catalog.text(.dashboardMonth), totalHeader: catalog.text(.dashboardTotal))
    }

    private func chart(
        _ id: String, _ title: ReportLabel, _ catalog: ReportCatalog, series: [String], bars: [BarChart.Bar]
    ) -> BarChart {
        let total = bars.map(\.total).reduce(0, +)
        return BarChart(
            id: "chart-\(id)", title: catalog.text(title),
            description: catalog.text(.dashboardDescription, ["total": String(total), "groups": String(bars.count)]),
            series: series, bars: bars, categoryHeader: catalog.text(.dashboardGroup),
            totalHeader: catalog.text(.dashboardTotal))
    }
}
