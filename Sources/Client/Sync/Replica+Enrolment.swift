import Foundation
import Shared

extension Replica {
    /// Signs in to the server and creates a replica in `directory` registered as a device of the user.
    ///
    /// What `followup init` does. The password is used once for the sign-in and never stored.
    public static func enrol(
        directory: String, serverURL: String, user: String, password: String,
        deviceName: String? = ProcessInfo.processInfo.hostName
    ) async throws -> Replica {
        let transport = HTTPSyncTransport(baseURL: serverURL, token: nil)
        let login = try await transport.login(LoginRequest(user: user, password: password, deviceName: deviceName))
        try requireKnownSchema(login.schemaVersion)
        let replica = try Replica.create(directory: directory, serverURL: transport.baseURL, login: login)
        // Pins the key that signs the server's audit log (a server without one is pinned at the
        // first head a pull brings).
        if let head = try? await HTTPSyncTransport(baseURL: transport.baseURL, token: login.token).treeHead() {
            try replica.observe(head)
        }
        return replica
    }
}

/// Refuses a server whose schema is newer than this build's: its rows could not be stored.
func requireKnownSchema(_ serverSchema: Int) throws {
    guard serverSchema <= ProtocolVersion.schema else {
        throw ReplicaError(
            .upgradeRequired,
            "the server uses schema version \(serverSchema) but this followup knows only \(ProtocolVersion.schema); update followup"
        )
    }
}
