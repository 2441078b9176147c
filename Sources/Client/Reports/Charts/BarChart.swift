import Foundation

/// A horizontal bar chart, stacked by series, rendered on the server as SVG with a title, a
/// description and the numbers as an HTML table beside it (for screen readers and print).
///
/// Pure: the same data always gives the same text, so tests read the output directly.
public struct BarChart: Sendable, Equatable {
    /// One bar: a category (a mechanism, a cluster...) and a value a series.
    public struct Bar: Sendable, Equatable {
        public var label: String
        /// One value a series, in the order of `series`.
        public var values: [Int]

        public init(label: String, values: [Int]) {
            self.label = label
            self.values = values
        }

        public var total: Int { values.reduce(0, +) }
    }

    /// A stable identifier, used for the ids of the title and description.
    public var id: String
    public var title: String
    /// What the chart shows, in a sentence (the SVG's `<desc>`).
    public var description: String
    /// The series' names (the statuses, or one name for a simple bar chart).
    public var series: [String]
    public var bars: [Bar]
    /// The table's header of the category column.
    public var categoryHeader: String
    /// The table's header of the total column.
    public var totalHeader: String

    public init(
        id: String, title: String, description: String, series: [String], bars: [Bar], categoryHeader: String,
        totalHeader: String
    ) {
        self.id = id
        self.title = title
        self.description = description
        self.series = series
        self.bars = bars
        self.categoryHeader = categoryHeader
        self.totalHeader = totalHeader
    }

    /// The colours of the series, in order (distinguishable in greyscale too).
    static let palette = ["#8c8c8c", "#f4b400", "#2a6ebb", "#1e8449", "#7030a0", "#c0392b"]

    /// Layout, in SVG user units.
    static let labelWidth = 220
    static let barAreaWidth = 420
    static let rowHeight = 28
    static let barHeight = 18
    static let top = 40

    /// The chart as a standalone, accessible SVG document fragment.
    public func svg() -> String {
        let height = Self.top + max(bars.count, 1) * Self.rowHeight + 30
        let width = Self.labelWidth + Self.barAreaWidth + 60
        let maximum = max(bars.map(\.total).max() ?? 0, 1)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
            role="img" aria-labelledby="\(id)-title \(id)-desc" font-family="sans-serif" font-size="12">\
            <title id="\(id)-title">\(escape(title))</title><desc id="\(id)-desc">\(escape(description))</desc>
            """
        // The legend.
        var x = Self.labelWidth
        for (index, name) in series.enumerated() where series.count > 1 {
            svg +=
                "<rect x=\"\(x)\" y=\"8\" width=\"12\" height=\"12\" fill=\"\(Self.colour(index))\"/>"
                + "<text x=\"\(x + 16)\" y=\"18\">\(escape(name))</text>"
            x += 24 + name.count * 7
        }
        if bars.isEmpty {
            svg += "<text x=\"\(Self.labelWidth)\" y=\"\(Self.top + 14)\">0</text>"
        }
        for (row, bar) in bars.enumerated() {
            let y = Self.top + row * Self.rowHeight
            svg +=
                "<text x=\"\(Self.labelWidth - 8)\" y=\"\(y + 13)\" text-anchor=\"end\">\(escape(Self.clip(bar.label)))</text>"
            var offset = 0
            for (index, value) in bar.values.enumerated() where value > 0 {
                let start = Self.labelWidth + offset * Self.barAreaWidth / maximum
                let end = Self.labelWidth + (offset + value) * Self.barAreaWidth / maximum
                let name = index < series.count ? series[index] : ""
                svg +=
                    "<rect x=\"\(start)\" y=\"\(y)\" width=\"\(max(end - start, 1))\" height=\"\(Self.barHeight)\" fill=\"\(Self.colour(index))\">"
                    + "<title>\(escape(bar.label)): \(escape(name)) \(value)</title></rect>"
                offset += value
            }
            let end = Self.labelWidth + offset * Self.barAreaWidth / maximum
            svg += "<text x=\"\(end + 6)\" y=\"\(y + 13)\">\(bar.total)</text>"
        }
        return svg + "</svg>"
    }

    /// The numbers of the chart as an HTML table, captioned with the chart's title.
    public func table() -> String {
        var html = "<table id=\"\(id)-table\"><caption>\(escape(title))</caption><thead><tr>"
        html += "<th scope=\"col\">\(escape(categoryHeader))</th>"
        if series.count > 1 { html += series.map { "<th scope=\"col\">\(escape($0))</th>" }.joined() }
        html += "<th scope=\"col\">\(escape(totalHeader))</th></tr></thead><tbody>"
        for bar in bars {
            html += "<tr><th scope=\"row\">\(escape(bar.label))</th>"
            if series.count > 1 { html += bar.values.map { "<td>\($0)</td>" }.joined() }
            html += "<td>\(bar.total)</td></tr>"
        }
        return html + "</tbody></table>"
    }

    /// The chart and its table side by side in a `<figure>`.
    public func figure() -> String {
        "<figure class=\"chart\" aria-labelledby=\"\(id)-caption\"><figcaption id=\"\(id)-caption\">\(escape(title))</figcaption>"
            + svg() + table() + "</figure>"
    }

    private func escape(_ text: String) -> String { OfficeXML.escape(text) }

    private static func colour(_ index: Int) -> String { palette[index % palette.count] }

    /// A label short enough for the label column (the table keeps it whole).
    static func clip(_ label: String) -> String {
        label.count > 32 ? String(label.prefix(31)) + "…" : label
    }
}
