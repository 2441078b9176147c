/// Who is calling: the user, organisation and replica behind a bearer token.
///
/// Always derived from the authenticated session on the server, never from a payload.
public struct Session: Sendable, Equatable {
    /// The user's name.
    public var user: String
    /// The user's organisation id.
    public var org: String
    /// The organisation's kind.
    public var orgKind: OrganisationKind
    /// The replica (device) the token was issued to.
    public var replica: String
    /// Whether the user was ever moved from one organisation to another (`move-user`): edits
    /// this session pushes must then say which organisation they were made for (`PushRequest.org`).
    public var userWasMoved = false

    /// The organisation as the access policy sees it.
    public var viewer: Viewer { Viewer(org: org, role: orgKind) }

    /// Creates a session.
    public init(user: String, org: String, orgKind: OrganisationKind, replica: String) {
        self.user = user
        self.org = org
        self.orgKind = orgKind
        self.replica = replica
    }
}
