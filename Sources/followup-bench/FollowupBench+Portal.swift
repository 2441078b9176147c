import AsyncHTTPClient
import Client
import Foundation
import NIOCore
import NIOHTTP1
import Shared

/// The portal workload: a real `followup-server serve` holding `rows` published rows, its public
/// pages and downloads fetched by concurrent visitors over loopback.
extension FollowupBench {
    /// How the published rows divide: recommendations, published actions, published progress
    /// updates and published NHRI assessments (40%, 30%, 20%, 10%).
    struct PortalSeed {
        var recommendations: Int
        var actions: Int
        var progress: Int
        var assessments: Int

        init(rows: Int) {
            recommendations = rows * 4 / 10
            actions = rows * 3 / 10
            progress = rows * 2 / 10
            assessments = rows - recommendations - actions - progress
        }

        var total: Int { recommendations + actions + progress + assessments }
    }

    /// Words the generated texts draw from, and the visitors search for.
    static let portalWords = [
        "torture", "judiciary", "detention", "education", "girls", "disability", "migrants", "journalists",
        "health", "water", "housing", "police", "prisons", "elections", "minorities", "children", "marriage",
        "trafficking", "asylum", "defenders", "poverty", "violence", "employment", "language", "religion",
    ]
    static let portalThemes = ["Torture", "Women's rights", "Children", "Justice", "Education", "Health"]
    static let portalMechanisms = ["UPR", "CAT", "CEDAW", "CRC", "CCPR"]

