import Foundation

/// The table many States send the UN beside their reports: one row a recommendation with its
/// source, the State's position, who is responsible, what was done and where it stands.
public struct ImplementationMatrix: Sendable, Equatable {
    /// One row of the matrix; codes (position, status) are left for the catalog to name.
    public struct Row: Sendable, Equatable {
        /// Symbol and paragraph, then the text.
        public var recommendation: String
        /// The source: mechanism, session, cycle and the recommending States.
        public var mechanism: String?
        public var session: Int?
        public var cycle: Int?
        public var recommendingStates: [String]
        public var position: String?
        /// The lead institutions (the contributing ones when none leads).
        public var responsible: [String]
        /// The published actions' titles.
        public var actionsTaken: [String]
        public var status: ImplementationStatus
    }

    public var rows: [Row]

    /// The matrix of `report`: its entries, in order.
    public init(report: Report) {
        rows = report.entries.map { entry in
            let reference = [entry.symbol, entry.paragraph.map { "¶ \($0)" }].compactMap { $0 }.joined(separator: " ")
            return Row(
                recommendation: reference.isEmpty ? entry.text : "\(reference): \(entry.text)",
                mechanism: entry.mechanism, session: entry.session, cycle: entry.cycle,
                recommendingStates: entry.recommendingStates, position: entry.position,
                responsible: entry.lead.isEmpty ? entry.contributing : entry.lead,
                actionsTaken: entry.actions.map(\.title), status: entry.status)
        }
    }
}
