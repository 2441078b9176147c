import Foundation

/// The UHRI import workload: a full JSON export of the real shape, filtered to one State.
extension FollowupBench {
    /// Writes a deterministic UHRI JSON full export of `records` records (about 1.5 KB each) to `path`.
    ///
    /// One record in `keptEvery` is about Peru (PER); the others rotate through other States,
    /// in the shapes the real file has: plain names, ISO-2 codes, asterisks, the European Union.
    /// - Returns: the file's size in bytes and the number of Peru's records.
    static func writeUHRIExport(records: Int, keptEvery: Int = 30, to path: String) throws -> (bytes: Int64, kept: Int)
    {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw BenchFailure("cannot write \(path)") }
        defer { try? handle.close() }
        let others = [
            "France", "PK", "State of Palestine*", "Bolivia (Plurinational State of)", "Kenya", "European Union",
            "Kosovo*", "Viet Nam", "IQ", "Côte d'Ivoire", "Morocco", "Chile",
        ]
        let bodies = ["- UPR", "- CRC", "- CEDAW", "- SR Torture", "- IE  Albinism", "- Committee against Torture"]
        let filler =
            "take effective measures to guarantee the independence of the judiciary, ensure fair trial guarantees "
            + "and access to legal aid, and investigate allegations of torture in detention promptly &amp; "
            + "impartially, in line with the Convention&rsquo;s article 2 and the Committee&nbsp;s general comment "
            + "No. 3 (2012) [...] on the implementation of article 14 by States parties; <p>it also recommends "
            + "that the State party collect disaggregated data.</p> The Committee further recommends that the State "
            + "party allocate adequate human, technical and financial resources to the national preventive "
            + "mechanism and publish its reports."
        var buffer = "["
        var kept = 0
        var bytes: Int64 = 0
        func flush() {
            let data = Data(buffer.utf8)
            bytes += Int64(data.count)
            handle.write(data)
            buffer = ""
        }
        for index in 0..<records {
            let isKept = index % keptEvery == 0
            if isKept { kept += 1 }
            let country = isKept ? "Peru" : others[index % others.count]
            let body = bodies[index % bodies.count]
            let upr = body == "- UPR"
            let id = String(format: "%08x-%04x-4%03x-8%03x-%012x", index, index % 65_536, index % 4_096, 7, index)
            let session = 13 + index % 40
            buffer += index == 0 ? "" : ","
            buffer += """
                {"AffectedPersons":["Persons deprived of their liberty","Women & girls"],\
                "AnnotationId":"\(id)","AnnotationType":"\(index % 3 == 0 ? "- Concerns/Observations" : "- Recommendations")",\
                "Body":"\(body)","Countries":["\(country)"],"DocumentId":"\(id)",\
                "PublicationDate":"20\(10 + index % 15)-0\(1 + index % 9)-12T00:00:00",\
                "PublicationDateOnUhri":"2025-03-03T10:53:45.827","Regions":["Latin America and the Caribbean"],\
                "Sdgs":["16.3 - Promote the rule of law at the national and international levels",\
                "5 - ACHIEVE GENDER EQUALITY"],"Symbol":"CAT/C/PER/CO/\(index % 9)",\
                "Text":"\(index % 50 + 1).The Committee recommends that the State party \(filler) (rec. \(index))",\
                "Themes":["Torture and other cruel, inhuman or degrading treatment or punishment",\
                "Administration of justice & fair trial"],\
                "UprCycle":\(upr ? "\((session - 13) / 14 + 2)" : "null"),\
                "UprPositions":\(upr ? (index % 2 == 0 ? #"["Supported"]"# : #"["Noted"]"#) : "[]"),\
                "UprRecommendingCountry":\(upr ? #"["France","Guinea-Bissau","European Union"]"# : "[]"),\
                "UprRecommendingRegions":\(upr ? #"["WEOG","African States"]"# : "[]"),\
                "UprSession":\(upr ? "[\"\(session)\"]" : "[]")}
                """
            if buffer.utf8.count > 1 << 20 { flush() }
        }
        buffer += "]"
        flush()
        return (bytes, kept)
    }

    /// Generates a UHRI full export and imports one State's records with `followup import uhri --state PER`.
    static func importUHRI(records: Int, bin: String, work: String) async throws -> [BenchResult] {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let export = work + "/export-full-en.json"
        let (bytes, kept) = try writeUHRIExport(records: records, to: export)
        let importer = try Importer(bin: bin, work: work)
        defer { importer.stop() }
        let reportPath = work + "/import-uhri.json"
        let usage = try importer.run(["import", "uhri", export, "--state", "PER", "--json"], output: reportPath)
        let report = try JSONDecoder().decode(
            ImportCount.self, from: Data(contentsOf: URL(fileURLWithPath: reportPath)))
        guard report.new == kept else { throw BenchFailure("the UHRI import kept \(report.new), not \(kept)") }
        try? FileManager.default.removeItem(atPath: export)
        return [
            BenchResult(
                workload: "import_uhri", operations: records, seconds: usage.seconds,
                opsPerSecond: Double(records) / usage.seconds, clientPeakRSSMiB: Double(usage.maxRSSKiB) / 1024,
                note: String(
                    format: "a %.0f MB UHRI JSON export of %d records streamed; %d of one State kept",
                    Double(bytes) / 1e6, records, kept))
        ]
    }
}
