import Foundation
import Shared

/// A format of recommendation exports the replica imports.
public enum ImportFormat: Sendable, Equatable, CaseIterable {
    /// A UPR Info CSV export (`UPRInfoFormat`), keyed by `upr_info_key`.
    case uprInfo
    /// A Universal Human Rights Index JSON export (`UHRIFormat`), keyed by `uhri_id`.
    case uhri

    /// The recommendation column holding the export's own key.
    public var keyColumn: String {
        switch self {
        case .uprInfo: "upr_info_key"
        case .uhri: "uhri_id"
        }
    }

    /// Reads every record of an export of this format.
    public func parse(_ data: Data) throws -> (records: [ImportedRecommendation], invalid: [InvalidImportRow]) {
        switch self {
        case .uprInfo: try UPRInfoFormat.parse(data)
        case .uhri: try UHRIFormat.parse(data)
        }
    }
}

/// An import file's bytes, read before the replica is opened.
public struct ImportFile: Sendable, Equatable {
    /// Where it was read from.
    public var path: String
    /// Its content.
    public var data: Data

    /// Reads the file at `path`, or fails with `file_not_found`.
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReplicaError(.fileNotFound, "cannot read \(path)")
        }
        self.init(path: path, data: data)
    }

    /// Wraps bytes already read (an upload, say).
    public init(path: String, data: Data) {
        self.path = path
        self.data = data
    }
}

/// A step of an import, for a progress display.
public enum ImportStep: Sendable, Equatable {
    /// The file is being read and checked.
    case reading(path: String)
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
        from file: ImportFile, format: ImportFormat, skipInvalid: Bool, progress: (ImportStep) -> Void = { _ in }
    ) throws -> ImportReport {
        progress(.reading(path: file.path))
        let (records, invalid) = try format.parse(file.data)
        if !invalid.isEmpty && !skipInvalid {
            let lines = invalid.prefix(20).map { "  line \($0.line): \($0.reason)" }.joined(separator: "\n")
            throw ImportRefusal(
                error: ReplicaError(
                    .invalidValue,
                    "\(invalid.count) invalid records; nothing was imported (fix them, or pass --skip-invalid):\n\(lines)"
                ),
                report: ImportReport(read: records.count + invalid.count, invalid: invalid))
        }
        progress(.importing(records: records.count))
        var report = try importRecommendations(records, keyColumn: format.keyColumn, skipInvalid: skipInvalid)
        if !report.invalid.isEmpty && !skipInvalid {
            throw ReplicaError(
                .invalidValue,
                "\(report.invalid.count) invalid records; nothing was imported:\n"
                    + report.invalid.prefix(20).map { "  line \($0.line): \($0.reason)" }.joined(separator: "\n"))
        }
        report.read += invalid.count
        report.invalid = invalid + report.invalid
        return report
    }
}
