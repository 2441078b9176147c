import Foundation
import Shared
import TestSupport
import Testing

@testable import Client
@testable import Server

/// A State's follow-up with published and unpublished work, on the replicas of the secretariat,
/// the Ministry of Justice and the NHRI, for the report and export tests.
///
/// Every unpublished text holds `HIDDEN`; the published texts hold the `Shown` words below.
struct PublishedWorkFixture {
    let server: InProcessServer
    let secretariat: Replica
    let secretariatEngine: SyncEngine
    let ministry: Replica
    let nhri: Replica
    /// The secretariat's replica directory (for the `followup` commands).
    let secretariatDirectory: String
    /// UPR cycle 3: two in the cluster "Torture prevention", one alone; then cycle 2; then CEDAW.
    let recommendations: [String]

    enum Shown {
        static let action = "Draft the anti-torture bill SHOWNACTION"
        static let cedawAction = "Train judges SHOWNCEDAW"
        static let indicator = "Bill tabled SHOWNINDICATOR"
        static let progress = "Draft circulated to the bar SHOWNPROGRESS"
        static let rationale = "A bill exists but no vote SHOWNRATIONALE"
    }

    static func make(_ name: String) async throws -> PublishedWorkFixture {
        let server = try await InProcessServer()
        try await server.storage.addOrganisation(id: "nhri", name: "National Human Rights Commission", kind: .nhri)
        let directory = try temporaryDirectory(name)
        let (secretariat, secretariatEngine) = try await server.replicaOnDisk(
            user: "sara", org: "nmirf", directory: directory)
        let (ministry, ministryEngine) = try await server.replica(user: "malik", org: "moj", clock: SystemWallClock())
        let (nhri, nhriEngine) = try await server.replica(user: "nadia", org: "nhri", clock: SystemWallClock())

        let mechanisms = Dictionary(
            try secretariat.rows("mechanism").map { ($0.values["code"]?.description ?? "", $0.id) },
            uniquingKeysWith: { first, _ in first })
        let upr = try #require(mechanisms["UPR"])
        let cedaw = try #require(mechanisms["CEDAW"])
        func recommendation(
            _ text: String, mechanism: String, symbol: String, paragraph: String, cycle: Int?, session: Int?,
            states: [String] = [], position: String? = nil
        ) -> (String?, [String: FieldValue]) {
            var fields: [String: FieldValue] = [
                "text": .text(text), "mechanism_id": .text(mechanism), "document_symbol": .text(symbol),
                "paragraph": .text(paragraph), "themes": .list(["Torture"]), "sdg_targets": .list(["16.3"]),
            ]
            fields["cycle"] = cycle.map { .integer(Int64($0)) }
            fields["session"] = session.map { .integer(Int64($0)) }
            if !states.isEmpty { fields["recommending_states"] = .list(states) }
            fields["position"] = position.map(FieldValue.text)
            return (nil, fields)
        }
        let ids = try secretariat.put(
            "recommendation",
            rows: [
                recommendation(
                    "Criminalise torture, as the \"Convention\" defines it", mechanism: upr, symbol: "A/HRC/36/6",
                    paragraph: "128.1", cycle: 3, session: 27, states: ["FRA", "BRA"], position: "supported"),
                recommendation(
                    "Establish a national preventive mechanism", mechanism: upr, symbol: "A/HRC/36/6",
                    paragraph: "128.2", cycle: 3, session: 27, states: ["DNK"], position: "supported"),
                recommendation(
                    "Raise the minimum age of marriage to 18\nfor girls and boys", mechanism: upr, symbol: "A/HRC/36/6",
                    paragraph: "128.3", cycle: 3, session: 27, states: ["MEX"], position: "noted"),
                recommendation(
                    "An older recommendation OTHERCYCLE", mechanism: upr, symbol: "A/HRC/22/6", paragraph: "110.4",
                    cycle: 2, session: 13),
                recommendation(
                    "Adopt a definition of discrimination against women", mechanism: cedaw,
                    symbol: "CEDAW/C/XYZ/CO/7", paragraph: "12", cycle: nil, session: nil),
            ])
        let cluster = try secretariat.createCluster(NewCluster(title: "Torture prevention", kind: "theme"))
        _ = try secretariat.addToCluster(cluster, recommendations: [ids[0], ids[1]])
        _ = try secretariat.assign(NewAssignment(target: cluster, institution: "moj", role: .lead))
        for id in [ids[2], ids[4]] {
            _ = try secretariat.assign(NewAssignment(target: id, institution: "moj", role: .lead))
        }
        _ = try await secretariatEngine.sync()
        _ = try await ministryEngine.sync()

        // The ministry's work: some submitted and published by the secretariat, some not.
        var shown = NewAction(recommendation: ids[0], title: Shown.action)
        shown.dueDate = "2027-06-30"
        shown.budget = Budget(amount: 50_000, currency: "USD")
        shown.status = "in_progress"
        shown.indicator = NewIndicator(title: Shown.indicator, kind: "structure", unit: "bills", baseline: 0, target: 1)
        let shownAction = try ministry.planAction(shown)
        var hidden = NewAction(recommendation: ids[0], title: "Draft action HIDDENDRAFT")
        hidden.status = "completed"
        hidden.indicator = NewIndicator(title: "Indicator HIDDENINDICATOR")
        let hiddenAction = try ministry.planAction(hidden)
        let submittedOnly = try ministry.planAction(NewAction(recommendation: ids[2], title: "Action HIDDENSUBMITTED"))
        let cedawAction = try ministry.planAction(NewAction(recommendation: ids[4], title: Shown.cedawAction))
        let indicator = try #require(try ministry.rows("indicator", where: "action_id", is: shownAction).first?.id)
        var progress = NewProgressUpdate(action: shownAction, narrative: Shown.progress)
        progress.date = "2026-11-02"
        progress.value = 1
        progress.indicator = indicator
        progress.status = "on_track"
        let shownProgress = try ministry.reportProgress(progress)
        var draftProgress = NewProgressUpdate(action: shownAction, narrative: "Progress HIDDENPROGRESS")
        draftProgress.date = "2026-12-01"
        draftProgress.value = 7
        draftProgress.indicator = indicator
        _ = try ministry.reportProgress(draftProgress)
        _ = try ministry.reportProgress(NewProgressUpdate(action: hiddenAction, narrative: "Progress HIDDENONDRAFT"))
        for id in [shownAction, submittedOnly, cedawAction, shownProgress] {
            _ = try ministry.move(id, to: "submitted")
        }
        _ = try await ministryEngine.sync()
        _ = try await secretariatEngine.sync()
        for id in [shownAction, cedawAction, shownProgress] { _ = try secretariat.move(id, to: "published") }
        _ = try await secretariatEngine.sync()

        // The NHRI publishes one assessment and keeps another in draft.
        _ = try await nhriEngine.sync()
        let published = try nhri.recordAssessment(
            NewAssessment(target: ids[0], rating: "partial", rationale: Shown.rationale))
        _ = try nhri.move(published, to: "published")
        _ = try nhri.recordAssessment(NewAssessment(target: ids[2], rating: "limited", rationale: "HIDDENRATIONALE"))
        _ = try await nhriEngine.sync()
        _ = try await secretariatEngine.sync()
        _ = try await ministryEngine.sync()
        return PublishedWorkFixture(
            server: server, secretariat: secretariat, secretariatEngine: secretariatEngine, ministry: ministry,
            nhri: nhri,
            secretariatDirectory: directory, recommendations: ids)
    }
}