    /// Seeds a fresh server through the sync API, restarts it and sends `visitors` concurrent
    /// visitors for `seconds`; a result per kind of page with its p50, p95 and p99.
    static func measurePortal(rows: Int, visitors: Int, seconds: Double, bin: String, work: String) async throws
        -> [BenchResult]
    {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let setup = Setup(server: bin + "/followup-server", data: work + "/portal-server", log: work + "/commands.log")
        try setup.organisation("nmirf", kind: "secretariat")
        try setup.organisation("moj", kind: "ministry")
        try setup.organisation("nhri", kind: "nhri")
        try setup.user("secretary", org: "nmirf")
        try setup.user("assessor", org: "nhri")
        let seed = PortalSeed(rows: rows)
        var results: [BenchResult] = []

        let seeding = try ServerUnderTest(binary: setup.server, data: setup.data, log: work + "/server-seed.log")
        let seedStart = DispatchTime.now()
        let (recommendations, operations) = try await seedPortal(seed, url: seeding.url)
        let seedSeconds = Self.seconds(since: seedStart)
        results.append(
            BenchResult(
                workload: "portal_seed", operations: operations, seconds: seedSeconds,
                opsPerSecond: Double(operations) / seedSeconds,
                serverPeakRSSMiB: Double(seeding.peakRSSKiB()) / 1024,
                note: String(
                    format:
                        "%d published rows (%d recommendations, %d actions, %d progress updates, %d NHRI assessments) pushed through the sync API by a secretariat and an NHRI replica",
                    seed.total, seed.recommendations, seed.actions, seed.progress, seed.assessments)))
        seeding.stop()

        // A fresh process: the public's view starts empty and pulls everything on the first request.
        let server = try ServerUnderTest(binary: setup.server, data: setup.data, log: work + "/server-portal.log")
        defer { server.stop() }
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(300)),
            decompression: .disabled)
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: visitors)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            results += try await visitPortal(
                client, url: server.url, seed: seed, recommendations: recommendations, visitors: visitors,
                seconds: seconds, server: server)
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
        return results
    }

    /// The first request, then the visitors' requests for `seconds`; a result per kind of page.
    static func visitPortal(
        _ client: HTTPClient, url: String, seed: PortalSeed, recommendations: [String], visitors: Int, seconds: Double,
        server: ServerUnderTest
    ) async throws -> [BenchResult] {
        var results: [BenchResult] = []
        let firstStart = DispatchTime.now()
        let first = try await portalGet(client, url + "/")
        let firstSeconds = Self.seconds(since: firstStart)
        guard first.status == 200, first.body.contains("\(seed.recommendations) recommendations")
        else {
            throw BenchFailure("the portal's home answered \(first.status) without the count of recommendations")
        }
        results.append(
            BenchResult(
                workload: "portal_first", operations: seed.total, seconds: firstSeconds,
                opsPerSecond: Double(seed.total) / firstSeconds,
                note: "the first request after a start: the public's view pulls every published row, then renders"))
        let json = try await portalGet(client, url + "/open-data/recommendations.json")
        let listed = (try JSONSerialization.jsonObject(with: Data(json.body.utf8)) as? [Any])?.count ?? -1
        guard listed == seed.recommendations else {
            throw BenchFailure("the open data lists \(listed) recommendations, not \(seed.recommendations)")
        }
        let list = try await portalGet(client, url + "/recommendations")
        let lastPage =
            list.body.range(of: #"Page 1 of [0-9,]+"#, options: .regularExpression).map {
                Int(list.body[$0].dropFirst("Page 1 of ".count).replacingOccurrences(of: ",", with: "")) ?? 1
            } ?? 1

        // The visitors, each with its own seeded mix and memory of the ETags it has seen.
        let base = url
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        let start = DispatchTime.now()
        let timings = try await withThrowingTaskGroup(of: [String: [Double]].self) { group in
            for visitor in 0..<visitors {
                group.addTask {
                    var mix = PortalMix(
                        seed: UInt64(visitor + 1), recommendations: recommendations, lastPage: lastPage)
                    var seen: [String: String] = [:]
                    var timings: [String: [Double]] = [:]
                    while DispatchTime.now().uptimeNanoseconds < deadline {
                        var (kind, path) = mix.next()
                        var tag: String?
                        if mix.revisit(), let known = seen.randomElement(using: &mix.generator) {
                            (kind, path, tag) = ("revalidated_304", known.key, known.value)
                        }
                        let started = DispatchTime.now().uptimeNanoseconds
                        let answer = try await portalGet(client, base + path, ifNoneMatch: tag)
                        let millis = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
                        guard answer.status == (tag == nil ? 200 : 304) else {
                            throw BenchFailure("\(path) answered \(answer.status)")
                        }
                        if let etag = answer.etag { seen[path] = etag }
                        timings[kind, default: []].append(millis)
                    }
                    return timings
                }
            }
            var all: [String: [Double]] = [:]
            for try await timings in group { all.merge(timings) { $0 + $1 } }
            return all
        }
        let elapsed = Self.seconds(since: start)
        let total = timings.values.reduce(0) { $0 + $1.count }
        func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
            sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * fraction).rounded(.up)) - 1))]
        }
        let every = timings.values.flatMap { $0 }.sorted()
        results.append(
            BenchResult(
                workload: "portal_all", operations: total, seconds: elapsed, opsPerSecond: Double(total) / elapsed,
                serverPeakRSSMiB: Double(server.peakRSSKiB()) / 1024,
                note: String(
                    format: "%d visitors for %.0f s: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms", visitors,
                    seconds, percentile(every, 0.5), percentile(every, 0.95), percentile(every, 0.99),
                    every.last ?? 0)))
        for kind in PortalMix.kinds.map(\.name) + ["revalidated_304"] {
            guard let sorted = timings[kind]?.sorted(), !sorted.isEmpty else { continue }
            let busy = sorted.reduce(0, +) / 1000
            results.append(
                BenchResult(
                    workload: "portal_" + kind, operations: sorted.count, seconds: busy,
                    opsPerSecond: Double(sorted.count) / elapsed,
                    note: String(
                        format: "p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms (%@)", percentile(sorted, 0.5),
                        percentile(sorted, 0.95), percentile(sorted, 0.99), sorted.last ?? 0,
                        PortalMix.kinds.first { $0.name == kind }?.example ?? "any address seen, with If-None-Match")))
        }
        return results
    }

    /// One GET of the portal: status, body and ETag.
    static func portalGet(_ client: HTTPClient, _ url: String, ifNoneMatch tag: String? = nil) async throws -> (
        status: Int, body: String, etag: String?
    ) {
        var request = HTTPClientRequest(url: url)
        if let tag { request.headers.add(name: "If-None-Match", value: tag) }
        let response = try await client.execute(request, timeout: .seconds(300))
        let body = try await response.body.collect(upTo: 256 << 20)
        return (Int(response.status.code), String(buffer: body), response.headers.first(name: "ETag"))
    }

    /// Pushes the published rows through the sync API as a deployment makes them: the
    /// secretariat records recommendations and actions and progress it submits and publishes,
    /// the NHRI records assessments and publishes them.
    ///
    /// - Returns: the recommendations' ids and the operations pushed.
    static func seedPortal(_ seed: PortalSeed, url: String) async throws -> ([String], Int) {
        let secretariat = try await memoryReplica(url: url, user: "secretary")
        _ = try await secretariat.pull()
        let mechanisms = Dictionary(
            try secretariat.replica.rows("mechanism").map { ($0.values["code"]?.description ?? "", $0.id) },
            uniquingKeysWith: { first, _ in first })
        let ministry = try requireRow(
            secretariat.replica.rows("institution").first { $0.values["org_id"] == .text("moj") },
            "the ministry's institution")
        var generator = SplitMix(seed: 13)
        func words(_ count: Int) -> String {
            (0..<count).map { _ in portalWords.randomElement(using: &generator)! }.joined(separator: " ")
        }
        func day(_ index: Int) -> String {
            String(format: "%04d-%02d-%02d", 2022 + index % 5, 1 + index % 12, 1 + index % 28)
        }
        var operations = 0
        /// Records each step in its own transaction (a step sees the rows the one before made), then pushes them all.
        func push(_ engine: SyncEngine, _ steps: [RowEdit]...) async throws {
            for edits in steps { _ = try engine.replica.put(edits) }
            let count = steps.map(\.count).reduce(0, +)
            let report = try await engine.push()
            guard report.accepted == count else {
                throw BenchFailure("a seeding push was accepted \(report.accepted) of \(count)")
            }
            operations += count
        }
        var recommendations: [String] = []
        for chunk in stride(from: 0, to: seed.recommendations, by: 5_000) {
            let edits = (chunk..<min(chunk + 5_000, seed.recommendations)).map { index in
                let mechanism = portalMechanisms[index % portalMechanisms.count]
                var fields: [String: FieldValue] = [
                    "text": .text(
                        "Recommendation \(index): take effective measures on \(words(6)) and report on \(words(4))."),
                    "mechanism_id": .text(mechanisms[mechanism] ?? ""),
                    "document_symbol": .text("A/HRC/\(20 + index % 40)/6"),
                    "paragraph": .text("\(100 + index % 60).\(index)"),
                    "themes": .list([portalThemes[index % portalThemes.count]]),
                    "sdg_targets": .list(["\(1 + index % 17).1"]),
                    "recommending_states": .list([["FRA", "BRA", "DNK", "MEX", "KEN", "JPN"][index % 6]]),
                    "position": .text(["supported", "noted", "supported_in_part"][index % 3]),
                ]
                if mechanism == "UPR" {
                    fields["cycle"] = .integer(Int64(1 + index % 4))
                    fields["session"] = .integer(Int64(1 + index % 40))
                }
                return RowEdit(table: "recommendation", id: UUIDv7.make(), fields: fields)
            }
            recommendations += edits.compactMap(\.id)
            try await push(secretariat, edits)
        }
        func publish(_ table: String, _ count: Int, fields: (Int) -> [String: FieldValue]) async throws -> [String] {
            var ids: [String] = []
            for chunk in stride(from: 0, to: count, by: 2_000) {
                let range = chunk..<min(chunk + 2_000, count)
                let made = range.map { RowEdit(table: table, id: UUIDv7.make(), fields: fields($0)) }
                func move(_ state: String) -> [RowEdit] {
                    made.map { RowEdit(table: table, id: $0.id, fields: ["state": .text(state)]) }
                }
                try await push(secretariat, made, move("submitted"), move("published"))
                ids += made.compactMap(\.id)
            }
            return ids
        }
        let actions = try await publish("action", seed.actions) { index in
            [
                "recommendation_id": .text(recommendations[index % recommendations.count]),
                "title": .text("Action \(index): \(words(5))"), "institution_id": .text(ministry.id),
                "status": .text(["planned", "in_progress", "completed", "in_progress"][index % 4]),
                "due_date": .text(day(index)), "budget_amount": .real(Double(1_000 * (1 + index % 50))),
                "budget_currency": .text("USD"),
            ]
        }
        _ = try await publish("progress_update", seed.progress) { index in
            [
                "action_id": .text(actions[index % actions.count]),
                "narrative": .text("Progress \(index): \(words(8))"),
                "date": .text(day(index * 7)),
                "status": .text(["on_track", "delayed", "at_risk", "completed"][index % 4]),
            ]
        }
        let nhri = try await memoryReplica(url: url, user: "assessor")
        for chunk in stride(from: 0, to: seed.assessments, by: 2_500) {
            let made = (chunk..<min(chunk + 2_500, seed.assessments)).map { index in
                RowEdit(
                    table: "assessment", id: UUIDv7.make(),
                    fields: [
                        "recommendation_id": .text(recommendations[(index * 3) % recommendations.count]),
                        "rating": .text(
                            ["no_progress", "limited", "partial", "substantial", "implemented"][index % 5]),
                        "rationale": .text("Rationale \(index): \(words(6))"),
                    ])
            }
            try await push(
                nhri, made, made.map { RowEdit(table: "assessment", id: $0.id, fields: ["state": .text("published")]) }
            )
        }
        return (recommendations, operations)
    }
}

