import Foundation
import Shared

/// Splits a top-level JSON array into the bytes of its elements while reading it in chunks.
///
/// It tracks only what it must to find where an element ends (strings, escapes, nesting), so the
/// file is never held whole in memory: each element is handed out as `Data` for `JSONDecoder`.
/// Malformed elements are left for the decoder to reject; a file that is not an array, or that
/// breaks off inside one, fails with `invalid_file`.
final class JSONArrayStream {
    /// Reads the next chunk of at most `count` bytes; empty or nil at the end.
    typealias ChunkReader = (_ count: Int) throws -> Data?

    private let readChunk: ChunkReader
    private let chunkSize: Int
    private var chunk: [UInt8] = []
    private var position = 0
    /// The bytes of the current element read from earlier chunks.
    private var pending: [UInt8] = []
    /// Where the current element starts in `chunk` (0 when it began in an earlier chunk).
    private var elementStart: Int?
    private var opened = false
    private var closed = false
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var atEnd = false

    /// Bytes read from the source so far.
    private(set) var bytesRead: Int64 = 0
    /// The largest element accepted, in bytes: a record of the export is a few kilobytes, so a
    /// larger one means the file is not what it claims (and would otherwise fill the memory).
    static let maxElementBytes = 16 << 20

    /// A stream over chunks that `read` returns, asking for `chunkSize` bytes at a time.
    init(chunkSize: Int = 1 << 20, read: @escaping ChunkReader) {
        self.chunkSize = max(1, chunkSize)
        self.readChunk = read
    }

    /// The bytes of the next element of the array, or nil after its closing bracket.
    func next() throws -> Data? {
        while true {
            if position >= chunk.count {
                if let start = elementStart {
                    pending.append(contentsOf: chunk[start...])
                    elementStart = 0
                    if pending.count > Self.maxElementBytes {
                        throw notAnArray(
                            "an element near byte \(bytesRead) is larger than \(Self.maxElementBytes) bytes")
                    }
                }
                guard try load() else {
                    if !opened { throw notAnArray("the file is empty") }
                    if !closed { throw notAnArray("the array breaks off at byte \(bytesRead)") }
                    return nil
                }
                continue
            }
            if closed {
                if firstNonSpace() != nil { throw notAnArray("something follows the array's closing bracket") }
                position = chunk.count
                continue
            }
            if !opened {
                // White space and a UTF-8 byte order mark may come before the array.
                while position < chunk.count, [0xEF, 0xBB, 0xBF].contains(chunk[position]) { position += 1 }
                guard let index = firstNonSpace() else {
                    position = chunk.count
                    continue
                }
                guard chunk[index] == UInt8(ascii: "[") else {
                    throw notAnArray("it does not start with '['")
                }
                opened = true
                position = index + 1
                continue
            }
            if elementStart == nil {
                // Between elements: skip white space and commas; find the next element or the end.
                while position < chunk.count, Self.isSpace(chunk[position]) || chunk[position] == UInt8(ascii: ",") {
                    position += 1
                }
                guard position < chunk.count else { continue }
                if chunk[position] == UInt8(ascii: "]") {
                    closed = true
                    position += 1
                    continue
                }
                elementStart = position
                depth = 0
                inString = false
                escaped = false
            }
            if let end = scanElement() {
                let start = elementStart ?? 0
                // A '}' or ']' where an element should begin ends an element of no bytes: the
                // array is broken there (and reading on would never move).
                guard end > start || !pending.isEmpty else {
                    throw notAnArray("a stray bracket stands where an element should begin, near byte \(bytesRead)")
                }
                var element = pending
                element.append(contentsOf: chunk[start..<end])
                pending.removeAll(keepingCapacity: true)
                elementStart = nil
                position = end
                return Data(element)
            }
        }
    }

    /// Advances through the current element; returns the index just past its end when it ends in this chunk.
    private func scanElement() -> Int? {
        let quote = UInt8(ascii: "\"")
        let backslash = UInt8(ascii: "\\")
        let open1 = UInt8(ascii: "{")
        let open2 = UInt8(ascii: "[")
        let close1 = UInt8(ascii: "}")
        let close2 = UInt8(ascii: "]")
        let comma = UInt8(ascii: ",")
        return chunk.withUnsafeBufferPointer { bytes -> Int? in
            var index = position
            defer { position = index }
            while index < bytes.count {
                let byte = bytes[index]
                if inString {
                    if escaped {
                        escaped = false
                    } else if byte == backslash {
                        escaped = true
                    } else if byte == quote {
                        inString = false
                        if depth == 0 {
                            index += 1
                            return index
                        }
                    }
                    index += 1
                    continue
                }
                switch byte {
                case quote: inString = true
                case open1, open2: depth += 1
                case close1, close2:
                    if depth == 0 { return index }  // a scalar element ended by the array's close
                    depth -= 1
                    if depth == 0 {
                        index += 1
                        return index
                    }
                case comma where depth == 0: return index
                default:
                    if depth == 0 && Self.isSpace(byte) { return index }
                }
                index += 1
            }
            return nil
        }
    }

    private func load() throws -> Bool {
        guard !atEnd else { return false }
        guard let data = try readChunk(chunkSize), !data.isEmpty else {
            atEnd = true
            return false
        }
        bytesRead += Int64(data.count)
        chunk = [UInt8](data)
        position = 0
        return true
    }

    private func firstNonSpace() -> Int? {
        var index = position
        while index < chunk.count, Self.isSpace(chunk[index]) { index += 1 }
        return index < chunk.count ? index : nil
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private func notAnArray(_ reason: String) -> ReplicaError {
        ReplicaError(.invalidFile, "this is not a UHRI export (a JSON array of annotation records): \(reason)")
    }
}
