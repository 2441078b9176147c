import Foundation
import GRDB
import RowStorage
import Shared

extension SQLiteServerStorage {
    public func addOrganisation(id: String, name: String, kind: OrganisationKind) async throws {
        let (rows, now, signer) = (self.rows, clock.nowMillis(), self.signer)
        let recorder = ChangeRecorder(planner: FeedPlanner(policy: policy))
        try await writer.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM organisation WHERE id = ?", arguments: [id]) == true {
                throw ServiceError(.malformedRequest, "an organisation with id '\(id)' already exists")
            }
            try db.execute(
                sql: "INSERT INTO organisation (id, name, kind, created_at) VALUES (?, ?, ?, ?)",
                arguments: [id, name, kind.rawValue, now])
            // The institution that stands for the organisation, written as the operator.
            let operation = try Self.operatorOperation(
                table: "institution", fields: ["name": .text(name), "kind": .text(kind.rawValue), "org_id": .text(id)],
                now: now, db)
            _ = try recorder.record(operation, over: nil, receivedAt: now, in: SQLiteSyncStore(db: db, rows: rows))
            try Self.signHeadIfGrown(db, signer: signer, now: now)
        }
    }

    public func addUser(name: String, org: String, passwordHash: String) async throws {
        let now = clock.nowMillis()
        try await writer.write { db in
            try Self.requireOrganisation(org, db)
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM user_account WHERE name = ?", arguments: [name]) == true {
                throw ServiceError(.malformedRequest, "a user named '\(name)' already exists")
            }
            try db.execute(
                sql: "INSERT INTO user_account (name, org_id, password_hash, created_at) VALUES (?, ?, ?, ?)",
                arguments: [name, org, passwordHash, now])
        }
    }

    public func setUserDisabled(name: String, disabled: Bool) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE user_account SET disabled = ? WHERE name = ?", arguments: [disabled, name])
            guard db.changesCount == 1 else {
                throw ServiceError(.malformedRequest, "there is no user named '\(name)'")
            }
            // Enabling again starts afresh: the tokens of before the disabling stay dead.
            if !disabled { try Self.revoke(user: name, keeping: nil, db) }
        }
    }

    public func touchSession(tokenHash: String, now: Int64) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE auth_session SET last_used_at = ? WHERE token_hash = ?", arguments: [now, tokenHash])
        }
    }

    public func revokeSessions(user: String?, device: String?, keeping: String?) async throws -> Int {
        try await writer.write { db in
            if let user {
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM user_account WHERE name = ?", arguments: [user]) == true
                else { throw ServiceError(.malformedRequest, "there is no user named '\(user)'") }
                return try Self.revoke(user: user, keeping: keeping, db)
            }
            guard let device,
                try Bool.fetchOne(db, sql: "SELECT 1 FROM device WHERE id = ?", arguments: [device]) == true
            else { throw ServiceError(.malformedRequest, "there is no device (replica) '\(device ?? "")'") }
            try db.execute(
                sql: "UPDATE auth_session SET revoked = 1 WHERE device_id = ? AND revoked = 0", arguments: [device])
            return db.changesCount
        }
    }

    @discardableResult
    private static func revoke(user: String, keeping: String?, _ db: Database) throws -> Int {
        try db.execute(
            sql: """
                UPDATE auth_session SET revoked = 1
                WHERE revoked = 0 AND token_hash != ?
                  AND device_id IN (SELECT id FROM device WHERE user_name = ?)
                """,
            arguments: [keeping ?? "", user])
        return db.changesCount
    }

    public func sessions(user: String?) async throws -> [DeviceSession] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.id, d.name, d.user_name, s.created_at, coalesce(s.last_used_at, s.created_at), s.revoked
                    FROM auth_session s JOIN device d ON d.id = s.device_id
                    WHERE ?1 IS NULL OR d.user_name = ?1
                    ORDER BY s.created_at DESC, d.id
                    """,
                arguments: [user]
            ).map {
                DeviceSession(
                    device: $0[0], deviceName: $0[1], user: $0[2], createdAt: $0[3], lastUsedAt: $0[4], revoked: $0[5])
            }
        }
    }

    public func setPasswordHash(user: String, hash: String, revokingSessionsExcept keeping: String?) async throws
        -> Int
    {
        try await writer.write { db in
            try db.execute(sql: "UPDATE user_account SET password_hash = ? WHERE name = ?", arguments: [hash, user])
            guard db.changesCount == 1 else {
                throw ServiceError(.malformedRequest, "there is no user named '\(user)'")
            }
            return try Self.revoke(user: user, keeping: keeping, db)
        }
    }

    public func credentials(user: String) async throws -> (passwordHash: String, disabled: Bool)? {
        try await writer.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT password_hash, disabled FROM user_account WHERE name = ?", arguments: [user])
            else { return nil }
            return (row[0], row[1])
        }
    }

    public func openSession(
        user: String, replica: String?, deviceName: String?, tokenHash: String, now: Int64
    ) async throws -> Session {
        try await writer.write { db in
            var deviceID: String
            if let replica,
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM device WHERE id = ? AND user_name = ?", arguments: [replica, user])
                    == true
            {
                deviceID = replica
            } else {
                deviceID = UUIDv7.make(millis: now)
                try db.execute(
                    sql: "INSERT INTO device (id, user_name, name, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [deviceID, user, deviceName, now])
            }
            try db.execute(
                sql: "INSERT INTO auth_session (token_hash, device_id, created_at) VALUES (?, ?, ?)",
                arguments: [tokenHash, deviceID, now])
            guard let stored = try Self.fetchSession(db, tokenHash: tokenHash), !stored.disabled else {
                throw ServiceError(.accountDisabled, "the account '\(user)' is disabled")
            }
            return stored.session
        }
    }

    public func session(tokenHash: String) async throws -> StoredSession? {
        try await writer.read { db in try Self.fetchSession(db, tokenHash: tokenHash) }
    }

    private static func fetchSession(_ db: Database, tokenHash: String) throws -> StoredSession? {
        let sql = """
            SELECT u.name, o.id, o.kind, d.id, u.disabled, s.created_at, coalesce(s.last_used_at, s.created_at),
              u.moved_at IS NOT NULL
            FROM auth_session s
            JOIN device d ON d.id = s.device_id
            JOIN user_account u ON u.name = d.user_name
            JOIN organisation o ON o.id = u.org_id
            WHERE s.token_hash = ? AND s.revoked = 0
            """
        guard let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [tokenHash]),
            let kind = OrganisationKind(rawValue: row[2])
        else { return nil }
        var session = Session(user: row[0], org: row[1], orgKind: kind, replica: row[3])
        session.userWasMoved = row[7]
        return StoredSession(session: session, disabled: row[4], createdAt: row[5], lastUsedAt: row[6])
    }

    /// Throws unless `org` is an organisation users may belong to (not the operator's).
    private static func requireOrganisation(_ org: String, _ db: Database) throws {
        guard
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM organisation WHERE id = ? AND kind != 'operator'", arguments: [org]) == true
        else {
            throw ServiceError(.malformedRequest, "there is no organisation '\(org)'; add it first with add-org")
        }
    }

    public func moveUser(name: String, org: String) async throws {
        let now = clock.nowMillis()
        try await writer.write { db in
            try Self.requireOrganisation(org, db)
            try db.execute(
                sql: "UPDATE user_account SET org_id = ?, moved_at = ? WHERE name = ? AND org_id != '_operator'",
                arguments: [org, now, name])
            guard db.changesCount == 1 else {
                throw ServiceError(.malformedRequest, "there is no user named '\(name)'")
            }
        }
    }

    public func setDeploymentState(_ state: String) async throws {
        let code = state.uppercased()
        guard Countries.name(forCode: code) != nil else {
            throw ServiceError(.malformedRequest, "'\(state)' is not an ISO 3166 alpha-3 code of a State (e.g. MAR)")
        }
        try await writer.write { db in
            try db.execute(sql: "UPDATE deployment SET state = ?", arguments: [code])
        }
    }

    public func viewer(ofUser user: String) async throws -> Viewer? {
        try await writer.read { db in
            guard
                let account = try Row.fetchOne(
                    db,
                    sql:
                        "SELECT o.id, o.kind FROM user_account u JOIN organisation o ON o.id = u.org_id WHERE u.name = ?",
                    arguments: [user])
            else { throw ServiceError(.malformedRequest, "there is no user named '\(user)'") }
            return OrganisationKind(rawValue: account[1]).map { Viewer(org: account[0], role: $0) }
        }
    }
}

/// Rows the server itself writes, as the operator: reference data and the institution row of
/// each organisation. They go through the operation log like any edit, so replicas pull them.
extension SQLiteServerStorage {
    /// The id of the operator's own organisation, user and owner of the rows it writes.
    public static let operatorIdentity = "_operator"

    /// A new row as the operator writes it, stamped by the server's own clock and device.
    static func operatorOperation(
        table: String, fields: [String: FieldValue], now: Int64, _ db: Database
    ) throws -> SyncOperation {
        guard
            let device = try String.fetchOne(
                db, sql: "SELECT id FROM device WHERE user_name = ? ORDER BY created_at LIMIT 1",
                arguments: [operatorIdentity])
        else { throw ServiceError(.internalError, "the operator's device is missing") }
        var clock = HybridLogicalClock(
            last: HLCTimestamp(try String.fetchOne(db, sql: "SELECT hlc_last FROM server_clock") ?? "")
                ?? HLCTimestamp(physical: 0))
        let hlc = clock.tick(now: now)
        try db.execute(sql: "UPDATE server_clock SET hlc_last = ?", arguments: [hlc.description])
        var stamped = fields
        stamped["owner_org"] = .text(operatorIdentity)
        stamped["created_by"] = .text(operatorIdentity)
        return SyncOperation(
            id: UUIDv7.make(millis: now), table: table, row: UUIDv7.make(millis: now), kind: .upsert,
            fields: stamped, hlc: hlc, replica: device, author: operatorIdentity, org: operatorIdentity)
    }
}
