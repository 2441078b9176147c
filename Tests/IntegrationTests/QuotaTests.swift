import Foundation
import HTTPTypes
import Shared
import TestSupport
import Testing

@testable import Client
@testable import Server

/// An organisation cannot fill the server: past its daily quota a push is refused whole, the
/// edits wait in the outbox, and the next day they go through.
@Suite("Per-organisation daily quota")
struct QuotaTests {
    @Test(
        "past its daily quota an NGO's push is refused whole with quota_exceeded; the edits wait and pass the next day")
    func quotaRefusesAndWaits() async throws {
        var server = try await InProcessServer()
        server.service.dailyQuotaBytes = 30_000
        try await server.storage.addOrganisation(id: "ngo", name: "NGO", kind: .ngo)
        let (ngo, ngoSync) = try await server.replica(user: "omar", org: "ngo", clock: server.clock)
        let (secretariat, secretariatSync) = try await server.replica(user: "sara", org: "nmirf", clock: server.clock)
        // Its first sync publishes the NGO's key for sealed texts (protocol §19).
        _ = try await ngoSync.sync()
        let text = String(repeating: "Detention conditions in the north. ", count: 300)  // about 10 kB
        for _ in 0..<2 { _ = try ngo.put("submission", fields: ["text": .text(text)]) }
        #expect(try await ngoSync.sync().accepted == 2)

        // A third and a fourth would pass 30 kB: the push is refused and nothing is stored.
        let waiting = try (0..<2).map { _ in try ngo.put("submission", fields: ["text": .text(text)]) }
        let digest = try await server.storage.digest()
        // (In process the service's error arrives as such; over HTTP it is a 429 `quota_exceeded`, below.)
        let error = await #expect(throws: ServiceError.self) { try await ngoSync.sync() }
        #expect(error?.code == .quotaExceeded)
        #expect(error?.message.contains("wait in the outbox") == true, "\(error?.message ?? "")")
        #expect(try await server.storage.digest() == digest)
        #expect(try ngo.status().pending == 2)
        #expect(try ngo.rejectedOperations().isEmpty)

        // The secretariat has no quota: it imports whole databases.
        _ = try (0..<5).map { _ in try secretariat.put("recommendation", fields: ["text": .text(text)]) }
        #expect(try await secretariatSync.sync().accepted == 5)

        // The next UTC day the waiting edits go through.
        server.clock.advance(by: 86_400_000)
        #expect(try await ngoSync.sync().accepted == 2)
        for id in waiting { #expect(try await server.storage.read { try $0.state("submission", id: id) } != nil) }
    }

    @Test("quota_exceeded is answered 429 with Retry-After")
    func quotaIsTooManyRequests() {
        #expect(APIError.status(for: .quotaExceeded) == .tooManyRequests)
        let error = APIError(ServiceError(.quotaExceeded, "over", retryAfterSeconds: 120))
        #expect(error.headers[.retryAfter] == "120")
    }
}
