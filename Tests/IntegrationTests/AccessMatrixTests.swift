import Client
import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import Server

/// A signed-in account speaking HTTP to the server, stamping its own operations.
final class Account {
    let user: String
    let org: String
    let replica: String
    let transport: HTTPSyncTransport
    private var clock = HybridLogicalClock()

    init(user: String, org: String, url: String) async throws {
        let login = try await HTTPSyncTransport(baseURL: url, token: nil).login(
            LoginRequest(user: user, password: "\(user)-pass"))
        self.user = user
        self.org = org
        self.replica = login.replica
        self.transport = HTTPSyncTransport(baseURL: url, token: login.token)
    }

    /// A new operation of this account's replica.
    func operation(_ table: String, _ row: String, _ fields: [String: FieldValue] = [:], delete: Bool = false)
        -> SyncOperation
    {
        let hlc = clock.tick(now: SystemWallClock().nowMillis())
        return SyncOperation(
            id: UUIDv7.make(millis: hlc.physical), table: table, row: row, kind: delete ? .delete : .upsert,
            fields: fields, hlc: hlc, replica: replica)
    }

    /// Pushes one upsert and answers its verdict.
    @discardableResult
    func write(_ table: String, _ row: String, _ fields: [String: FieldValue]) async throws -> Verdict {
        try await transport.push(PushRequest(ops: [operation(table, row, fields)])).verdicts[0]
    }

    /// Creates a row that must be accepted; answers its id.
    func create(_ table: String, _ fields: [String: FieldValue]) async throws -> String {
        let id = UUIDv7.make()
        let verdict = try await write(table, id, fields)
        #expect(verdict.status == .accepted, "\(user) creating \(table): \(verdict.message ?? "")")
        return id
    }

    /// Every row a fresh pull from cursor 0 brings: id -> values.
    func pullEverything() async throws -> [String: [String: FieldValue]] {
        var rows: [String: [String: FieldValue]] = [:]
        var cursor: Int64 = 0
        while true {
            let page = try await transport.pull(PullRequest(cursor: cursor, limit: 500))
            for change in page.changes {
                switch change.kind {
                case .row: rows[change.row] = change.fields
                case .purge: rows[change.row] = nil
                }
            }
            cursor = page.cursor
            if !page.more { return rows }
        }
    }
}

/// The policy checked cell by cell against the real server over HTTP.
@Suite("Access matrix: every role, table and state, read and write, over HTTP")
struct AccessMatrixTests {
    /// One row in one visibility state, and who may read and change it according to the
    /// domain notes' table, written out by hand (S secretariat, A the assigned ministry, B the
    /// other ministry, P parliament, N the NHRI, G the owning NGO, H the other NGO).
    struct Cell {
        var table: String
        var state: String
        var id: String
        var readers: String
        var writers: String
        var touch: [String: FieldValue]
    }

    static let letters: [String: String] = [
        "sara": "S", "malik": "A", "mona": "B", "pia": "P", "nadia": "N", "omar": "G", "olga": "H", "jude": "J",
        "uma": "U",
    ]

    /// An X25519 public key's text (32 bytes, base64), different for each `seed`.
    static func publicKey(_ seed: UInt8) -> String {
        Data((0..<32).map { seed &+ UInt8($0) }).base64EncodedString()
    }

    /// The (table, state) pairs the policy distinguishes: the matrix must cover each of them.
    static func policyStates() -> Set<String> {
        var pairs: Set<String> = []
        for line in AccessPolicy.standard.lines {
            for table in line.tables {
                switch line.reads {
                case .always, .asParent: pairs.insert(table)
                case .byValue: for path in paths(line.reads) { pairs.insert(table + "/" + path) }
                }
            }
        }
        return pairs
    }

    /// The values a read rule tells apart, nested values joined by "/" ("false/published").
    static func paths(_ rule: ReadRule) -> [String] {
        guard case .byValue(_, _, let cases) = rule else { return [] }
        return cases.flatMap { item in
            let nested = paths(item.readers)
            return nested.isEmpty ? [item.value] : nested.map { item.value + "/" + $0 }
        }
    }

