import ArgumentParser
import Foundation
import Shared

/// Reads the password from standard input (one line).
func readPassword() throws -> String {
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw ValidationError("give the password on standard input (--password-stdin)")
    }
    return line
}

/// Whether standard error is a terminal (progress is shown only there).
var standardErrorIsTerminal: Bool { isatty(2) != 0 }

/// Writes a line to standard error, control characters shown escaped.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((TerminalText.escaped(text) + "\n").utf8))
}

/// Writes to standard output with control characters shown escaped, never obeyed by the terminal.
///
/// Every command prints through this function, which shadows `Swift.print` in this module: rows
/// hold text written by other organisations, and an escape sequence in a submission must not
/// clear the reader's screen or draw lines that look like the program's own.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Swift.print(TerminalText.escaped(items.map { "\($0)" }.joined(separator: separator)), terminator: terminator)
}

/// Text made safe for a terminal (and for the desk's pages).
public enum TerminalText {
    /// `text` with every control character but line feed and tab written as a visible escape
    /// (`\u{1B}`), so that the terminal shows it instead of obeying it.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                result.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: false
        case 0x00...0x1F, 0x7F...0x9F: true
        default: false
        }
    }
}

/// Converts a clerk-facing error into ArgumentParser's failure (message on stderr, exit 1).
///
/// An error about a typed input named in `flags` (input name to option, e.g. `"dueDate": "--due"`)
/// becomes the usage error the option's own check would give.
func reportingErrors<T>(flags: [String: String] = [:], _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ReplicaError {
        if let input = error.invalidInput, let flag = flags[input.name] {
            throw ValidationError("\(flag) \(input.rule.requirement)")
        }
        throw CommandFailure(message: error.message)
    } catch let error as TransportError {
        throw CommandFailure(message: error.message)
    } catch let error as ReportError {
        throw CommandFailure(message: error.message)
    }
}

/// A command failure whose message ArgumentParser prints as is.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Output shared by the domain commands: readable tables on a terminal, JSON for scripts.
enum Output {
    static func json(_ value: some Encodable) throws {
        print(String(decoding: try WireCoding.encoder().encode(value), as: UTF8.self))
    }

    static func table(_ header: [String], _ rows: [[String]]) {
        let widths = header.indices.map { index in
            max(header[index].count, rows.map { $0[index].count }.max() ?? 0)
        }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        print(([line(header)] + rows.map(line)).joined(separator: "\n"))
    }

    /// Writes `data` to file `path`, or to standard output when `path` is nil.
    static func write(_ data: Data, to path: String?) throws {
        guard let path else { return FileHandle.standardOutput.write(data) }
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandFailure(message: "cannot write \(path): \(error.localizedDescription)")
        }
    }

    static func clip(_ text: String, _ width: Int = 60) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count > width ? String(flat.prefix(width - 1)) + "…" : flat
    }
}

/// A rough human duration, such as "3 days 2 h" or "4 min 10 s".
func describeDuration(millis: Int64) -> String {
    let seconds = millis / 1000
    let (days, hours, minutes) = (seconds / 86_400, seconds % 86_400 / 3_600, seconds % 3_600 / 60)
    if days > 0 { return "\(days) days \(hours) h" }
    if hours > 0 { return "\(hours) h \(minutes) min" }
    if minutes > 0 { return "\(minutes) min \(seconds % 60) s" }
    return "\(seconds) s"
}

/// A byte count for people, such as "512 B", "12.3 KiB" or "4.1 MiB".
func describeBytes(_ bytes: Int) -> String {
    if bytes < 1024 { return "\(bytes) B" }
    if bytes < 1024 * 1024 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
    return String(format: "%.1f MiB", Double(bytes) / 1_048_576)
}