/// A visitor's choice of pages: weighted kinds, each with its addresses drawn from the seed.
struct PortalMix {
    /// The kinds of request, their weight in the mix and an example address.
    static let kinds: [(name: String, weight: Int, example: String)] = [
        ("home", 10, "/?lang=L, the dashboards"), ("list", 8, "/recommendations?lang=L"),
        ("list_deep", 10, "/recommendations?page=N"),
        ("filters", 14, "/recommendations?mechanism=UPR&cycle=2 and others"),
        ("search", 14, "/recommendations?q=WORD[&mechanism=M]"), ("recommendation", 30, "/recommendations/ID?lang=L"),
        ("open_data_csv", 2, "/open-data/recommendations.csv"),
        ("open_data_json", 2, "/open-data/recommendations.json"),
    ]
    var generator: SplitMix
    let recommendations: [String]
    let lastPage: Int

    init(seed: UInt64, recommendations: [String], lastPage: Int) {
        generator = SplitMix(seed: seed)
        self.recommendations = recommendations
        self.lastPage = lastPage
    }

    /// One request in ten revisits an address already fetched, with `If-None-Match`.
    mutating func revisit() -> Bool { Int.random(in: 0..<10, using: &generator) == 0 }

    /// The next request: its kind and address.
    mutating func next() -> (String, String) {
        let languages = ReportCatalog.languages
        var pick = Int.random(in: 0..<Self.kinds.reduce(0) { $0 + $1.weight }, using: &generator)
        let kind = Self.kinds.first { kind in
            defer { pick -= kind.weight }
            return pick < kind.weight
        }!.name
        let lang = languages.randomElement(using: &generator)!
        switch kind {
        case "home": return (kind, "/?lang=\(lang)")
        case "list": return (kind, "/recommendations?lang=\(lang)")
        case "list_deep":
            return (kind, "/recommendations?page=\(Int.random(in: 2...max(2, lastPage), using: &generator))")
        case "filters":
            let filters = [
                "mechanism=UPR&cycle=\(Int.random(in: 1...4, using: &generator))",
                "session=\(Int.random(in: 1...40, using: &generator))",
                "sdg=\(Int.random(in: 1...17, using: &generator))",
                "theme=\(FollowupBench.portalThemes.randomElement(using: &generator)!)"
                    .addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!,
                "mechanism=\(FollowupBench.portalMechanisms.randomElement(using: &generator)!)",
            ]
            return (kind, "/recommendations?\(filters.randomElement(using: &generator)!)&lang=\(lang)")
        case "search":
            let word = FollowupBench.portalWords.randomElement(using: &generator)!
            let mechanism = Bool.random(using: &generator) ? "&mechanism=UPR" : ""
            return (kind, "/recommendations?q=\(word)\(mechanism)")
        case "recommendation":
            return (kind, "/recommendations/\(recommendations.randomElement(using: &generator)!)?lang=\(lang)")
        case "open_data_csv": return (kind, "/open-data/recommendations.csv")
        default: return (kind, "/open-data/recommendations.json")
        }
    }
}

/// A small seeded generator (SplitMix64), so every run draws the same mix.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