    @Test("reads, changes, moves and creates, for every cell the policy distinguishes")
    func matrix() async throws {
        try await LiveServer.run("matrix", members: Cast.liveMembers) { server in
            let (storage, url) = (server.storage, server.url)
            var accounts: [String: Account] = [:]
            for member in Cast.members {
                accounts[member.user] = try await Account(user: member.user, org: member.org, url: url)
            }
            let (s, a, p, n, g) = (
                accounts["sara"]!, accounts["malik"]!, accounts["pia"]!, accounts["nadia"]!, accounts["omar"]!
            )
            let seen = try await s.pullEverything()
            func institution(_ org: String) throws -> String {
                try #require(seen.first { $0.value["org_id"] == .text(org) }?.key)
            }
            let mechanism = try #require(seen.first { $0.value["code"] == .text("UPR") }?.key)
            let moj = try institution("moj")

            // Public records, by the secretariat.
            let rec = try await s.create("recommendation", ["text": .text("Ratify OPCAT")])
            let rec2 = try await s.create("recommendation", ["text": .text("Adopt a national action plan")])
            let cluster = try await s.create("cluster", ["title": .text("Torture prevention")])
            let member = try await s.create(
                "cluster_member", ["cluster_id": .text(cluster), "recommendation_id": .text(rec2)])
            let assignment = try await s.create(
                "assignment", ["recommendation_id": .text(rec), "institution_id": .text(moj), "role": .text("lead")])
            // Government work, by the assigned ministry; the secretariat publishes.
            func action(_ state: String) async throws -> String {
                let id = try await a.create(
                    "action", ["title": .text("Draft the bill"), "recommendation_id": .text(rec)])
                if state != "draft" { try await a.write("action", id, ["state": .text("submitted")]) }
                if state == "published" { try await s.write("action", id, ["state": .text("published")]) }
                return id
            }
            let actions = (draft: try await action("draft"), submitted: try await action("submitted"))
            let publishedAction = try await action("published")
            func progress(_ state: String) async throws -> String {
                let id = try await a.create(
                    "progress_update", ["action_id": .text(publishedAction), "narrative": .text("Bill drafted")])
                if state != "draft" { try await a.write("progress_update", id, ["state": .text("submitted")]) }
                if state == "published" { try await s.write("progress_update", id, ["state": .text("published")]) }
                return id
            }
            let progresses = [
                "draft": try await progress("draft"), "submitted": try await progress("submitted"),
                "published": try await progress("published"),
            ]
            let indicator = try await a.create(
                "indicator", ["action_id": .text(publishedAction), "title": .text("Bill tabled")])
            // The NHRI's assessments, the NGO's submissions.
            let draftAssessment = try await n.create(
                "assessment", ["recommendation_id": .text(rec), "rating": .text("partial")])
            let publishedAssessment = try await n.create(
                "assessment", ["recommendation_id": .text(rec), "rating": .text("limited")])
            try await n.write("assessment", publishedAssessment, ["state": .text("published")])
            let openSubmission = try await g.create("submission", ["text": .text("Detention visits stopped")])
            let publishedSubmission = try await g.create(
                "submission", ["text": .text("Prison report"), "covers": .list([rec, rec2])])
            try await g.write("submission", publishedSubmission, ["state": .text("published")])
            // Work covering a whole cluster is the work of the institution assigned to the cluster.
            let mof = try institution("mof")
            _ = try await s.create(
                "assignment", ["cluster_id": .text(cluster), "institution_id": .text(mof), "role": .text("lead")])
            let clusterAction = try await accounts["mona"]!.create(
                "action", ["title": .text("Train prison staff"), "cluster_id": .text(cluster)])
            // Parliament's bills; the government's replies to the NHRI's published assessment.
            let bill = try await p.create(
                "bill",
                ["title": .text("Anti-torture bill"), "stage": .text("tabled"), "recommendation_id": .text(rec)])
            func reply(_ state: String) async throws -> String {
                let id = try await a.create(
                    "assessment_reply",
                    ["assessment_id": .text(publishedAssessment), "text": .text("The bill is tabled")])
                if state != "draft" { try await a.write("assessment_reply", id, ["state": .text("submitted")]) }
                if state == "published" { try await s.write("assessment_reply", id, ["state": .text("published")]) }
                return id
            }
            let replies = [
                "draft": try await reply("draft"), "submitted": try await reply("submitted"),
                "published": try await reply("published"),
            ]
            let confidentialSubmission = try await g.create(
                "submission", ["text": .text(SealedText.sample("Witness W1 reports")), "confidential": .bool(true)])
            // The NHRI's public key for sealed texts.
            let organisationKey = try await n.create("organisation_key", ["public_key": .text(Self.publicKey(1))])
            // Parliament's requests to the ministry, and its answers.
            func request(_ state: String) async throws -> String {
                let id = try await p.create(
                    "oversight_request", ["institution_id": .text(moj), "text": .text("When is the bill tabled?")])
                if state != "draft" { try await p.write("oversight_request", id, ["state": .text("submitted")]) }
                if state == "published" { try await p.write("oversight_request", id, ["state": .text("published")]) }
                return id
            }
            let requests = [
                "draft": try await request("draft"), "submitted": try await request("submitted"),
                "published": try await request("published"),
            ]
            func response(_ state: String) async throws -> String {
                let id = try await a.create(
                    "oversight_response",
                    ["oversight_request_id": .text(requests["published"]!), "text": .text("In spring")])
                if state != "draft" { try await a.write("oversight_response", id, ["state": .text("submitted")]) }
                if state == "published" { try await a.write("oversight_response", id, ["state": .text("published")]) }
                return id
            }
            let responses = [
                "draft": try await response("draft"), "submitted": try await response("submitted"),
                "published": try await response("published"),
            ]
            // An attachment names a file whose bytes its writer uploaded first (sealed, for a
            // confidential submission, protocol §19).
            func upload(_ account: Account, _ text: String, sealed: Bool = false) async throws -> String {
                let bytes = sealed ? SealedFile.sample(Data(text.utf8)) : Data(text.utf8)
                let hash = ContentHash.of(bytes)
                _ = try await account.transport.uploadFile(hash, bytes: bytes, offset: 0, length: Int64(bytes.count))
                return hash
            }
            let actionFile = try await upload(a, "Draft bill, second reading")
            let actionAttachment = try await a.create(
                "attachment",
                ["content_hash": .text(actionFile), "parent_table": .text("action"), "parent_id": .text(actions.draft)])
            let submissionAttachment = try await g.create(
                "attachment",
                [
                    "content_hash": .text(try await upload(g, "Witness statement", sealed: true)),
                    "parent_table": .text("submission"),
                    "parent_id": .text(confidentialSubmission),
                ])
            let institutionRow = moj

            let everyone = "SABPNGHJU"
            let cells: [Cell] = [
                Cell(
                    table: "mechanism", state: "", id: mechanism, readers: everyone, writers: "S",
                    touch: ["name": .text("UPR")]),
                Cell(
                    table: "recommendation", state: "", id: rec, readers: everyone, writers: "S",
                    touch: ["paragraph": .text("12")]),
                Cell(
                    table: "cluster", state: "", id: cluster, readers: everyone, writers: "S",
                    touch: ["description": .text("d")]),
                Cell(
                    table: "cluster_member", state: "", id: member, readers: everyone, writers: "S",
                    touch: ["recommendation_id": .text(rec2)]),
                Cell(
                    table: "institution", state: "", id: institutionRow, readers: everyone, writers: "S",
                    touch: ["name": .text("MOJ")]),
                Cell(
                    table: "assignment", state: "", id: assignment, readers: everyone, writers: "S",
                    touch: ["focal_point": .text("Legal unit")]),
                Cell(
                    table: "action", state: "draft", id: actions.draft, readers: "SA", writers: "SA",
                    touch: ["description": .text("d")]),
                Cell(
                    table: "action", state: "submitted", id: actions.submitted, readers: "SABPNJU", writers: "SA",
                    touch: ["description": .text("d")]),
                Cell(
                    table: "action", state: "published", id: publishedAction, readers: everyone, writers: "S",
                    touch: ["description": .text("d")]),
                Cell(
                    table: "progress_update", state: "draft", id: progresses["draft"]!, readers: "SA", writers: "SA",
                    touch: ["narrative": .text("n")]),
                Cell(
                    table: "progress_update", state: "submitted", id: progresses["submitted"]!, readers: "SABPNJU",
                    writers: "SA", touch: ["narrative": .text("n")]),
                Cell(
                    table: "progress_update", state: "published", id: progresses["published"]!, readers: everyone,
                    writers: "S", touch: ["narrative": .text("n")]),
                Cell(
                    table: "indicator", state: "", id: indicator, readers: "SABPNJU", writers: "SA",
                    touch: ["unit": .text("bills")]),
                Cell(
                    table: "assessment", state: "draft", id: draftAssessment, readers: "N", writers: "N",
                    touch: ["rationale": .text("r")]),
                Cell(
                    table: "assessment", state: "published", id: publishedAssessment, readers: everyone, writers: "N",
                    touch: ["rationale": .text("r")]),
                Cell(
                    table: "submission", state: "false/draft", id: openSubmission, readers: everyone, writers: "G",
                    touch: ["text": .text("t")]),
                Cell(
                    table: "submission", state: "false/published", id: publishedSubmission, readers: everyone,
                    writers: "G", touch: ["text": .text("t")]),
                Cell(
                    table: "action", state: "draft", id: clusterAction, readers: "SB", writers: "SB",
                    touch: ["spent_amount": .real(1200)]),
                Cell(
                    table: "bill", state: "", id: bill, readers: everyone, writers: "SP",
                    touch: ["stage": .text("in_committee")]),
                Cell(
                    table: "assessment_reply", state: "draft", id: replies["draft"]!, readers: "SA", writers: "SA",
                    touch: ["text": .text("t")]),
                Cell(
                    table: "assessment_reply", state: "submitted", id: replies["submitted"]!, readers: "SABPNJU",
                    writers: "SA", touch: ["text": .text("t")]),
                Cell(
                    table: "assessment_reply", state: "published", id: replies["published"]!, readers: everyone,
                    writers: "S", touch: ["text": .text("t")]),
                Cell(
                    table: "submission", state: "true", id: confidentialSubmission, readers: "GN", writers: "G",
                    touch: ["text": .text(SealedText.sample("t"))]),
                // A published key never changes (a rotation is a new row): the touch rewrites it as it is.
                Cell(
                    table: "organisation_key", state: "", id: organisationKey, readers: everyone, writers: "N",
                    touch: ["public_key": .text(Self.publicKey(1))]),
                Cell(
                    table: "oversight_request", state: "draft", id: requests["draft"]!, readers: "P", writers: "P",
                    touch: ["text": .text("q")]),
                Cell(
                    table: "oversight_request", state: "submitted", id: requests["submitted"]!, readers: "PASN",
                    writers: "P", touch: ["text": .text("q")]),
                Cell(
                    table: "oversight_request", state: "published", id: requests["published"]!, readers: everyone,
                    writers: "P", touch: ["text": .text("q")]),
                Cell(
                    table: "oversight_response", state: "draft", id: responses["draft"]!, readers: "A", writers: "A",
                    touch: ["text": .text("r")]),
                Cell(
                    table: "oversight_response", state: "submitted", id: responses["submitted"]!, readers: "APSN",
                    writers: "A", touch: ["text": .text("r")]),
                Cell(
                    table: "oversight_response", state: "published", id: responses["published"]!, readers: everyone,
                    writers: "A", touch: ["text": .text("r")]),
                Cell(
                    table: "attachment", state: "of a draft action", id: actionAttachment, readers: "SA", writers: "SA",
                    touch: ["file_name": .text("f")]),
                Cell(
                    table: "attachment", state: "of a confidential submission", id: submissionAttachment, readers: "GN",
                    // Its name is sealed too (protocol §19): a name in clear is refused to everyone.
                    writers: "G", touch: ["file_name": .text(SealedText.sample("f"))]),
            ]
            // Generated from the policy: every table, and every state it distinguishes, has a cell.
            let covered = Set(
                cells.map { $0.state.isEmpty || $0.table == "attachment" ? $0.table : $0.table + "/" + $0.state })
            #expect(covered == Self.policyStates())
            #expect(Set(cells.map(\.table)) == Set(Schema.current.tables.map(\.name)))

            // Reads: a fresh pull of each account holds exactly the cells it may read.
            for (user, account) in accounts {
                let letter = Self.letters[user]!
                let pulled = try await account.pullEverything()
                for cell in cells {
                    let expected = cell.readers.contains(letter)
                    #expect((pulled[cell.id] != nil) == expected, "\(user) reading \(cell.table) \(cell.state)")
                    let explained = try await storage.explain(user: user, table: cell.table, id: cell.id)
                    #expect(explained.read.allowed == expected, "explain: \(user) reading \(cell.table) \(cell.state)")
                }
            }
            // Writes: each account changes one harmless column of each cell's row.
            for cell in cells {
                for (user, account) in accounts.sorted(by: { $0.key < $1.key }) {
                    let expected = cell.writers.contains(Self.letters[user]!)
                    let explained = try await storage.explain(user: user, table: cell.table, id: cell.id)
                    #expect(explained.write.allowed == expected, "explain: \(user) writing \(cell.table) \(cell.state)")
                    let verdict = try await account.write(cell.table, cell.id, cell.touch)
                    #expect(
                        verdict.status == (expected ? .accepted : .rejected),
                        "\(user) writing \(cell.table) \(cell.state): \(verdict.message ?? "")")
                    if !expected {
                        #expect(verdict.code == .forbidden, "\(user) writing \(cell.table) \(cell.state)")
                        // The refusal carries the row as the writer may see it: whole, or a purge.
                        let readable = cell.readers.contains(Self.letters[user]!)
                        #expect(verdict.current?.kind == (readable ? .row : .purge))
                    }
                }
            }

            // Moves: only the secretariat publishes government work; only the owner its assessment.
            let moves: [(table: String, id: String, to: String, back: String, movers: String)] = [
                ("action", actions.submitted, "published", "submitted", "S"),
                ("progress_update", progresses["submitted"]!, "published", "submitted", "S"),
                ("action", actions.draft, "submitted", "draft", "SA"),
                ("assessment", draftAssessment, "published", "draft", "N"),
                ("oversight_request", requests["draft"]!, "submitted", "draft", "P"),
                ("oversight_response", responses["draft"]!, "submitted", "draft", "A"),
                ("assessment_reply", replies["draft"]!, "submitted", "draft", "SA"),
                ("assessment_reply", replies["submitted"]!, "published", "submitted", "S"),
                ("submission", openSubmission, "published", "draft", "G"),
            ]
            for move in moves {
                for (user, account) in accounts.sorted(by: { $0.key < $1.key }) {
                    let expected = move.movers.contains(Self.letters[user]!)
                    let verdict = try await account.write(move.table, move.id, ["state": .text(move.to)])
                    #expect(
                        verdict.status == (expected ? .accepted : .rejected),
                        "\(user) moving \(move.table) to \(move.to): \(verdict.message ?? "")")
                    if expected {
                        let back = try await account.write(move.table, move.id, ["state": .text(move.back)])
                        #expect(back.status == .accepted, "\(user) moving \(move.table) back")
                    }
                }
            }

