import Foundation
import Shared

/// A format of recommendation exports the replica imports.
public enum ImportFormat: Sendable, Equatable, CaseIterable {
    /// A UPR Info CSV export (`UPRInfoFormat`), keyed by `upr_info_key`.
    case uprInfo
    /// A Universal Human Rights Index export, JSON (`UHRIFormat`) or Excel (`UHRIExcel`), keyed by `uhri_id`.
    case uhri

    /// The recommendation column holding the export's own key.
    public var keyColumn: String {
        switch self {
        case .uprInfo: "upr_info_key"
        case .uhri: "uhri_id"
        }
    }

    /// Reads the records of an export of this format that `scope` keeps, reporting progress as it goes.
    ///
    /// A UHRI JSON export is read as a stream, a chunk at a time; a UHRI Excel workbook (told by
    /// its zip signature or `.xlsx` name) and a UPR Info CSV are read whole.
    public func parse(
        _ file: ImportFile, scope: ImportScope, progress: (ImportStep) -> Void = { _ in }
    ) throws -> ParsedImport {
        switch self {
        case .uprInfo:
            let data = try file.contents()
            progress(.reading(path: file.path, bytesRead: Int64(data.count), totalBytes: Int64(data.count)))
            return try UPRInfoFormat.parse(data, scope: scope)
        case .uhri:
            let language = UHRIFormat.language(ofFileNamed: file.path)
            if file.isZipArchive {
                let parsed = try UHRIExcel.parse(file, scope: scope, language: language)
                progress(.reading(path: file.path, bytesRead: file.size, totalBytes: file.size))
                return parsed
            }
            return try UHRIFormat.parse(file, scope: scope, language: language, progress: progress)
        }
    }
}

/// An import file: a path read as a stream, or bytes already in memory.
public struct ImportFile: Sendable, Equatable {
    /// Where it was read from (or the name it was given).
    public var path: String
    /// Its content when given as bytes (an upload, a test); nil when it is read from `path` as needed.
    public var data: Data?

    /// Refers to the file at `path` without reading it, or fails with `file_not_found`.
    public init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            FileManager.default.isReadableFile(atPath: path)
        else {
            throw ReplicaError(.fileNotFound, "cannot read \(path)")
        }
        self.path = path
        self.data = nil
    }

    /// Wraps bytes already read (an upload, say).
    public init(path: String, data: Data) {
        self.path = path
        self.data = data
    }

    /// Its size in bytes (0 when it cannot be read).
    public var size: Int64 {
        if let data { return Int64(data.count) }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return (attributes?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// Its whole content.
    public func contents() throws -> Data {
        if let data { return data }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReplicaError(.fileNotFound, "cannot read \(path)")
        }
        return data
    }

    /// Whether it is a zip archive (an .xlsx workbook): it starts with `PK\u{3}\u{4}` or is named `.xlsx`.
    public var isZipArchive: Bool {
        if path.lowercased().hasSuffix(".xlsx") { return true }
        let magic: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
        if let data { return data.prefix(4).elementsEqual(magic) }
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 4)).map { $0.elementsEqual(magic) } ?? false
    }

    /// Calls `body` with a reader of successive chunks of the content; the file is opened once, closed after.
    func withChunks<T>(_ body: (@escaping JSONArrayStream.ChunkReader) throws -> T) throws -> T {
        if let data {
            var offset = 0
            return try body { count in
                defer { offset = min(data.count, offset + count) }
                let start = data.startIndex + offset
                return data[start..<min(data.endIndex, start + count)]
            }
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ReplicaError(.fileNotFound, "cannot read \(path)")
        }
        defer { try? handle.close() }
        return try body { count in try handle.read(upToCount: count) }
    }
}

/// A step of an import, for a progress display.
public enum ImportStep: Sendable, Equatable {
    /// The file is being read and checked: `bytesRead` of its `totalBytes` so far.
    case reading(path: String, bytesRead: Int64, totalBytes: Int64)
    /// `records` valid records are being written.
    case importing(records: Int)
}

/// Invalid records in the file stopped an import before anything was written.
public struct ImportRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error: `invalid_value`, listing the first invalid records' lines and reasons.
    public var error: ReplicaError
    /// What was read: the number of records and the invalid ones.
    public var report: ImportReport

    /// The error's message.
    public var description: String { error.message }
}

extension Replica {
    /// Imports the recommendations of an export file: all or nothing, unless `skipInvalid`.
    ///
    /// Running an import again changes nothing. Without `skipInvalid`, invalid records in the
    /// file fail with `ImportRefusal` (its report lists them), and records the replica refuses
    /// with `invalid_value`; nothing is written either way.
    ///
    /// - Returns: what was read, created, changed and left, with the invalid records of the file first.
    public func importRecommendations(
        from file: ImportFile, format: ImportFormat, scope: ImportScope, skipInvalid: Bool,
        progress: (ImportStep) -> Void = { _ in }
    ) throws -> ImportReport {
        // Only the secretariat records recommendations: others learn it before the file is read.
        try authorise([RowEdit(table: "recommendation", fields: ["text": .text("(import)")])])
        progress(.reading(path: file.path, bytesRead: 0, totalBytes: file.size))
        let parsed = try format.parse(file, scope: scope, progress: progress)
        let (records, invalid) = (parsed.records, parsed.invalid)
        if !invalid.isEmpty && !skipInvalid {
            let lines = invalid.prefix(20).map { "  line \($0.line): \($0.reason)" }.joined(separator: "\n")
            throw ImportRefusal(
                error: ReplicaError(
                    .invalidValue,
                    "\(invalid.count) invalid records; nothing was imported (fix them, or pass --skip-invalid):\n\(lines)"
                ),
                report: ImportReport(read: parsed.read, invalid: invalid, otherStates: parsed.otherStates))
        }
        progress(.importing(records: records.count))
        var report = try importRecommendations(records, keyColumn: format.keyColumn, skipInvalid: skipInvalid)
        if !report.invalid.isEmpty && !skipInvalid {
            throw ReplicaError(
                .invalidValue,
                "\(report.invalid.count) invalid records; nothing was imported:\n"
                    + report.invalid.prefix(20).map { "  line \($0.line): \($0.reason)" }.joined(separator: "\n"))
        }
        report.read = parsed.read
        report.otherStates = parsed.otherStates
        report.invalid = invalid + report.invalid
        return report
    }
}
