import Foundation
import Testing
@testable import Kafka
@testable import StreamcheckKit
import TerraformIO

/// Builds a manifest and the messages produce would have sent for it, without Kafka.
struct Fixture {
    let format = JSONFormat(source: .generator(UserEventGenerator(seed: 7)))
    let manifest: Manifest
    let values: [[UInt8]]
    let runId = "unit-run"

    /// `count` messages spread round-robin over `partitions`, offsets consecutive per partition.
    init(count: Int, partitions: Int32 = 2, keyStrategy: String = "sequence") throws {
        var entries: [ManifestEntry] = []
        var values: [[UInt8]] = []
        var next = [Int64](repeating: 0, count: Int(partitions))
        let format = JSONFormat(source: .generator(UserEventGenerator(seed: 7)))
        for seq in 0..<count {
            let (value, digest) = try format.encodeWithDigest(try format.record(at: seq))
            let p = Int32(seq % Int(partitions))
            // With field keys every message here shares one key, so per-key order spans partitions.
            let keyHash = keyStrategy.hasPrefix("field:") ? ContentDigest.keyHash([1]) : ContentDigest.keyHash(Array(String(seq).utf8))
            entries.append(ManifestEntry(partition: p, offset: next[Int(p)], keyHash: keyHash,
                                         digest: digest, producedAt: UInt32(seq)))
            next[Int(p)] += 1
            values.append(value)
        }
        let header = ManifestHeader(runId: "unit-run", topic: "unit", dataFormat: "json", messageCount: count, seed: 7,
                                    keyStrategy: keyStrategy, startedAtMs: 1_700_000_000_000)
        manifest = Manifest(header: header, entries: entries)
        self.values = values
    }

    /// As streamcheck's producer sends it: the record's CreateTime is the produce time in its
    /// header, to the millisecond (unless `timestampMs` says otherwise, e.g. a later writer's).
    func message(_ seq: Int, partition: Int32? = nil, offset: Int64? = nil, value: [UInt8]? = nil,
                 runId: String? = nil, headers: Bool = true, topic: String = "unit", timestampMs: Int64? = nil) -> KafkaMessage {
        let e = manifest.entries[seq]
        let v = value ?? values[seq]
        var h: [(String, [UInt8])] = []
        if headers {
            h = [(StreamcheckHeaders.runId, Array((runId ?? self.runId).utf8)), (StreamcheckHeaders.seq, Array(String(seq).utf8)),
                 (StreamcheckHeaders.producedAt, Array(String(manifest.header.producedAtMicros(e)).utf8)),
                 (StreamcheckHeaders.digest, Array(ContentDigest.hex(e.digest).utf8))]
        }
        return KafkaMessage(topic: topic, partition: partition ?? e.partition, offset: offset ?? e.offset, key: Array(String(seq).utf8),
                            value: v, headers: h, timestampMs: timestampMs ?? manifest.header.producedAtMicros(e) / 1000,
                            timestampIsLogAppendTime: false)
    }

    init(copying other: Fixture, entries: [ManifestEntry]) {
        manifest = Manifest(header: other.manifest.header, entries: entries)
        values = other.values
    }

    func verifier() -> Verifier {
        Verifier(manifest: manifest, format: format, consumedTopic: "unit", consumerStartedMicros: Clock.nowMicros())
    }
}

func tempPath(_ name: String) -> String {
    NSTemporaryDirectory() + "sc-unit-\(getpid())-\(UInt64.random(in: 0...UInt64.max))-\(name)"
}

@Suite("Manifest")
struct ManifestTests {
    @Test("an entry takes 32 bytes in memory as on disk")
    func stride() {
        #expect(MemoryLayout<ManifestEntry>.stride == ManifestEntry.size)
    }

    @Test("offsets_known and the never-acknowledged and seeded entries survive a round trip")
    func entryStates() throws {
        var header = ManifestHeader(runId: "r", topic: "t", dataFormat: "json", messageCount: 3, seed: 1, keyStrategy: "none", startedAtMs: 1)
        header.offsetsKnown = false
        let entries = [ManifestEntry(partition: 0, offset: ManifestEntry.unknownOffset, keyHash: 1, digest: 2, producedAt: 3),
                       .unacknowledged,
                       ManifestEntry(partition: ManifestEntry.notThroughKafka, offset: ManifestEntry.unknownOffset, keyHash: 0, digest: 9, producedAt: 0)]
        let path = tempPath("states.manifest")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Manifest(header: header, entries: entries).write(to: path)
        let back = try Manifest.read(path: path)
        #expect(back.header.offsetsKnown == false)
        #expect(back.entries == entries)
        #expect(back.expectedSeqs == [0, 2] && back.expectedCount == 2)
        #expect(!back.entries[0].hasOffset && back.entries[0].isExpected)
    }