            // Probes of rows one may not read get `forbidden` and learn nothing of the row.
            for (user, account) in accounts where !"SA".contains(Self.letters[user]!) {
                let probe = try await account.write("action", actions.draft, ["state": .text("published")])
                #expect(probe.code == .forbidden, "\(user) probing a draft action")
                #expect(!(probe.message ?? "").contains("draft"), "\(user): \(probe.message ?? "")")
                #expect(probe.current?.kind == .purge && probe.current?.fields.isEmpty == true)
            }
            // No moving a row out of one's rights, and no borrowing another row's.
            let foreignAction = try await s.create(
                "action", ["title": .text("Budget line"), "recommendation_id": .text(rec2)])
            let elsewhere = try await p.create(
                "oversight_request", ["institution_id": .text(mof), "text": .text("And the budget?")])
            try await p.write("oversight_request", elsewhere, ["state": .text("submitted")])
            let refusals: [(String, String, [String: FieldValue])] = [
                ("action", actions.draft, ["recommendation_id": .text(rec2)]),
                ("oversight_response", responses["draft"]!, ["oversight_request_id": .text(elsewhere)]),
                ("indicator", indicator, ["action_id": .text(foreignAction)]),
            ]
            for (table, id, fields) in refusals {
                let verdict = try await a.write(table, id, fields)
                #expect(verdict.code == .forbidden, "malik re-pointing \(table): \(verdict.message ?? "")")
            }
            let borrowed = try await a.write(
                "indicator", UUIDv7.make(),
                ["title": .text("Borrowed"), "recommendation_id": .text(rec), "action_id": .text(foreignAction)])
            #expect(borrowed.code == .forbidden, "an indicator on another's action: \(borrowed.message ?? "")")
            // Deleting published government work is unpublishing it: the secretariat's alone.
            let unpublish = try await a.transport.push(
                PushRequest(ops: [a.operation("action", publishedAction, delete: true)])
            ).verdicts[0]
            #expect(unpublish.code == .forbidden, "\(unpublish.message ?? "")")
            let draftDeleted = try await a.transport.push(
                PushRequest(ops: [a.operation("action", actions.draft, delete: true)])
            ).verdicts[0]
            #expect(draftDeleted.status == .accepted, "\(draftDeleted.message ?? "")")

