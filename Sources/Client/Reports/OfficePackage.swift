import Foundation
import ZIPFoundation

/// An Office Open XML package (DOCX, XLSX): parts read from the XML templates shipped with the
/// Client library, filled in, and zipped with ZIPFoundation.
struct OfficePackage {
    /// The parts, in the order they are written (`[Content_Types].xml` first, as Office expects).
    var parts: [(path: String, text: String)] = []

    /// Adds the part at `path` from template `name` of `folder`, each `{{KEY}}` replaced by its value.
    mutating func add(_ path: String, template name: String, in folder: String, _ values: [String: String] = [:])
        throws
    {
        parts.append((path, try Self.template(name, in: folder, values)))
    }

    /// The zipped package.
    func data() throws -> Data {
        let archive = try Archive(accessMode: .create)
        for part in parts {
            let bytes = Data(part.text.utf8)
            try archive.addEntry(
                with: part.path, type: .file, uncompressedSize: Int64(bytes.count),
                modificationDate: Date(timeIntervalSince1970: 1_577_836_800), compressionMethod: .deflate
            ) { position, size in
                bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        guard let data = archive.data else { throw ReportError(.templateMissing, "the package was not written") }
        return data
    }

    /// Template `name` of `folder` (under `Templates/`), each `{{KEY}}` replaced by its value.
    static func template(_ name: String, in folder: String, _ values: [String: String] = [:]) throws -> String {
        guard
            let url = Bundle.module.url(
                forResource: name, withExtension: nil, subdirectory: "Resources/Templates/\(folder)"),
            var text = try? String(contentsOf: url, encoding: .utf8)
        else {
            throw ReportError(.templateMissing, "the \(folder) template \(name) is missing from the Client library")
        }
        for (key, value) in values { text = text.replacingOccurrences(of: "{{\(key)}}", with: value) }
        return text
    }
}

/// Text made safe for XML content and attribute values.
enum OfficeXML {
    /// `text` escaped for XML: markup characters as entities, a carriage return kept as `&#13;`,
    /// and the control characters XML 1.0 forbids left out.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\r": escaped += "&#13;"
            case "\t", "\n": escaped.unicodeScalars.append(scalar)
            default:
                // XML 1.0: no C0 controls but tab, LF and CR; no U+FFFE and U+FFFF.
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
