import Foundation

/// LibreOffice headless and poppler's `pdftotext`, as the report tests use them: each conversion
/// with a private user profile, so that runs in parallel do not share (and lock) one.
public enum LibreOffice {
    /// Converts `file` to `format` (`pdf`, `csv`...) into `directory`; answers the new file's path.
    ///
    /// `format` may carry a filter (`csv:Text - txt - csv (StarCalc):44,34,76`); the output's
    /// extension is the part before the colon.
    public static func convert(_ file: String, to format: String, in directory: String) throws -> String {
        let profile = FileManager.default.temporaryDirectory
            .appendingPathComponent("followup-lo-profile-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: profile) }
        let (status, output) = try run(
            "soffice",
            [
                "-env:UserInstallation=\(profile.absoluteString)", "--headless", "--norestore", "--convert-to", format,
                "--outdir", directory, file,
            ])
        let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let extensionName = format.split(separator: ":").first.map(String.init) ?? format
        let converted = directory + "/" + stem + "." + extensionName
        guard status == 0, FileManager.default.fileExists(atPath: converted) else {
            throw ProcessFailure(message: "soffice did not convert \(file) to \(format) (status \(status)): \(output)")
        }
        return converted
    }

    /// The text of a PDF, as `pdftotext` lays it out.
    public static func text(ofPDF path: String) throws -> String {
        let (status, output) = try run("pdftotext", ["-enc", "UTF-8", path, "-"])
        guard status == 0 else { throw ProcessFailure(message: "pdftotext failed on \(path) (status \(status))") }
        return output
    }

    /// The font families fontconfig offers for a language (`zh`, `ar`...), as LibreOffice finds them.
    public static func fontFamilies(forLanguage language: String) throws -> [String] {
        let (status, output) = try run("fc-list", [":lang=\(language)", "family"])
        guard status == 0 else { throw ProcessFailure(message: "fc-list failed (status \(status)): \(output)") }
        return output.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    /// Runs a program found on `PATH`; answers its status and its standard output and error.
    private static func run(_ program: String, _ arguments: [String]) throws -> (Int32, String) {
        guard let path = which(program) else {
            throw ProcessFailure(
                message:
                    "\(program) is not installed: ./scripts/test installs libreoffice-writer, libreoffice-calc and poppler-utils"
            )
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The path of `program` on `PATH`.
    private static func which(_ program: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