    @Test("write then read gives back header and every entry")
    func roundTrip() throws {
        var fixture = try Fixture(count: 300)
        var m = fixture.manifest
        m.header.extra = [("bucket", .string("b"))]
        m.entries[5] = .unacknowledged
        let path = tempPath("rt.manifest")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try m.write(to: path)
        let back = try Manifest.read(path: path)
        #expect(back.entries == m.entries)
        #expect(back.header.runId == "unit-run" && back.header.messageCount == 300 && back.header.seed == 7)
        #expect(back.header.startedAtMs == m.header.startedAtMs && back.header.keyStrategy == "sequence")
        #expect(back.header.extra.first?.0 == "bucket")
        fixture = try Fixture(count: 0)
        try fixture.manifest.write(to: path)
        #expect(try Manifest.read(path: path).entries.isEmpty)
    }

    @Test("a truncated manifest is refused with the counts and what to do")
    func truncated() throws {
        let path = tempPath("cut.manifest")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Fixture(count: 10).manifest.write(to: path)
        var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        bytes.removeLast(40)  // one entry and 8 bytes of another
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        #expect { _ = try Manifest.read(path: path) } throws: { error in
            "\(error)" == "manifest \(path) is truncated or damaged: header says 10 messages, file holds 8 and a partial entry; produce it again"
        }
    }

    @Test("a flipped byte anywhere is refused as damage; a manifest without a checksum is refused")
    func checksum() throws {
        let path = tempPath("checksum.manifest")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Fixture(count: 50).manifest.write(to: path)
        let valid = [UInt8](FileManager.default.contents(atPath: path)!)
        let newline = valid.firstIndex(of: UInt8(ascii: "\n"))!
        let header = String(decoding: valid[..<newline], as: UTF8.self)
        #expect(header.hasSuffix("\"}") && header.contains(",\"checksum\":\""))
        // A digit of the offsets in the body, and one of started_at_ms in the header: both
        // still parse, and only the checksum tells.
        for position in [newline + 1 + 32 * 7 + 4, header.utf8.count - 40] {
            var bytes = valid
            bytes[position] ^= 0x01
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            #expect(throws: StreamcheckError.self) { _ = try Manifest.read(path: path) }
        }
        var body = valid
        body[newline + 1 + 12] ^= 0x40
        FileManager.default.createFile(atPath: path, contents: Data(body))
        #expect { _ = try Manifest.read(path: path) } throws: { error in
            "\(error)" == "manifest \(path) is damaged: its checksum does not match its content (a byte changed on disk or in transit); produce it again"
        }
        // As an older streamcheck wrote it: the same header without the checksum field.
        let stripped = header[..<header.range(of: ",\"checksum\":\"")!.lowerBound] + "}"
        FileManager.default.createFile(atPath: path, contents: Data(Array(stripped.utf8) + valid[newline...]))
        #expect { _ = try Manifest.read(path: path) } throws: { error in
            "\(error)".contains("has no checksum: it was written by an older streamcheck, or by hand; produce it again")
        }
    }

    @Test("random and mutated manifest files: a manifest or one clear line, never a crash")
    func fuzzReader() throws {
        let path = tempPath("fuzz.manifest")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Fixture(count: 20).manifest.write(to: path)
        let valid = [UInt8](FileManager.default.contents(atPath: path)!)
        var rng = SplitMix64(seed: 0xF022)
        for round in 0..<1500 {
            var bytes: [UInt8]
            switch round % 3 {
            case 0:  // random bytes, sometimes with a newline
                bytes = (0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            case 1:  // the valid file with a few bytes flipped
                bytes = valid
                for _ in 0..<(1 + Int(rng.next() % 4)) { bytes[Int(rng.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1) }
            default:  // the valid file cut anywhere
                bytes = Array(valid.prefix(Int(rng.next() % UInt64(valid.count))))
            }
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            do {
                let m = try Manifest.read(path: path)
                #expect(m.entries.count == m.header.messageCount)
                // The checksum covers every byte: a changed file is never read as valid.
                #expect(bytes == valid || round % 3 != 1, "round \(round): a manifest with flipped bytes was accepted")
            } catch let error as StreamcheckError {
                #expect(!error.message.contains("\n") && error.message.hasPrefix("manifest \(path)"), "round \(round): \(error.message)")
            }
        }
    }
}

@Suite("Verifier")
struct VerifierTests {
    @Test("every message once, in order: all clean")
    func clean() throws {
        let f = try Fixture(count: 50)
        let v = f.verifier()
        for seq in 0..<50 { v.observe(f.message(seq)) }
        #expect(v.uniqueCount == 50 && v.isComplete)
        #expect((v.duplicates, v.redelivered, v.corrupted, v.outOfOrder, v.foreign) == (0, 0, 0, 0, 0))
        #expect(v.missingSeqs(limit: 5).count == 0)
    }

    @Test("the same offset read twice is a redelivery; the same message at another offset is a duplicate")
    func duplicatesAndRedeliveries() throws {
        let f = try Fixture(count: 10)
        let v = f.verifier()
        for seq in 0..<10 { v.observe(f.message(seq)) }
        v.observe(f.message(3))                       // re-read: same partition and offset
        v.observe(f.message(4, offset: 999))          // sent again: new offset
        v.observe(f.message(5, partition: 1 - f.manifest.entries[5].partition))
        #expect(v.redelivered == 1)
        #expect(v.duplicates == 2)
        #expect(v.uniqueCount == 10 && v.corrupted == 0)
    }

    @Test("changed content, a wrong digest header and a seq outside the manifest are corruption")
    func corruption() throws {
        let f = try Fixture(count: 10)
        let v = f.verifier()
        v.observe(f.message(2, value: Array("{\"amount\":0}".utf8)))
        v.observe(f.message(3, value: Array("not json at all".utf8)))
        var odd = f.message(4)
        odd = KafkaMessage(topic: odd.topic, partition: odd.partition, offset: odd.offset, key: odd.key, value: odd.value,
                           headers: odd.headers.map { $0.0 == StreamcheckHeaders.seq ? ($0.0, Array("77".utf8)) : $0 },
                           timestampMs: odd.timestampMs, timestampIsLogAppendTime: false)
        v.observe(odd)
        #expect(v.corrupted == 3)
        #expect(v.uniqueCount == 0)
        #expect(v.samples.count == 3 && v.samples[0].contains("seq 2"))
    }

    @Test("an earlier seq after a later one on the same partition is out of order; per key with field keys")
    func ordering() throws {
        let f = try Fixture(count: 10, partitions: 1)
        let v = f.verifier()
        for seq in [0, 1, 3, 2, 4] { v.observe(f.message(seq)) }
        #expect(v.outOfOrder == 1)
        let g = try Fixture(count: 10, partitions: 2, keyStrategy: "field:user_id")
        let w = g.verifier()
        for seq in [1, 3, 0, 2] { w.observe(g.message(seq)) }
        #expect(w.outOfOrder == 0)  // each partition is in order
        #expect(w.outOfOrderByKey == 2)  // 0 and 2 came after 3 of the same key
    }

    @Test("other runs are foreign; messages without headers are identified by content")
    func foreignAndByContent() throws {
        let f = try Fixture(count: 10)
        let v = f.verifier()
        v.observe(f.message(1, runId: "another-run"))
        v.observe(f.message(2, headers: false))
        v.observe(KafkaMessage(topic: "unit", partition: 0, offset: 50, key: nil, value: Array("{\"x\":1}".utf8), headers: [],
                               timestampMs: -1, timestampIsLogAppendTime: false))
        #expect(v.foreign == 2)
        #expect(v.identifiedByContent == 1 && v.uniqueCount == 1)
    }

    @Test("resume: messages consumed before are neither missing nor new when read again")
    func consumedBefore() throws {
        let f = try Fixture(count: 10)
        let v = f.verifier()
        v.consumedBefore = [0, 1, 2]
        #expect(v.target == 7)
        v.observe(f.message(1))
        for seq in 3..<10 { v.observe(f.message(seq)) }
        #expect(v.redelivered == 1 && v.uniqueCount == 7 && v.isComplete)
        #expect(v.missingSeqs(limit: 3).count == 0)
    }

    @Test("a message whose produce failed is neither expected nor missing, even when it arrives")
    func neverAcknowledged() throws {
        var f = try Fixture(count: 10)
        var entries = f.manifest.entries
        for seq in 6..<10 { entries[seq].partition = ManifestEntry.neverAcknowledged; entries[seq].offset = ManifestEntry.unknownOffset }
        f = Fixture(copying: f, entries: entries)
        let v = f.verifier()
        #expect(v.target == 6 && v.neverAcknowledged == 4)
        for seq in 0..<7 { v.observe(f.message(seq)) }
        #expect(v.uniqueCount == 6 && v.arrivedUnacknowledged == 1 && v.duplicates == 0 && v.isComplete)
        #expect(v.missingSeqs(limit: 10).count == 0)
    }

    @Test("acks=0: with no offset a second copy is a duplicate, never a redelivery")
    func unknownOffsets() throws {
        var f = try Fixture(count: 4)
        f = Fixture(copying: f, entries: f.manifest.entries.map { var e = $0; e.offset = ManifestEntry.unknownOffset; return e })
        let v = f.verifier()
        v.observe(f.message(0, offset: 0))
        v.observe(f.message(0, offset: 0))
        #expect(v.duplicates == 1 && v.redelivered == 0)
    }

    @Test("the producer's own CreateTime measures nothing: no record latency, with the reason")
    func ownCreateTime() throws {
        let f = try Fixture(count: 5)
        let v = f.verifier()
        for seq in 0..<5 { v.observe(f.message(seq)) }
        #expect(v.endToEnd.count == 0 && v.produceToConsume.count == 5)
        #expect(v.recordLatencyNullReason?.contains("CreateTime") == true)
        // Copied unchanged to another topic, the stamp is still ours: still nothing measured.
        let copied = Verifier(manifest: f.manifest, format: f.format, consumedTopic: "copy", consumerStartedMicros: Clock.nowMicros())
        for seq in 0..<5 { copied.observe(f.message(seq, topic: "copy")) }
        #expect(copied.endToEnd.count == 0)
        // A later writer's stamp (a connector, 250 ms on) is a latency.
        let w = Verifier(manifest: f.manifest, format: f.format, consumedTopic: "copy", consumerStartedMicros: Clock.nowMicros())
        for seq in 0..<5 {
            let produced = f.manifest.header.producedAtMicros(f.manifest.entries[seq])
            w.observe(f.message(seq, topic: "copy", timestampMs: produced / 1000 + 250))
        }
        #expect(w.endToEnd.count == 5 && w.recordLatencyNullReason == nil)
        #expect(w.endToEnd.percentileMs(50).map { $0 >= 249 && $0 <= 251 } == true)
    }

    @Test("a batch is verified as its messages one by one would be")
    func batch() throws {
        let f = try Fixture(count: 30)
        let one = f.verifier(), many = f.verifier()
        let messages = (0..<30).map { f.message($0) } + [f.message(3), f.message(4, offset: 77)]
        for m in messages { one.observe(m) }
        many.observe(messages)
        #expect((one.uniqueCount, one.redelivered, one.duplicates) == (many.uniqueCount, many.redelivered, many.duplicates))
        #expect((many.uniqueCount, many.redelivered, many.duplicates) == (30, 1, 1))
    }

    @Test("random values and headers: every message is accounted for, nothing crashes")
    func fuzzObserve() throws {
        let f = try Fixture(count: 40)
        let v = f.verifier()
        var rng = SplitMix64(seed: 0xBAD5EED)
        func randomBytes(_ max: UInt64) -> [UInt8] { (0..<Int(rng.next() % max)).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
        let names = [StreamcheckHeaders.runId, StreamcheckHeaders.seq, StreamcheckHeaders.digest, StreamcheckHeaders.producedAt, "other"]
        let n = 3000
        for i in 0..<n {
            var headers: [(String, [UInt8])] = []
            for _ in 0..<Int(rng.next() % 5) {
                let name = names[Int(rng.next() % UInt64(names.count))]
                let value: [UInt8]
                switch rng.next() % 4 {
                case 0: value = Array(f.runId.utf8)
                case 1: value = Array(String(Int64(bitPattern: rng.next()) % 60).utf8)
                case 2: value = Array(ContentDigest.hex(rng.next()).utf8)
                default: value = randomBytes(40)
                }
                headers.append((name, value))
            }
            let value = rng.next() % 4 == 0 ? f.values[Int(rng.next() % 40)] : randomBytes(200)
            v.observe(KafkaMessage(topic: "unit", partition: Int32(rng.next() % 3), offset: Int64(i), key: nil, value: value,
                                   headers: headers, timestampMs: Int64(bitPattern: rng.next() % 3_000_000_000_000),
                                   timestampIsLogAppendTime: false))
        }
        #expect(v.uniqueCount + v.duplicates + v.redelivered + v.corrupted + v.foreign == n)
        #expect(v.uniqueCount <= 40)
    }

    @Test("JSONFormat.decode of random bytes: a record or FormatError, never a crash")
    func fuzzDecode() {
        let format = JSONFormat(source: .generator(UserEventGenerator(seed: 1)))
        var rng = SplitMix64(seed: 0xDEC0DE)
        let alphabet = Array("{}[]\",:0123456789.eE+-tfnrulasx \\u\n".utf8)
        for _ in 0..<4000 {
            let length = Int(rng.next() % 64)
            let bytes: [UInt8] = (0..<length).map { _ in
                rng.next() % 3 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : alphabet[Int(rng.next() % UInt64(alphabet.count))]
            }
            do { _ = try format.decode(bytes) } catch let error as FormatError {
                #expect(!"\(error)".isEmpty)
            } catch {
                Issue.record("unexpected error type: \(error)")
            }
        }
        // Deeply nested input must not blow the stack.
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        #expect(throws: FormatError.self) { _ = try format.decode(deep) }
    }
}

@Suite("Generators")
struct GeneratorTests {
    @Test("the user event rendered straight to bytes is the canonical encoding of its record, byte for byte")
    func directRenderingMatchesTheTree() throws {
        for seed: UInt64 in [0, 1, 7, 0xFFFF_FFFF_FFFF] {
            let generator = UserEventGenerator(seed: seed)
            var out: [UInt8] = []
            for seq in Array(0..<3000) + [99_999, 1_000_000, 9_999_999] {
                out.removeAll(keepingCapacity: true)
                generator.renderCanonical(seq: seq, into: &out)
                #expect(out == ContentDigest.canonicalBytes(generator.record(at: seq)), "seed \(seed) seq \(seq)")
            }
        }
        // Every amount the generator can draw, in its shortest round-trip form.
        for cents: UInt64 in 0..<100_000 {
            var text: [UInt8] = []
            UserEventGenerator.appendDecimal(cents / 100, to: &text)
            if cents % 100 != 0 {
                text.append(UInt8(ascii: "."))
                text.append(UInt8(ascii: "0") + UInt8(cents % 100 / 10))
                if cents % 10 != 0 { text.append(UInt8(ascii: "0") + UInt8(cents % 10)) }
            }
            #expect(text == ContentDigest.canonicalBytes(.double(Double(cents) / 100)), "\(cents)")
        }
    }

    @Test("header numbers and digests read without strings, as Int64(String) and hex would")
    func headerParsing() {
        for text in ["0", "7", "-3", "+12", "9223372036854775807", "-9223372036854775808", "", "-", "1a", " 1", "99999999999999999999"] {
            #expect(ContentDigest.parseDecimal(Array(text.utf8)) == Int64(text), "\(text)")
        }
        var hex: [UInt8] = []
        ContentDigest.appendHex(0x00AB_CDEF_0123_4567, to: &hex)
        #expect(String(decoding: hex, as: UTF8.self) == ContentDigest.hex(0x00AB_CDEF_0123_4567))
        #expect(ContentDigest.parseHex(hex) == 0x00AB_CDEF_0123_4567)
        #expect(ContentDigest.parseHex(Array("00ABCDEF01234567".utf8)) == 0x00AB_CDEF_0123_4567)
        #expect(ContentDigest.parseHex(Array("00abcdef0123456g".utf8)) == nil && ContentDigest.parseHex(Array("abc".utf8)) == nil)
    }

    @Test("keys appended into a reused buffer are the keys the strategies give")
    func keysIntoBuffers() throws {
        let record = UserEventGenerator(seed: 1).record(at: 5)
        var out: [UInt8] = []
        #expect(try KeyStrategy.sequence.appendKey(seq: 1234, seed: 1, record: nil, to: &out) && out == Array("1234".utf8))
        out.removeAll()
        #expect(try KeyStrategy.random.appendKey(seq: 5, seed: 1, record: nil, to: &out) && out.count == 16)
        out.removeAll()
        #expect(try KeyStrategy.field("user_id").appendKey(seq: 5, seed: 1, record: record, to: &out)
                && out == Array(record["user_id"]!.stringValue!.utf8))
        out.removeAll()
        #expect(try !KeyStrategy.none.appendKey(seq: 5, seed: 1, record: nil, to: &out) && out.isEmpty)
    }

    @Test("the same seed and seq give the same record, in any order; another seed differs")
    func determinism() throws {
        let a = UserEventGenerator(seed: 42)
        let b = UserEventGenerator(seed: 42)
        let forward = (0..<100).map { a.record(at: $0) }
        let backward = (0..<100).reversed().map { b.record(at: $0) }.reversed()
        #expect(forward == Array(backward))
        #expect(ContentDigest.of(record: forward[17]) == ContentDigest.of(record: b.record(at: 17)))
        let other = UserEventGenerator(seed: 43)
        #expect((0..<100).filter { other.record(at: $0) == forward[$0] }.count == 0)
        #expect(Set(forward.map { ContentDigest.of(record: $0) }).count == 100)
    }

    @Test("canonical JSON: keys sorted, compact, integral numbers as integers")
    func canonical() throws {
        let v = try JSONValue.parse("{\"b\": 1.0, \"a\": [true, null, 2.5], \"ä\": \"x\"}")
        #expect(ContentDigest.canonicalJSON(v) == "{\"a\":[true,null,2.5],\"b\":1,\"ä\":\"x\"}")
        #expect(ContentDigest.fnv1a64([UInt8]()) == 0xcbf2_9ce4_8422_2325)
        #expect(ContentDigest.keyHash(nil) == 0 && ContentDigest.keyHash([]) == 0 && ContentDigest.keyHash([1]) != 0)
    }
}

@Suite("Query and command-line parsing under random input")
struct ParserFuzzTests {
    @Test("decodeQuery: random bytes give a query or one ParameterError line")
    func fuzzDecodeQuery() {
        var rng = SplitMix64(seed: 0x0E7E)
        let alphabet = Array("{}[]\":,abc_ 0123456789truefalsnul\\\n\t".utf8)
        for round in 0..<5000 {
            let length = Int(rng.next() % 80)
            let bytes: [UInt8] = (0..<length).map { _ in
                round % 2 == 0 ? alphabet[Int(rng.next() % UInt64(alphabet.count))] : UInt8(truncatingIfNeeded: rng.next())
            }
            do { _ = try ExternalProtocol.decodeQuery(bytes) } catch let error as ParameterError {
                #expect(!error.message.isEmpty && !error.message.contains("\n"), "\(error.message)")
            } catch {
                Issue.record("unexpected error type: \(error)")
            }
        }
    }

    @Test("RawParameters from random queries and argument lists: parameters or one ParameterError line")
    func fuzzRawParameters() {
        var rng = SplitMix64(seed: 0xA265)
        let specs = Operations.consume.parameters
        let keys = specs.map(\.key) + ["bogus", "", "kafka_config"]
        let values = ["", "1", "-1", "abc", "30s", "0s", "99999999999999999999", "true", "maybe", "{\"acks\":\"all\"}", "{\"acks\":1}", "[", "a=b", "beginning", "committed"]
        func pick<T>(_ a: [T]) -> T { a[Int(rng.next() % UInt64(a.count))] }
        for _ in 0..<3000 {
            var query: [String: String] = [:]
            for _ in 0..<Int(rng.next() % 5) { query[pick(keys)] = pick(values) }
            do {
                let raw = try RawParameters.fromQuery(query, specs: specs)
                _ = try Parameters(raw, specs: specs)
            } catch let error as ParameterError {
                #expect(!error.message.contains("\n"))
            } catch {
                Issue.record("unexpected error type: \(error)")
            }
            var words: [String] = []
            for _ in 0..<Int(rng.next() % 7) {
                switch rng.next() % 4 {
                case 0: words.append("--" + pick(keys).replacingOccurrences(of: "_", with: "-"))
                case 1: words.append("-X")
                default: words.append(pick(values))
                }
            }
            do {
                let raw = try RawParameters.fromCommandLine(words, specs: specs)
                _ = try Parameters(raw, specs: specs)
            } catch let error as ParameterError {
                #expect(!error.message.contains("\n"))
            } catch {
                Issue.record("unexpected error type: \(error)")
            }
        }
    }
}
