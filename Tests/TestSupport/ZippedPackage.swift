import Foundation
import ZIPFoundation

/// A part of a zipped package (a DOCX or XLSX) the tests read.
public enum ZippedPackage {
    /// A part a package lacks.
    public struct MissingPart: Error {
        /// The part's path.
        public var path: String
    }

    /// The text of part `path` of the zipped `package`.
    public static func part(_ path: String, of package: Data) throws -> String {
        let archive = try Archive(data: package, accessMode: .read)
        guard let entry = archive[path] else { throw MissingPart(path: path) }
        var data = Data()
        _ = try archive.extract(entry) { data.append($0) }
        return String(decoding: data, as: UTF8.self)
    }
}
