import Foundation
import Shared
import TestSupport
import Testing

/// The golden vectors of `protocol/vectors`, read from the repository.
enum GoldenVectors {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("protocol/vectors")

    static func json(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent(path)))
    }

    static func data(_ object: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
    }

    static func order(_ text: String) -> (Int, Int) -> Bool {
        switch text {
        case "<": { $0 < $1 }
        case ">": { $0 > $1 }
        default: { $0 == $1 }
        }
    }
}

@Suite("Golden vectors")
struct GoldenVectorTests {
    @Test("HLC ordering, clock events and version ordering")
    func hlc() throws {
        let vectors = try #require(try GoldenVectors.json("hlc.json") as? [String: [[String: Any]]])
        let ordering = try #require(vectors["ordering"])
        let clock = try #require(vectors["clock"])
        let versions = try #require(vectors["versions"])
        #expect(ordering.count >= 8 && clock.count >= 10 && versions.count >= 4)
        for item in ordering {
            let a = try #require(HLCTimestamp(item["a"] as? String ?? ""))
            let b = try #require(HLCTimestamp(item["b"] as? String ?? ""))
            let comparison = a < b ? "<" : a > b ? ">" : "="
            #expect(comparison == item["order"] as? String, "\(a) vs \(b)")
        }
        for item in clock {
            let last = try #require(HLCTimestamp(item["last"] as? String ?? ""))
            let now = try #require((item["now"] as? NSNumber)?.int64Value)
            var hlc = HybridLogicalClock(last: last)
            if item["event"] as? String == "tick" {
                _ = hlc.tick(now: now)
            } else {
                hlc.receive(try #require(HLCTimestamp(item["remote"] as? String ?? "")), now: now)
            }
            #expect(hlc.last.description == item["expect"] as? String, "\(item)")
        }
        for item in versions {
            let a = try #require(FieldVersion(item["a"] as? String ?? ""))
            let b = try #require(FieldVersion(item["b"] as? String ?? ""))
            let comparison = a < b ? "<" : a > b ? ">" : "="
            #expect(comparison == item["order"] as? String, "\(a) vs \(b)")
            #expect(a.description == item["a"] as? String)
        }
    }

    @Test("merge cases give their expected state in every arrival order")
    func merge() throws {
        let file = try #require(try GoldenVectors.json("merge.json") as? [String: [[String: Any]]])
        let cases = try #require(file["cases"])
        #expect(cases.count >= 6)
        let decoder = WireCoding.decoder()
        for item in cases {
            let operations = try decoder.decode([SyncOperation].self, from: GoldenVectors.data(item["ops"] as Any))
            let expect = try #require(item["expect"] as? [String: Any])
            let values = try decoder.decode(
                [String: FieldValue].self, from: GoldenVectors.data(expect["values"] as Any))
            for order in permutations(operations) {
                let state = order.reduce(nil as RowState?) { Merge.apply($1, to: $0) }
                #expect(state?.isDeleted == (expect["deleted"] as? Bool), "\(item["name"] ?? "")")
                #expect(state?.values == values, "\(item["name"] ?? "")")
            }
        }
    }

    @Test(
        "wire messages decode and re-encode to the same JSON",
        arguments: [
            "login-request", "login-response", "push-request", "push-response", "pull-request", "pull-response",
            "error-malformed-json", "health-response",
        ])
    func message(name: String) throws {
        let file = try #require(try GoldenVectors.json("messages/\(name).json") as? [String: Any])
        let message = try GoldenVectors.data(try #require(file["message"]))
        let decoder = WireCoding.decoder()
        let encoder = WireCoding.encoder()
        let reencoded: Data
        switch file["type"] as? String {
        case "LoginRequest": reencoded = try encoder.encode(decoder.decode(LoginRequest.self, from: message))
        case "LoginResponse": reencoded = try encoder.encode(decoder.decode(LoginResponse.self, from: message))
        case "PushRequest": reencoded = try encoder.encode(decoder.decode(PushRequest.self, from: message))
        case "PushResponse": reencoded = try encoder.encode(decoder.decode(PushResponse.self, from: message))
        case "PullRequest": reencoded = try encoder.encode(decoder.decode(PullRequest.self, from: message))
        case "PullResponse": reencoded = try encoder.encode(decoder.decode(PullResponse.self, from: message))
        case "ErrorBody": reencoded = try encoder.encode(decoder.decode(ErrorBody.self, from: message))
        case "HealthResponse": reencoded = try encoder.encode(decoder.decode(HealthResponse.self, from: message))
        default:
            Issue.record("unknown message type in \(name)")
            return
        }
        // Compare as parsed JSON, so number spelling and key order do not matter.
        let expected = try JSONSerialization.jsonObject(with: message) as? NSDictionary
        let actual = try JSONSerialization.jsonObject(with: reencoded) as? NSDictionary
        #expect(expected == actual)
    }
}

/// Every ordering of `items` (fine for the few operations of a merge vector).
func permutations<T>(_ items: [T]) -> [[T]] {
    guard items.count > 1 else { return [items] }
    return items.indices.flatMap { index -> [[T]] in
        var rest = items
        let head = rest.remove(at: index)
        return permutations(rest).map { [head] + $0 }
    }
}

extension GoldenVectorTests {
    @Test("the workflows and the tables that use them match the schema")
    func workflows() throws {
        let file = try #require(try GoldenVectors.json("workflow.json") as? [String: Any])
        let workflows = try #require(file["workflows"] as? [String: [String: Any]])
        let tables = try #require(file["tables"] as? [String: String])
        let known = ["review": Workflow.review, "publication": Workflow.publication]
        #expect(Set(workflows.keys) == Set(known.keys))
        for (name, workflow) in known {
            let vector = try #require(workflows[name])
            #expect(vector["initial"] as? String == workflow.initial)
            #expect(vector["transitions"] as? [String: [String]] == workflow.transitions)
        }
        let withWorkflow = Schema.current.tables.filter { $0.workflow != nil }
        #expect(Set(tables.keys) == Set(withWorkflow.map(\.name)))
        for table in withWorkflow {
            #expect(known[tables[table.name] ?? ""] == table.workflow, "\(table.name)")
        }
    }
}
