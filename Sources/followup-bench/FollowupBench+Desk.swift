import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The desk render workload: a real `followup desk` over a replica holding the UPR Info
/// recommendations, its pages fetched over loopback one after another.
extension FollowupBench {
    /// The pages measured, by name.
    static let deskPages: [(name: String, path: String)] = [
        ("home", "/"), ("list", "/recommendations"), ("list_last_page", "/recommendations?page=last"),
        ("search", "/recommendations?q=torture"),
        ("filters", "/recommendations?mechanism=UPR&session=10&status=no_action"),
        ("recommendation", "/recommendations/ID"), ("action_form", "/recommendations/ID/action"), ("sync", "/sync"),
        ("history", "/history/recommendation/ID"), ("keys", "/keys"),
    ]

    /// Imports the UPR Info files, starts the desk over that replica and fetches each page
    /// `requests` times; a result per page with its p50 and p95 in the note.
    static func measureDesk(folder: String, bin: String, work: String, requests: Int) async throws -> [BenchResult] {
        let files = uprInfoFiles(folder)
        guard !files.isEmpty else {
            print("desk: skipped, no UPR Info CSV files in \(folder)")
            return []
        }
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let importer = try Importer(bin: bin, work: work)
        defer { importer.stop() }
        for file in files {
            _ = try importer.run(
                ["import", "upr-info", (folder as NSString).appendingPathComponent(file), "--all-states"])
        }
        let desk = Process()
        desk.executableURL = URL(fileURLWithPath: importer.followup)
        desk.arguments = ["--replica", importer.replica, "desk", "--port", "0", "--sync-minutes", "0"]
        let output = Pipe()
        desk.standardOutput = output
        desk.standardError = FileHandle.nullDevice
        try desk.run()
        defer {
            desk.terminate()
            desk.waitUntilExit()
        }
        var printed = Data()
        while !String(decoding: printed, as: UTF8.self).contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw BenchFailure("the desk stopped before printing its address") }
            printed += chunk
        }
        let text = String(decoding: printed, as: UTF8.self)
        guard let range = text.range(of: #"http://127\.0\.0\.1:\d+/enter\?key=[0-9a-f]+"#, options: .regularExpression)
        else { throw BenchFailure("the desk printed no address: \(text)") }
        let client = DeskClient(entry: String(text[range]))
        try await client.enter()
        let list = try await client.get("/recommendations")
        guard
            let idRange = list.body.range(
                of: #"/recommendations/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#,
                options: .regularExpression),
            let pages = list.body.range(of: #"Page 1 of [0-9,]+"#, options: .regularExpression)
        else { throw BenchFailure("the recommendations page lists no recommendation") }
        let id = String(list.body[idRange].dropFirst("/recommendations/".count))
        let last = String(list.body[pages].dropFirst("Page 1 of ".count)).replacingOccurrences(of: ",", with: "")
        let count = list.body.range(of: #"[0-9,]+ recommendations"#, options: .regularExpression).map {
            String(list.body[$0])
        }
        var results: [BenchResult] = []
        for page in deskPages {
            let path = page.path.replacingOccurrences(of: "ID", with: id).replacingOccurrences(of: "last", with: last)
            for _ in 0..<3 { _ = try await client.get(path) }
            var millis: [Double] = []
            for _ in 0..<requests {
                let started = DispatchTime.now().uptimeNanoseconds
                let answer = try await client.get(path)
                guard answer.status == 200 else { throw BenchFailure("\(path) answered \(answer.status)") }
                millis.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)
            }
            millis.sort()
            let p50 = millis[millis.count / 2]
            let p95 = millis[max(0, Int((Double(millis.count) * 0.95).rounded(.up)) - 1)]
            let seconds = millis.reduce(0, +) / 1000
            results.append(
                BenchResult(
                    workload: "desk_" + page.name, operations: requests, seconds: seconds,
                    opsPerSecond: Double(requests) / seconds,
                    note: String(
                        format: "GET %@ over loopback, one at a time: p50 %.1f ms, p95 %.1f ms, max %.1f ms (%@)",
                        page.path, p50, p95, millis.last ?? 0, count ?? "?")))
        }
        return results
    }
}

/// A browser's part for the benchmark: the session cookie, GETs without following redirects.
final class DeskClient: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    let entry: String
    let base: String
    var cookie = ""
    lazy var session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        return URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }()

    init(entry: String) {
        self.entry = entry
        let url = URL(string: entry)
        base = "http://\(url?.host ?? "127.0.0.1"):\(url?.port ?? 80)"
        super.init()
    }

    /// Opens the session with the printed address and keeps its cookie.
    func enter() async throws {
        let answer = try await fetch(URL(string: entry)!)
        guard let setCookie = answer.setCookie, let pair = setCookie.split(separator: ";").first else {
            throw BenchFailure("the desk's entry set no cookie (status \(answer.status))")
        }
        cookie = String(pair)
    }

    /// GETs `path` with the session cookie.
    func get(_ path: String) async throws -> (status: Int, body: String, setCookie: String?) {
        try await fetch(URL(string: base + path)!)
    }

    private func fetch(_ url: URL) async throws -> (status: Int, body: String, setCookie: String?) {
        var request = URLRequest(url: url)
        if !cookie.isEmpty { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
        return try await withCheckedThrowingContinuation { continuation in
            session.dataTask(with: request) { data, response, error in
                if let error { return continuation.resume(throwing: error) }
                let http = response as? HTTPURLResponse
                continuation.resume(
                    returning: (
                        http?.statusCode ?? 0, String(decoding: data ?? Data(), as: UTF8.self),
                        http?.value(forHTTPHeaderField: "Set-Cookie")
                    ))
            }.resume()
        }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
