import Foundation

/// A step chart of counts over time (one line a series, one step a period), rendered on the
/// server as SVG with a title, a description and the numbers as an HTML table beside it.
///
/// Pure, like `BarChart`: the same data always gives the same text.
public struct StepChart: Sendable, Equatable {
    /// A stable identifier, used for the ids of the title and description.
    public var id: String
    public var title: String
    /// What the chart shows, in a sentence (the SVG's `<desc>`).
    public var description: String
    /// The series' names (the statuses reported).
    public var series: [String]
    /// One entry a period, in time order: its label (`2026-11`) and a value a series.
    public var periods: [BarChart.Bar]
    /// The table's header of the period column.
    public var periodHeader: String
    /// The table's header of the total column.
    public var totalHeader: String

    public init(
        id: String, title: String, description: String, series: [String], periods: [BarChart.Bar],
        periodHeader: String, totalHeader: String
    ) {
        self.id = id
        self.title = title
        self.description = description
        self.series = series
        self.periods = periods
        self.periodHeader = periodHeader
        self.totalHeader = totalHeader
    }

    /// Layout, in SVG user units.
    static let left = 50
    static let plotWidth = 600
    static let plotHeight = 200
    static let top = 40

    /// Dash patterns of the series' lines, so they differ in greyscale too.
    static let dashes = ["", "6 3", "2 3", "9 3 2 3", "1 5", "12 4"]

    /// The chart as a standalone, accessible SVG document fragment.
    public func svg() -> String {
        let width = Self.left + Self.plotWidth + 20
        let height = Self.top + Self.plotHeight + 40
        let bottom = Self.top + Self.plotHeight
        let maximum = max(periods.flatMap(\.values).max() ?? 0, 1)
        let step = periods.isEmpty ? Self.plotWidth : Self.plotWidth / periods.count
        func y(_ value: Int) -> Int { bottom - value * Self.plotHeight / maximum }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
            role="img" aria-labelledby="\(id)-title \(id)-desc" font-family="sans-serif" font-size="12">\
            <title id="\(id)-title">\(escape(title))</title><desc id="\(id)-desc">\(escape(description))</desc>
            """
        var x = Self.left
        for (index, name) in series.enumerated() {
            svg +=
                "<line x1=\"\(x)\" y1=\"14\" x2=\"\(x + 18)\" y2=\"14\" stroke=\"\(Self.colour(index))\" stroke-width=\"3\"\(Self.dash(index))/>"
                + "<text x=\"\(x + 22)\" y=\"18\">\(escape(name))</text>"
            x += 30 + name.count * 7
        }
        // The axes, the scale's top and the periods' labels (about six of them).
        svg +=
            "<path d=\"M\(Self.left) \(Self.top)V\(bottom)H\(Self.left + Self.plotWidth)\" fill=\"none\" stroke=\"#1a1a1a\"/>"
            + "<text x=\"\(Self.left - 6)\" y=\"\(Self.top + 4)\" text-anchor=\"end\">\(maximum)</text>"
            + "<text x=\"\(Self.left - 6)\" y=\"\(bottom + 4)\" text-anchor=\"end\">0</text>"
        let every = max(1, (periods.count + 5) / 6)
        for (index, period) in periods.enumerated() where index % every == 0 || index == periods.count - 1 {
            svg +=
                "<text x=\"\(Self.left + index * step + step / 2)\" y=\"\(bottom + 18)\" text-anchor=\"middle\">\(escape(period.label))</text>"
        }
        // One line a series: level over each period, a vertical step between periods.
        for (index, name) in series.enumerated() where !periods.isEmpty {
            var path = ""
            var total = 0
            for (position, period) in periods.enumerated() {
                let value = index < period.values.count ? period.values[index] : 0
                total += value
                path += position == 0 ? "M\(Self.left) \(y(value))" : "V\(y(value))"
                path += "H\(Self.left + (position + 1) * step)"
            }
            svg +=
                "<path d=\"\(path)\" fill=\"none\" stroke=\"\(Self.colour(index))\" stroke-width=\"2\"\(Self.dash(index))>"
                + "<title>\(escape(name)): \(total)</title></path>"
        }
        return svg + "</svg>"
    }

    /// The numbers of the chart as an HTML table (a row a period), captioned with its title.
    public func table() -> String {
        BarChart(
            id: id, title: title, description: description, series: series, bars: periods,
            categoryHeader: periodHeader, totalHeader: totalHeader
        ).table()
    }

    /// The chart and its table side by side in a `<figure>`.
    public func figure() -> String {
        "<figure class=\"chart\" aria-labelledby=\"\(id)-caption\"><figcaption id=\"\(id)-caption\">\(escape(title))</figcaption>"
            + svg() + table() + "</figure>"
    }

    private func escape(_ text: String) -> String { OfficeXML.escape(text) }

    private static func colour(_ index: Int) -> String { BarChart.palette[index % BarChart.palette.count] }

    private static func dash(_ index: Int) -> String {
        let pattern = dashes[index % dashes.count]
        return pattern.isEmpty ? "" : " stroke-dasharray=\"\(pattern)\""
    }
}
