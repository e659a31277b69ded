import Foundation
import TerraformIO

/// What produce acknowledged, compact enough for 10,000,000 messages (32 bytes each, on disk
/// and in memory: the 64-bit fields first, so no padding). Entry i is message seq i.
public struct ManifestEntry: Sendable, Equatable {
    /// The broker's offset; `unknownOffset` when the broker confirmed none (acks=0, or not
    /// written through Kafka).
    public var offset: Int64
    public var keyHash: UInt64
    public var digest: UInt64
    /// The partition the broker acknowledged; `neverAcknowledged` when the produce failed for
    /// this message (it was never sent, as far as anyone can tell); `notThroughKafka` for data
    /// written elsewhere (seed-source S3 objects), which a connector brings to Kafka.
    public var partition: Int32
    /// When the message was handed to the producer, in 100 µs units after header.startedAtMs.
    public var producedAt: UInt32

    public static let size = 32
    public static let neverAcknowledged: Int32 = -1
    public static let notThroughKafka: Int32 = -2
    public static let unknownOffset: Int64 = -1
    public static let unacknowledged = ManifestEntry(partition: neverAcknowledged, offset: unknownOffset, keyHash: 0, digest: 0, producedAt: 0)

    public init(partition: Int32, offset: Int64, keyHash: UInt64, digest: UInt64, producedAt: UInt32) {
        self.partition = partition
        self.offset = offset
        self.keyHash = keyHash
        self.digest = digest
        self.producedAt = producedAt
    }

    /// Whether the message is expected at the destination: the broker took it (with or without
    /// an offset), or it was written outside Kafka on purpose.
    public var isExpected: Bool { partition != ManifestEntry.neverAcknowledged }
    /// Whether the broker named the message's place: only then can retention or a re-read of
    /// the same offset be told from loss or a duplicate.
    public var hasOffset: Bool { partition >= 0 && offset >= 0 }
}

public struct ManifestHeader: Sendable {
    public var runId: String
    public var topic: String
    public var dataFormat: String
    public var messageCount: Int
    public var seed: UInt64
    public var keyStrategy: String
    public var schemaFile: String?
    public var dataFile: String?
    public var registryURL: String?
    public var subject: String?
    public var schemaId: Int?
    public var startedAtMs: Int64
    /// False when the producer asked for no acknowledgement (acks=0): the broker confirmed no
    /// offset, so consume verifies by content and count and excuses nothing as retention.
    public var offsetsKnown: Bool = true
    /// Anything else a producer wants to remember (e.g. the seed-source bucket).
    public var extra: [(String, JSONValue)]

    public init(runId: String, topic: String, dataFormat: String, messageCount: Int, seed: UInt64, keyStrategy: String,
                schemaFile: String? = nil, dataFile: String? = nil, registryURL: String? = nil, subject: String? = nil,
                schemaId: Int? = nil, startedAtMs: Int64, extra: [(String, JSONValue)] = []) {
        self.runId = runId
        self.topic = topic
        self.dataFormat = dataFormat
        self.messageCount = messageCount
        self.seed = seed
        self.keyStrategy = keyStrategy
        self.schemaFile = schemaFile
        self.dataFile = dataFile
        self.registryURL = registryURL
        self.subject = subject
        self.schemaId = schemaId
        self.startedAtMs = startedAtMs
        self.extra = extra
    }

    /// Microseconds since the epoch at which message `entry` was produced.
    public func producedAtMicros(_ entry: ManifestEntry) -> Int64 {
        startedAtMs * 1000 + Int64(entry.producedAt) * 100
    }

    var json: JSONValue {
        func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        return .object([
            ("streamcheck_manifest", .int(1)),
            ("run_id", .string(runId)),
            ("topic", .string(topic)),
            ("data_format", .string(dataFormat)),
            ("message_count", .int(Int64(messageCount))),
            ("seed", .string(String(seed))),
            ("key_strategy", .string(keyStrategy)),
            ("schema_file", opt(schemaFile)),
            ("data_file", opt(dataFile)),
            ("schema_registry_url", opt(registryURL)),
            ("subject", opt(subject)),
            ("schema_id", schemaId.map { .int(Int64($0)) } ?? .null),
            ("started_at_ms", .int(startedAtMs)),
            ("offsets_known", .bool(offsetsKnown)),
            ("entry_size", .int(Int64(ManifestEntry.size))),
            ("extra", .object(extra)),
        ])
    }

