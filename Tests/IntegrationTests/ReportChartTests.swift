import Foundation
import Shared
import TestSupport
import Testing

@testable import Client

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
        #expect(html.components(separatedBy: "<figure").count - 1 == 6)
        #expect(html.contains("<caption>NHRI ratings</caption>"))
        // Arabic labels come from the Arabic catalog.
        let arabic = try fixture.secretariat.dashboard(try ReportCatalog(language: "ar"), today: "2028-01-01")
        #expect(arabic.charts.first?.title == "حالة التنفيذ حسب الآلية")
    }
}