            // Creates: who may start a row of each table.
            let creates: [(table: String, fields: [String: FieldValue], creators: String)] = [
                ("mechanism", ["code": .text("CRPD")], "S"),
                ("recommendation", ["text": .text("New")], "S"),
                ("cluster", ["title": .text("New")], "S"),
                ("cluster_member", ["cluster_id": .text(cluster), "recommendation_id": .text(rec2)], "S"),
                ("institution", ["name": .text("New agency"), "kind": .text("agency")], "S"),
                (
                    "assignment",
                    ["recommendation_id": .text(rec2), "institution_id": .text(moj), "role": .text("contributing")],
                    "S"
                ),
                ("action", ["title": .text("New"), "recommendation_id": .text(rec)], "SA"),
                ("progress_update", ["action_id": .text(publishedAction), "narrative": .text("New")], "SA"),
                ("indicator", ["recommendation_id": .text(rec), "title": .text("New")], "SA"),
                ("assessment", ["recommendation_id": .text(rec), "rating": .text("partial")], "NGH"),
                ("submission", ["text": .text("New")], "GHU"),
                ("action", ["title": .text("New"), "cluster_id": .text(cluster)], "SB"),
                ("bill", ["title": .text("New")], "SP"),
                ("organisation_key", ["public_key": .text(Self.publicKey(3))], "NGHU"),
                ("assessment_reply", ["assessment_id": .text(publishedAssessment), "text": .text("New")], "SABJ"),
                ("oversight_request", ["institution_id": .text(moj), "text": .text("New")], "P"),
                (
                    "oversight_response",
                    ["oversight_request_id": .text(requests["published"]!), "text": .text("New")], "A"
                ),
                (
                    "oversight_response",
                    ["oversight_request_id": .text(requests["submitted"]!), "text": .text("New")], "A"
                ),
                // A draft question is its committee's alone: no one may answer it yet.
                (
                    "oversight_response",
                    ["oversight_request_id": .text(requests["draft"]!), "text": .text("New")], ""
                ),
                (
                    "attachment",
                    [
                        "content_hash": .text(actionFile), "parent_table": .text("action"),
                        "parent_id": .text(actions.submitted),
                    ],
                    "SA"
                ),
            ]
            #expect(Set(creates.map(\.table)) == Set(Schema.current.tables.map(\.name)))
            for create in creates {
                for (user, account) in accounts.sorted(by: { $0.key < $1.key }) {
                    let expected = create.creators.contains(Self.letters[user]!)
                    let verdict = try await account.write(create.table, UUIDv7.make(), create.fields)
                    #expect(
                        verdict.status == (expected ? .accepted : .rejected),
                        "\(user) creating \(create.table): \(verdict.message ?? "")")
                    if !expected { #expect(verdict.code == .forbidden) }
                }
            }
        }
    }
}