    init(json: JSONValue, path: String) throws {
        func bad(_ what: String) -> StreamcheckError {
            StreamcheckError("manifest \(path) is not a streamcheck manifest: \(what); pass the file that produce wrote")
        }
        guard json["streamcheck_manifest"]?.int64Value == 1 else { throw bad("unknown header version") }
        guard let runId = json["run_id"]?.stringValue, let topic = json["topic"]?.stringValue,
              let format = json["data_format"]?.stringValue, let count = json["message_count"]?.int64Value,
              let seedText = json["seed"]?.stringValue, let seed = UInt64(seedText),
              let keyStrategy = json["key_strategy"]?.stringValue, let started = json["started_at_ms"]?.int64Value,
              json["entry_size"]?.int64Value == Int64(ManifestEntry.size), count >= 0
        else { throw bad("header fields missing or of the wrong type") }
        // Names read from a file are held to the same rules as the same names given as flags:
        // a run id becomes part of file names in the report dir.
        guard (try? RunId.validate(runId, name: "run_id")) != nil else {
            throw bad("its run_id is not 1 to 100 letters, digits, '-', '_' or '.'")
        }
        // Empty: a seed-source manifest that names no topic (the data is not in Kafka yet).
        guard topic.isEmpty || Parameters.isTopicName(topic) else { throw bad("its topic is not a Kafka topic name") }
        self.init(runId: runId, topic: topic, dataFormat: format, messageCount: Int(count), seed: seed, keyStrategy: keyStrategy,
                  schemaFile: json["schema_file"]?.stringValue, dataFile: json["data_file"]?.stringValue,
                  registryURL: json["schema_registry_url"]?.stringValue, subject: json["subject"]?.stringValue,
                  schemaId: json["schema_id"]?.int64Value.map { Int($0) }, startedAtMs: started,
                  extra: json["extra"]?.objectValue ?? [])
        offsetsKnown = json["offsets_known"]?.boolValue ?? true
    }
}

public struct Manifest: Sendable {
    public var header: ManifestHeader
    public var entries: [ManifestEntry]

    public init(header: ManifestHeader, entries: [ManifestEntry]) {
        self.header = header
        self.entries = entries
    }

    /// The seqs expected at the destination: every one the broker took (with or without an
    /// offset) and every one written outside Kafka; never those whose produce failed.
    public var expectedSeqs: [Int] { entries.indices.filter { entries[$0].isExpected } }
    public var expectedCount: Int { entries.reduce(0) { $0 + ($1.isExpected ? 1 : 0) } }

    /// One JSON header line, then the entries as little-endian binary. Written in pieces: the
    /// entries are never copied whole into a second buffer. The header's last field is a
    /// checksum of every byte before it and of the entries (`ManifestChecksum`), so a manifest
    /// damaged on disk or in an artifact store is refused instead of read as other facts.
    public func write(to path: String) throws {
        let perPiece = 65_536
        var bytes: [UInt8] = []
        bytes.reserveCapacity(perPiece * ManifestEntry.size)
        // The header carries the checksum, so the entries are encoded twice: once to hash
        // them, once to write them (a few milliseconds per million).
        func pieces(_ body: ([UInt8]) throws -> Void) rethrows {
            for start in stride(from: 0, to: entries.count, by: perPiece) {
                bytes.removeAll(keepingCapacity: true)
                for e in entries[start..<min(start + perPiece, entries.count)] { Manifest.appendEntry(e, to: &bytes) }
                try body(bytes)
            }
        }
        var line = Array(header.json.encoded().utf8)
        line.removeLast()  // the closing brace: the checksum field goes before it
        var checksum = ManifestChecksum()
        checksum.add(header: line[...])
        pieces { checksum.add(body: $0[...]) }
        line += Array(",\"checksum\":\"\(checksum.hex)\"}\n".utf8)
        do {
            try AtomicFile.write(to: path) { emit in
                try emit(line[...])
                try pieces { try emit($0[...]) }
            }
        } catch {
            throw StreamcheckError("cannot write manifest: \(error)")
        }
    }

