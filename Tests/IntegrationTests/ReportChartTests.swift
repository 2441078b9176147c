import Foundation
import Shared
import TestSupport
import Testing

@testable import Client
@testable import Server

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The dashboards' charts (issue 13): SVG with a title, a description and a numbers table.
@Suite("Report charts: dashboards as SVG with their numbers")
struct ReportChartTests {
    static let chart = BarChart(
        id: "chart-test", title: "Status <by> mechanism & more", description: "5 in 2 groups",
        series: ["Planned", "Completed"],
        bars: [BarChart.Bar(label: "UPR", values: [1, 3]), BarChart.Bar(label: "CEDAW", values: [0, 1])],
        categoryHeader: "Group", totalHeader: "Total")

    @Test("the SVG names itself for screen readers and draws one rectangle a non-zero value, to scale")
    func svg() throws {
        let svg = Self.chart.svg()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("role=\"img\" aria-labelledby=\"chart-test-title chart-test-desc\""))
        #expect(svg.contains("<title id=\"chart-test-title\">Status &lt;by&gt; mechanism &amp; more</title>"))
        #expect(svg.contains("<desc id=\"chart-test-desc\">5 in 2 groups</desc>"))
        let bars = svg.components(separatedBy: "height=\"18\"").count - 1
        #expect(bars == 3)
        // UPR's 4 fill the bar area; CEDAW's 1 a quarter of it.
        #expect(svg.contains("<rect x=\"220\" y=\"40\" width=\"105\""))
        #expect(svg.contains("<rect x=\"325\" y=\"40\" width=\"315\""))
        #expect(svg.contains("<rect x=\"220\" y=\"68\" width=\"105\""))
        #expect(svg.contains("<title>UPR: Completed 3</title>"))
        // Well-formed XML.
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse())
    }

    @Test("the table beside the chart gives every number, with headers and a caption")
    func table() {
        let table = Self.chart.table()
        #expect(table.contains("<caption>Status &lt;by&gt; mechanism &amp; more</caption>"))
        #expect(
            table.contains(
                "<tr><th scope=\"col\">Group</th><th scope=\"col\">Planned</th><th scope=\"col\">Completed</th><th scope=\"col\">Total</th></tr>"
            ))
        #expect(table.contains("<tr><th scope=\"row\">UPR</th><td>1</td><td>3</td><td>4</td></tr>"))
        #expect(table.contains("<tr><th scope=\"row\">CEDAW</th><td>0</td><td>1</td><td>1</td></tr>"))
        let empty = BarChart(
            id: "e", title: "Nothing", description: "0", series: ["n"], bars: [], categoryHeader: "g",
            totalHeader: "t")
        #expect(XMLParser(data: Data(empty.svg().utf8)).parse())
        #expect(empty.table().contains("<tbody></tbody>"))
    }

    @Test("the dashboards of a replica: status by mechanism, cluster, institution and SDG, NHRI ratings, overdue")
    func dashboard() async throws {
        let fixture = try await PublishedWorkFixture.make("dashboard")
        let dashboard = try fixture.secretariat.dashboard(try ReportCatalog(language: "en"), today: "2028-01-01")
        #expect(dashboard.charts.count == 6)
        let byID = Dictionary(uniqueKeysWithValues: dashboard.charts.map { ($0.id, $0) })
        let mechanism = try #require(byID["chart-mechanism"])
        #expect(mechanism.series == ["No action", "Planned", "In progress", "Completed"])
        #expect(mechanism.bars.map(\.label) == ["CEDAW", "UPR"])
        #expect(mechanism.bars.map(\.total) == [1, 4])
        let ratings = try #require(byID["chart-ratings"])
        #expect(
            ratings.bars == [
                BarChart.Bar(label: "Partially implemented", values: [1]),
                BarChart.Bar(label: "Not assessed", values: [4]),
            ])
        let overdue = try #require(byID["chart-overdue"])
        #expect(overdue.bars == [BarChart.Bar(label: "Ministry of Justice", values: [1])])
        #expect(try #require(byID["chart-cluster"]).bars.map(\.label) == ["Torture prevention"])
        #expect(try #require(byID["chart-sdg"]).bars.map(\.label) == ["SDG 16"])
        let html = dashboard.html()
        #expect(html.components(separatedBy: "<figure").count - 1 == 7)
        #expect(html.contains("<caption>NHRI ratings</caption>"))
        // Arabic labels come from the Arabic catalog.
        let arabic = try fixture.secretariat.dashboard(try ReportCatalog(language: "ar"), today: "2028-01-01")
        #expect(arabic.charts.first?.title == "حالة التنفيذ حسب الآلية")
    }

    static let steps = StepChart(
        id: "chart-steps", title: "Progress <over> time", description: "4 from 2026-01 to 2026-03",
        series: ["On track", "Delayed"],
        periods: [
            BarChart.Bar(label: "2026-01", values: [2, 0]), BarChart.Bar(label: "2026-02", values: [0, 0]),
            BarChart.Bar(label: "2026-03", values: [1, 1]),
        ], periodHeader: "Month", totalHeader: "Total")

    @Test("the step chart names itself, draws a line a series to scale, and tables every month")
    func stepChart() throws {
        let svg = Self.steps.svg()
        #expect(svg.contains("role=\"img\" aria-labelledby=\"chart-steps-title chart-steps-desc\""))
        #expect(svg.contains("<title id=\"chart-steps-title\">Progress &lt;over&gt; time</title>"))
        #expect(svg.contains("<desc id=\"chart-steps-desc\">4 from 2026-01 to 2026-03</desc>"))
        // Three months of 200 units each in a plot 200 high: 2 at the top, 1 halfway, 0 at the bottom.
        #expect(svg.contains("<path d=\"M50 40H250V240H450V140H650\""))
        #expect(svg.contains("<path d=\"M50 240H250V240H450V140H650\""))
        #expect(svg.contains("<title>On track: 3</title>"))
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        let table = Self.steps.table()
        #expect(table.contains("<caption>Progress &lt;over&gt; time</caption>"))
        #expect(table.contains("<tr><th scope=\"row\">2026-02</th><td>0</td><td>0</td><td>0</td></tr>"))
        #expect(table.contains("<tr><th scope=\"row\">2026-03</th><td>1</td><td>1</td><td>2</td></tr>"))
        let empty = StepChart(
            id: "e", title: "Nothing", description: "0", series: ["a"], periods: [], periodHeader: "m",
            totalHeader: "t")
        #expect(XMLParser(data: Data(empty.svg().utf8)).parse())
        #expect(Replica.months(from: "2025-11", through: "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"])
    }

    @Test("progress over time counts what the replica holds, and on the portal published work only")
    func progressOverTime() async throws {
        let fixture = try await PublishedWorkFixture.make("progress-chart")
        let catalog = try ReportCatalog(language: "en")
        // An independent count: the secretariat's updates under an action it holds, by month and status.
        let actions = Set(try fixture.secretariat.rows("action").map(\.id))
        var expected: [String: [String: Int]] = [:]
        for update in try fixture.secretariat.rows("progress_update") {
            guard case .text(let action) = update.values["action_id"], actions.contains(action),
                case .text(let date) = update.values["date"]
            else { continue }
            let status: String
            if case .text(let reported) = update.values["status"] { status = reported } else { status = "" }
            expected[String(date.prefix(7)), default: [:]][status, default: 0] += 1
        }
        let chart = try fixture.secretariat.dashboard(catalog, today: "2028-01-01").progress
        #expect(chart.series == ["On track", "Delayed", "At risk", "Completed", "No status given"])
        let keys = ["on_track", "delayed", "at_risk", "completed", ""]
        let months = Replica.months(from: try #require(expected.keys.min()), through: try #require(expected.keys.max()))
        #expect(chart.periods.map(\.label) == months)
        for period in chart.periods {
            #expect(period.values == keys.map { expected[period.label]?[$0] ?? 0 }, "\(period.label)")
        }
        #expect(chart.periods.map(\.total).reduce(0, +) == 3)
        for period in chart.periods {
            #expect(chart.table().contains("<tr><th scope=\"row\">\(period.label)</th>"))
        }

        // The public's view: the one published update (November, on track), none of the drafts.
        let view = try PublicView(sync: fixture.server.service)
        try await view.refresh()
        let portal = try view.replica.dashboard(catalog, today: "2028-01-01").progress
        #expect(portal.series == ["On track", "Delayed", "At risk", "Completed"])
        #expect(portal.periods == [BarChart.Bar(label: "2026-11", values: [1, 0, 0, 0])])
        #expect(
            portal.description.hasPrefix(
                "Progress updates each month by the status they report, 1 from 2026-11 to 2026-11"))
    }
}
