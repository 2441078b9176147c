import Foundation
import Shared

/// The dashboards of a replica: implementation status by mechanism, cluster, institution and
/// SDG, the NHRI's published ratings, and overdue items by institution, each a `BarChart`.
public struct Dashboard: Sendable, Equatable {
    public var charts: [BarChart]

    /// The dashboards as one HTML fragment: each chart's SVG with its numbers table beside it.
    public func html() -> String { charts.map { $0.figure() }.joined(separator: "\n") }
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
        // The NHRI's published ratings, in the scale's order.
        let ratingColumn = TrackingTable.columns.firstIndex { $0.key == "nhri_rating" } ?? 0
        var ratings: [String: Int] = [:]
        for row in try trackingTable(RecommendationFilter()).rows {
            if case .text(let rating) = row[ratingColumn] {
                ratings[rating, default: 0] += 1
            } else {
                ratings["", default: 0] += 1
            }
        }
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
        return Dashboard(charts: [
            try statusChart("mechanism", .dashboardStatusByMechanism),
            try statusChart("cluster", .dashboardStatusByCluster),
            try statusChart("institution", .dashboardStatusByInstitution),
            try statusChart("sdg", .dashboardStatusBySdg),
            chart(
                "ratings", .dashboardRatings, catalog, series: [catalog.text(.dashboardCount)], bars: ratingBars),
            chart(
                "overdue", .dashboardOverdue, catalog, series: [catalog.text(.dashboardOverdueCount)],
                bars: overdueBars),
        ])
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