    /// The file layout predates the in-memory order: partition first.
    static func appendEntry(_ e: ManifestEntry, to bytes: inout [UInt8]) {
        append(e.partition, to: &bytes)
        append(e.offset, to: &bytes)
        append(e.keyHash, to: &bytes)
        append(e.digest, to: &bytes)
        append(e.producedAt, to: &bytes)
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Reads the header line, then the entries straight from the file in pieces: memory is the
    /// entries themselves (32 bytes each), not the file two or three times over.
    public static func read(path: String) throws -> Manifest {
        guard let file = fopen(path, "rb") else {
            throw StreamcheckError("cannot read manifest \(path): no such file or not readable; pass the path produce wrote with --manifest")
        }
        defer { fclose(file) }
        var piece = [UInt8](repeating: 0, count: 1 << 20)
        var filled = piece.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        guard let newline = piece[..<filled].firstIndex(of: UInt8(ascii: "\n")) else {
            throw StreamcheckError("manifest \(path) is not a streamcheck manifest: no header line")
        }
        let headerJSON: JSONValue
        do { headerJSON = try JSONValue.parse(bytes: Array(piece[..<newline])) } catch {
            throw StreamcheckError("manifest \(path) is not a streamcheck manifest: its header is not JSON")
        }
        let header = try ManifestHeader(json: headerJSON, path: path)
        let headerLine = piece[..<newline]
        guard let mark = Manifest.checksumMark(in: headerLine), let stated = UInt64(String(decoding: headerLine[(mark + ManifestChecksum.mark.count)...].prefix(16), as: UTF8.self), radix: 16) else {
            throw StreamcheckError("manifest \(path) has no checksum: it was written by an older streamcheck, or by hand; produce it again")
        }
        var checksum = ManifestChecksum()
        checksum.add(header: headerLine[..<mark])
        // The body's size is known before reading it: a truncated or padded file is refused
        // without decoding anything.
        var info = stat()
        guard fstat(fileno(file), &info) == 0 else {
            throw StreamcheckError("cannot read manifest \(path): \(String(cString: strerror(errno)))")
        }
        let bodyBytes = Int(info.st_size) - (newline + 1)
        guard bodyBytes == header.messageCount * ManifestEntry.size else {
            let found = max(0, bodyBytes) / ManifestEntry.size
            throw StreamcheckError("manifest \(path) is truncated or damaged: header says \(header.messageCount) messages, file holds \(found)\(bodyBytes % ManifestEntry.size == 0 ? "" : " and a partial entry"); produce it again")
        }
        var entries = [ManifestEntry]()
        entries.reserveCapacity(header.messageCount)
        // piece[pending..<filled]: body bytes read but not decoded yet.
        var pending = newline + 1
        while entries.count < header.messageCount {
            let whole = min((filled - pending) / ManifestEntry.size, header.messageCount - entries.count)
            checksum.add(body: piece[pending..<(pending + whole * ManifestEntry.size)])
            piece.withUnsafeBytes { raw in
                var p = pending
                for _ in 0..<whole {
                    let partition = Int32(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: Int32.self))
                    let offset = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: p + 4, as: Int64.self))
                    let keyHash = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: p + 12, as: UInt64.self))
                    let digest = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: p + 20, as: UInt64.self))
                    let producedAt = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: p + 28, as: UInt32.self))
                    entries.append(ManifestEntry(partition: partition, offset: offset, keyHash: keyHash, digest: digest, producedAt: producedAt))
                    p += ManifestEntry.size
                }
            }
            pending += whole * ManifestEntry.size
            if entries.count == header.messageCount { break }
            // Move the partial entry to the front and read on behind it.
            let rest = filled - pending
            piece.withUnsafeMutableBytes { raw in
                if rest > 0 { raw.baseAddress!.copyMemory(from: raw.baseAddress! + pending, byteCount: rest) }
            }
            let read = piece.withUnsafeMutableBytes { fread($0.baseAddress! + rest, 1, $0.count - rest, file) }
            guard read > 0 else {
                throw StreamcheckError("manifest \(path) is truncated or damaged: it ended while being read; produce it again")
            }
            filled = rest + read
            pending = 0
        }
        guard checksum.value == stated else {
            throw StreamcheckError("manifest \(path) is damaged: its checksum does not match its content (a byte changed on disk or in transit); produce it again")
        }
        return Manifest(header: header, entries: entries)
    }

    /// Where `,"checksum":"` starts in the header line (the last such place: it is the last field).
    static func checksumMark(in line: ArraySlice<UInt8>) -> Int? {
        let mark = ManifestChecksum.mark
        guard line.count >= mark.count + 18 else { return nil }
        var i = line.endIndex - mark.count
        while i >= line.startIndex {
            if line[i..<(i + mark.count)].elementsEqual(mark) { return i }
            i -= 1
        }
        return nil
    }
}

/// FNV-1a (64-bit) over the header line's bytes up to its checksum field, continued over the
/// entries as 64-bit little-endian words (4 per entry, so a million entries hash in
/// milliseconds). Catches any changed byte; it is a damage check, not a signature.
struct ManifestChecksum {
    static let mark = Array(",\"checksum\":\"".utf8)
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01B3

    mutating func add(header bytes: ArraySlice<UInt8>) {
        for b in bytes { value = (value ^ UInt64(b)) &* Self.prime }
    }

    /// `bytes.count` is a multiple of 8 (whole entries).
    mutating func add(body bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { raw in
            var p = 0
            while p + 8 <= raw.count {
                value = (value ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: UInt64.self))) &* Self.prime
                p += 8
            }
        }
    }

    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
