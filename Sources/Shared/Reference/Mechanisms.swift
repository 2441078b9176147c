/// The UN human-rights mechanisms whose recommendations are followed up.
///
/// Stored codes are those of `all` (the UPR and the ten treaty bodies), `SP:<mandate>` for a special
/// procedure (such as "SP:torture") and `REG:<name>` for a regional body (such as "REG:IACHR").
public enum Mechanisms {
    /// One mechanism with its code, English name and kind ("upr" or "treaty_body").
    public struct Mechanism: Sendable, Hashable {
        /// The code stored on recommendations, such as "UPR" or "CEDAW".
        public let code: String

        /// The English name, such as "Committee against Torture".
        public let name: String

        /// The kind of mechanism: "upr" or "treaty_body".
        public let kind: String
    }

    /// The kind of the Universal Periodic Review.
    public static let uprKind = "upr"

    /// The kind of the ten treaty bodies.
    public static let treatyBodyKind = "treaty_body"

    /// The prefix of a special procedure's code, followed by its mandate.
    public static let specialProcedurePrefix = "SP:"

    /// The prefix of a regional body's code, followed by its name.
    public static let regionalPrefix = "REG:"

    /// The Universal Periodic Review and the ten treaty bodies, in that order.
    public static let all: [Mechanism] = [
        Mechanism(code: "UPR", name: "Universal Periodic Review", kind: uprKind),
        Mechanism(code: "CCPR", name: "Human Rights Committee", kind: treatyBodyKind),
        Mechanism(code: "CESCR", name: "Committee on Economic, Social and Cultural Rights", kind: treatyBodyKind),
        Mechanism(code: "CAT", name: "Committee against Torture", kind: treatyBodyKind),
        Mechanism(code: "SPT", name: "Subcommittee on Prevention of Torture", kind: treatyBodyKind),
        Mechanism(code: "CRC", name: "Committee on the Rights of the Child", kind: treatyBodyKind),
        Mechanism(
            code: "CEDAW", name: "Committee on the Elimination of Discrimination against Women",
            kind: treatyBodyKind),
        Mechanism(
            code: "CERD", name: "Committee on the Elimination of Racial Discrimination", kind: treatyBodyKind),
        Mechanism(
            code: "CRPD", name: "Committee on the Rights of Persons with Disabilities", kind: treatyBodyKind),
        Mechanism(code: "CMW", name: "Committee on Migrant Workers", kind: treatyBodyKind),
        Mechanism(code: "CED", name: "Committee on Enforced Disappearances", kind: treatyBodyKind),
    ]

    /// Returns the mechanism of `all` with this code, or nil (also for special procedures and regional bodies).
    public static func mechanism(forCode code: String) -> Mechanism? {
        all.first { $0.code == code }
    }

    /// Returns whether `code` names a known mechanism.
    ///
    /// That is a code of `all`, `SP:` followed by a non-blank mandate, or `REG:` followed by a
    /// non-blank name.
    public static func isKnownCode(_ code: String) -> Bool {
        if all.contains(where: { $0.code == code }) {
            return true
        }
        for prefix in [specialProcedurePrefix, regionalPrefix] where code.hasPrefix(prefix) {
            return code.dropFirst(prefix.count).contains { !$0.isWhitespace }
        }
        return false
    }
}
