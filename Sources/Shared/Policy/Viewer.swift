/// The kinds of organisation, from which roles derive.
public enum OrganisationKind: String, Sendable, Codable, CaseIterable {
    case secretariat
    case ministry
    /// Courts and the judicial council: assigned work like a ministry.
    case judiciary
    case parliament
    case nhri
    case ngo
    /// The UN country team: reads what parliament reads, and may submit information.
    case unCountryTeam = "un_country_team"
}

/// One key of a row's audience: a row is readable by a viewer when they share a key.
///
/// Stored as text on the server (`public`, `role:ministry`, `org:moj`) and indexed, so a pull
/// reads only the rows filed under the viewer's own three keys.
public enum AudienceKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Everyone signed in.
    case everyone
    /// Every organisation of a kind.
    case role(OrganisationKind)
    /// One organisation.
    case organisation(String)

    /// The stored form.
    public var description: String {
        switch self {
        case .everyone: "public"
        case .role(let kind): "role:" + kind.rawValue
        case .organisation(let id): "org:" + id
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.description < rhs.description }
}

/// Who reads or writes: an organisation and its kind, taken from the authenticated session.
public struct Viewer: Sendable, Hashable {
    /// The organisation's id.
    public var org: String
    /// The organisation's kind (its role).
    public var role: OrganisationKind

    /// Creates a viewer.
    public init(org: String, role: OrganisationKind) {
        self.org = org
        self.role = role
    }

    /// The audience keys this viewer holds: everyone, its role and its organisation.
    public var audienceKeys: [AudienceKey] { [.everyone, .role(role), .organisation(org)] }
}
