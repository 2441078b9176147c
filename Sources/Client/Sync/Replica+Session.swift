import Foundation
import Shared

/// How a sign-in on an existing replica ended.
public enum SignInOutcome: Sendable, Equatable {
    /// The replica's own account signed in again; its new session is stored.
    case signedIn(user: String)
    /// Another account of the replica's organisation took the replica over: `setAside` unsent
    /// edits of `previousUser` moved to the rejected list (`account_changed`) for review.
    case tookOver(user: String, org: String, previousUser: String, setAside: Int)
}

extension Replica {
    /// Signs in to the replica's server again: as the replica's own user (after a session was
    /// revoked), or as another account of its organisation, which then takes the replica over.
    ///
    /// What `followup login` does. The password is used once and never stored. Fails with
    /// `upgrade_required` when the server's schema is newer, `wrong_organisation` when the other
    /// account is not of the replica's organisation, and `wrong_replica` when the server does not
    /// recognise this replica; nothing changes locally then.
    ///
    /// - Parameter user: the account; nil for the replica's own user.
    public func signIn(
        user: String?, password: String, deviceName: String? = ProcessInfo.processInfo.hostName
    ) async throws -> SignInOutcome {
        let settings = try settings()
        let name = user ?? settings.userName
        let transport = HTTPSyncTransport(baseURL: settings.serverURL, token: nil)
        if name != settings.userName {
            // Another account takes the replica over (the first was disabled or left).
            let login = try await transport.login(LoginRequest(user: name, password: password, deviceName: deviceName))
            try requireKnownSchema(login.schemaVersion)
            // The previous account's unsent edits stay here for review: only a colleague
            // of the same organisation may see them.
            guard login.org == settings.org else {
                throw ReplicaError(
                    .wrongOrganisation,
                    "\(login.user) belongs to \(login.org), not \(settings.org); create a new replica for this account"
                )
            }
            let setAside = try adopt(login)
            return .tookOver(user: login.user, org: login.org, previousUser: settings.userName, setAside: setAside)
        }
        let login = try await transport.login(
            LoginRequest(user: name, password: password, replica: settings.replicaID))
        try requireKnownSchema(login.schemaVersion)
        guard login.replica == settings.replicaID else {
            throw ReplicaError(.wrongReplica, "the server did not recognise this replica; create a new one")
        }
        try setToken(login.token)
        return .signedIn(user: login.user)
    }

    /// Changes the password of the replica's user on the server; the user's other devices are
    /// signed out there, this one stays signed in.
    ///
    /// - Returns: how many other sessions the server revoked.
    public func changePassword(current: String, new: String) async throws -> Int {
        try await serverTransport().changePassword(
            PasswordChangeRequest(currentPassword: current, newPassword: new)
        ).revokedSessions
    }
}
