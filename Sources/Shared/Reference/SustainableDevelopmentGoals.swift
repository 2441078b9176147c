/// The 17 Sustainable Development Goals of the 2030 Agenda and their 169 targets.
///
/// Recommendations are linked to SDG targets by code ("5.2"); a goal alone ("5") may be given too.
public enum SustainableDevelopmentGoals {
    /// One Sustainable Development Goal with its official short title and target codes.
    public struct Goal: Sendable, Hashable {
        /// The goal's number, from 1 to 17.
        public let number: Int

        /// The official short title, such as "Gender equality".
        public let title: String

        /// The codes of the goal's targets, such as "5.1" to "5.6" and "5.a" to "5.c", in official order.
        public let targets: [String]
    }

    /// The 17 goals in order, with 169 targets in all (checked by scripts/reference/count_sdg_targets.py).
    public static let goals: [Goal] = [
        Goal(
            number: 1,
            title: "No poverty",
            targets: ["1.1", "1.2", "1.3", "1.4", "1.5", "1.a", "1.b"]
        ),
        Goal(
            number: 2,
            title: "Zero hunger",
            targets: ["2.1", "2.2", "2.3", "2.4", "2.5", "2.a", "2.b", "2.c"]
        ),
        Goal(
            number: 3,
            title: "Good health and well-being",
            targets: ["3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9", "3.a", "3.b", "3.c", "3.d"]
        ),
        Goal(
            number: 4,
            title: "Quality education",
            targets: ["4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.a", "4.b", "4.c"]
        ),
        Goal(
            number: 5,
            title: "Gender equality",
            targets: ["5.1", "5.2", "5.3", "5.4", "5.5", "5.6", "5.a", "5.b", "5.c"]
        ),
        Goal(
            number: 6,
            title: "Clean water and sanitation",
            targets: ["6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.a", "6.b"]
        ),
        Goal(
            number: 7,
            title: "Affordable and clean energy",
            targets: ["7.1", "7.2", "7.3", "7.a", "7.b"]
        ),
        Goal(
            number: 8,
            title: "Decent work and economic growth",
            targets: ["8.1", "8.2", "8.3", "8.4", "8.5", "8.6", "8.7", "8.8", "8.9", "8.10", "8.a", "8.b"]
        ),
        Goal(
            number: 9,
            title: "Industry, innovation and infrastructure",
            targets: ["9.1", "9.2", "9.3", "9.4", "9.5", "9.a", "9.b", "9.c"]
        ),
        Goal(
            number: 10,
            title: "Reduced inequalities",
            targets: ["10.1", "10.2", "10.3", "10.4", "10.5", "10.6", "10.7", "10.a", "10.b", "10.c"]
        ),
        Goal(
            number: 11,
            title: "Sustainable cities and communities",
            targets: ["11.1", "11.2", "11.3", "11.4", "11.5", "11.6", "11.7", "11.a", "11.b", "11.c"]
        ),
        Goal(
            number: 12,
            title: "Responsible consumption and production",
            targets: ["12.1", "12.2", "12.3", "12.4", "12.5", "12.6", "12.7", "12.8", "12.a", "12.b", "12.c"]
        ),
        Goal(
            number: 13,
            title: "Climate action",
            targets: ["13.1", "13.2", "13.3", "13.a", "13.b"]
        ),
        Goal(
            number: 14,
            title: "Life below water",
            targets: ["14.1", "14.2", "14.3", "14.4", "14.5", "14.6", "14.7", "14.a", "14.b", "14.c"]
        ),
        Goal(
            number: 15,
            title: "Life on land",
            targets: ["15.1", "15.2", "15.3", "15.4", "15.5", "15.6", "15.7", "15.8", "15.9", "15.a", "15.b", "15.c"]
        ),
        Goal(
            number: 16,
            title: "Peace, justice and strong institutions",
            targets: ["16.1", "16.2", "16.3", "16.4", "16.5", "16.6", "16.7", "16.8", "16.9", "16.10", "16.a", "16.b"]
        ),
        Goal(
            number: 17,
            title: "Partnerships for the goals",
            targets: [
                "17.1", "17.2", "17.3", "17.4", "17.5", "17.6", "17.7", "17.8", "17.9", "17.10", "17.11", "17.12",
                "17.13", "17.14", "17.15", "17.16", "17.17", "17.18", "17.19",
            ]
        ),
    ]

    /// Every target code of every goal (169), in official order.
    public static let allTargets: [String] = goals.flatMap(\.targets)

    /// Returns the goal with this number (1 to 17), or nil.
    public static func goal(_ number: Int) -> Goal? {
        goals.first { $0.number == number }
    }

    /// Returns whether `code` is the code of an SDG target, such as "5.2" or "16.a".
    public static func isTarget(_ code: String) -> Bool {
        targetSet.contains(code)
    }

    /// Returns whether `code` is a goal number ("5") or the code of a target ("5.2").
    public static func isGoalOrTarget(_ code: String) -> Bool {
        goalCodes.contains(code) || targetSet.contains(code)
    }

    private static let targetSet: Set<String> = Set(allTargets)

    private static let goalCodes: Set<String> = Set(goals.map { String($0.number) })
}
