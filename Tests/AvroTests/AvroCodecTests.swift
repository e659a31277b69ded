import Avro
import Foundation
import Testing
import TerraformIO

let everyType = """
{"type":"record","name":"All","namespace":"t","fields":[
 {"name":"n","type":"null"},
 {"name":"b","type":"boolean"},
 {"name":"i","type":"int"},
 {"name":"l","type":"long"},
 {"name":"f","type":"float"},
 {"name":"d","type":"double"},
 {"name":"s","type":"string"},
 {"name":"by","type":"bytes"},
 {"name":"e","type":{"type":"enum","name":"Color","symbols":["RED","GREEN"]}},
 {"name":"fx","type":{"type":"fixed","name":"Four","size":4}},
 {"name":"a","type":{"type":"array","items":"int"}},
 {"name":"m","type":{"type":"map","values":"long"}},
 {"name":"u","type":["null","string","Color"]},
 {"name":"nested","type":{"type":"record","name":"Inner","fields":[{"name":"x","type":"int"}]}},
 {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
 {"name":"tsu","type":{"type":"long","logicalType":"timestamp-micros"}},
 {"name":"day","type":{"type":"int","logicalType":"date"}},
 {"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
 {"name":"id","type":{"type":"string","logicalType":"uuid"}},
 {"name":"again","type":"Inner"}
]}
"""

let everyValue = JSONValue.object([
    ("n", .null), ("b", .bool(true)), ("i", .int(-2_000_000_000)), ("l", .int(Int64.max)),
    ("f", .double(1.5)), ("d", .double(-0.1)), ("s", .string("héllo ✓")),
    ("by", .string("\u{0}\u{ff}\u{80}a")), ("e", .string("GREEN")), ("fx", .string("abcd")),
    ("a", .array([.int(1), .int(2), .int(3)])), ("m", .object([("z", .int(1)), ("a", .int(2))])),
    ("u", .string("RED")), ("nested", .object([("x", .int(7))])),
    ("ts", .int(1_735_689_600_000)), ("tsu", .int(1_735_689_600_000_123)), ("day", .int(20089)),
    ("dec", .string("\u{4}\u{d2}")), ("id", .string("123e4567-e89b-12d3-a456-426614174000")),
    ("again", .object([("x", .int(-1))])),
])

@Suite struct AvroCodecTests {
    @Test func roundTripsEveryType() throws {
        let codec = try AvroCodec(schema: AvroSchema.parse(everyType))
        let bytes = try codec.encode(everyValue)
        let back = try codec.decode(bytes)
        #expect(back == everyValue)
        // Same keys in schema order, so the canonical text matches too.
        #expect(back.encoded() == everyValue.encoded())
    }

    @Test func encodingMatchesTheAvroSpec() throws {
        // zigzag varint: 1 → 0x02, -1 → 0x01; string "ab" → len 2 (0x04) 'a' 'b'.
        let schema = try AvroSchema.parse(#"{"type":"record","name":"R","fields":[{"name":"a","type":"long"},{"name":"b","type":"int"},{"name":"c","type":"string"},{"name":"u","type":["null","int"]}]}"#)
        let codec = try AvroCodec(schema: schema)
        let bytes = try codec.encode(.object([("a", .int(1)), ("b", .int(-1)), ("c", .string("ab")), ("u", .int(3))]))
        #expect(bytes == [0x02, 0x01, 0x04, 0x61, 0x62, 0x02, 0x06])
        #expect(try codec.encode(.object([("a", .int(1)), ("b", .int(-1)), ("c", .string("ab")), ("u", .null)])) == [0x02, 0x01, 0x04, 0x61, 0x62, 0x00])
    }

    @Test func unionsPickTheFirstBranchThatFits() throws {
        let codec = try AvroCodec(schema: AvroSchema.parse(#"["null","long","string",{"type":"record","name":"P","fields":[{"name":"x","type":"int"}]}]"#))
        for value: JSONValue in [.null, .int(5), .string("s"), .object([("x", .int(1))])] {
            #expect(try codec.decode(codec.encode(value)) == value)
        }
        #expect(try codec.encode(.int(5)) == [0x02, 0x0a])
        #expect(throws: AvroError.self) { try codec.encode(.bool(true)) }
    }

    @Test func mismatchesNameTheField() throws {
        let codec = try AvroCodec(schema: AvroSchema.parse(everyType))
        func failure(_ change: (String, JSONValue)) -> String {
            var members = everyValue.objectValue!
            members.removeAll { $0.0 == change.0 }
            members.append(change)
            do { _ = try codec.encode(.object(members)); return "no error" } catch { return "\(error)" }
        }
        #expect(failure(("i", .int(1 << 40))).hasPrefix("field i: expected an int"))
        #expect(failure(("e", .string("BLUE"))).hasPrefix("field e: expected a symbol of enum t.Color"))
        #expect(failure(("fx", .string("abc"))).hasPrefix("field fx: expected fixed t.Four of 4 bytes"))
        #expect(failure(("a", .array([.int(1), .string("x")]))).hasPrefix("field a[1]: expected an int"))
        #expect(failure(("nested", .object([("x", .string("no"))]))).hasPrefix("field nested.x: expected an int"))
        #expect(failure(("id", .string("not-a-uuid"))).hasPrefix("field id: expected a uuid"))
        #expect(failure(("extra", .int(1))) == "field extra: not a field of record t.All")
        var members = everyValue.objectValue!
        members.removeAll { $0.0 == "s" }
        #expect(throws: AvroError.dataMismatch(path: "s", reason: "missing, and the schema gives no default")) {
            try codec.encode(.object(members))
        }
    }

    @Test func defaultsFillMissingFields() throws {
        let schema = try AvroSchema.parse(String(contentsOfFile: assetPath("schemas/user-event.avsc"), encoding: .utf8))
        let codec = try AvroCodec(schema: schema)
        let line = try JSONValue.parse(#"{"event_id":"4fad5182-be87-4195-be42-506f718293a4","user_id":1003,"event_type":"LOGOUT","occurred_at":1735689604000}"#)
        let normalized = try codec.normalize(line)
        #expect(normalized.encoded() == #"{"event_id":"4fad5182-be87-4195-be42-506f718293a4","user_id":1003,"event_type":"LOGOUT","occurred_at":1735689604000,"page":null,"amount":null,"tags":[],"attributes":{}}"#)
        #expect(schema.fullName == "com.example.events.UserEvent")
    }

    @Test func invalidSchemasNameTheProblem() {
        func message(_ text: String) -> String {
            do { _ = try AvroSchema.parse(text); return "accepted" } catch { return "\(error)" }
        }
        #expect(message(#"{"type":"record","name":"R","fields":[{"name":"a","type":"strnig"}]}"#).contains("strnig"))
        #expect(message(#"{"type":"enum","name":"E"}"#).hasPrefix("invalid Avro schema: "))
        #expect(message(#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}"#).hasPrefix("invalid Avro schema: not JSON"))
        #expect(message(#"{"type":"fixed","name":"F"}"#).hasPrefix("invalid Avro schema: "))
        #expect(message(#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#) == "accepted")
    }

    @Test func garbageIsUndecodable() throws {
        let codec = try AvroCodec(schema: AvroSchema.parse(everyType))
        let good = try codec.encode(everyValue)
        #expect(throws: AvroError.self) { try codec.decode(Array(good.dropLast(3))) }
        #expect(throws: AvroError.self) { try codec.decode(good + [0]) }
        #expect(throws: AvroError.self) { try codec.decode([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]) }
        #expect(throws: AvroError.self) { try codec.decode([]) }
    }

    @Test func resolutionReadsOldDataWithANewSchema() throws {
        let v1 = try AvroSchema.parse(#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"gone","type":"string"}]}"#)
        let v2 = try AvroSchema.parse(#"{"type":"record","name":"R","fields":[{"name":"a","type":"long"},{"name":"added","type":"string","default":"x"}]}"#)
        let bytes = try AvroCodec(schema: v1).encode(.object([("a", .int(5)), ("gone", .string("bye"))]))
        // Avro C 1.11 does not fill reader defaults; streamcheck projects those pairs itself.
        #expect(v2.cannotRead(writtenWith: v1) == nil)
        #expect(try AvroCodec(writer: v1, reader: v2).decode(bytes) == .object([("a", .int(5)), ("added", .string("x"))]))
        let noDefault = try AvroSchema.parse(#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}"#)
        #expect(noDefault.cannotRead(writtenWith: v1)?.contains("b") == true)
        // Dropping a writer field and promoting int to long resolve, and Avro C does the reading.
        let v2b = try AvroSchema.parse(#"{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}"#)
        #expect(try AvroCodec(writer: v1, reader: v2b).decode(bytes) == .object([("a", .int(5))]))
        let incompatible = try AvroSchema.parse(#"{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}"#)
        #expect(incompatible.cannotRead(writtenWith: v1) != nil)
        #expect(throws: AvroError.self) { try AvroCodec(writer: v1, reader: incompatible) }
    }

    @Test func readsContainerFilesWrittenByFastavro() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("avro-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("events.avro").path
        let script = """
        import fastavro, json, sys
        schema = fastavro.parse_schema({"type":"record","name":"E","fields":[{"name":"id","type":"long"},{"name":"name","type":["null","string"]}]})
        with open(sys.argv[1], "wb") as out:
            fastavro.writer(out, schema, [{"id": i, "name": None if i % 2 else "n%d" % i} for i in range(3)], codec="deflate")
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, file]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python3 with fastavro is needed (scripts/setup.sh installs it)")
        let reader = try AvroFileReader(path: file)
        let records = try reader.readAll()
        #expect(records.map { $0.encoded() } == [#"{"id":0,"name":"n0"}"#, #"{"id":1,"name":null}"#, #"{"id":2,"name":"n2"}"#])
        #expect(throws: AvroError.self) { try AvroFileReader(path: dir.appendingPathComponent("missing.avro").path) }
    }
}

/// Path of a file under tftest/data, found from this source file.
func assetPath(_ relative: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("tftest/data").appendingPathComponent(relative).path
}

@Suite struct AvroResolutionGuardTests {
    /// Avro C 1.11.1 frees twice when it fails to resolve some record schemas (one with an enum
    /// and a reader-only field crashed streamcheck); the Swift pre-check must refuse them first.
    @Test func unreadableSchemasAreRefusedBeforeAvroC() throws {
        let writer = try AvroSchema.load(path: assetPath("schemas/user-event.avsc"))
        var json = try JSONValue.parse(writer.text)
        guard case var .object(members) = json, case var .array(fields)? = json["fields"] else { Issue.record("bad asset"); return }
        fields.append(.object([("name", .string("channel")), ("type", .string("string")), ("default", .string("web"))]))
        members = members.map { $0.0 == "fields" ? ($0.0, .array(fields)) : $0 }
        json = .object(members)
        let reader = try AvroSchema.parse(json.encoded())
        // Readable by the spec (the field has a default), without ever asking Avro C.
        #expect(reader.cannotRead(writtenWith: writer) == nil)
        let sample = try JSONValue.parse(#"{"event_id":"4fad5182-be87-4195-be42-506f718293a4","user_id":3,"event_type":"LOGOUT","occurred_at":1,"amount":"\u0004\u00d2"}"#)
        let seen = try AvroCodec(writer: writer, reader: reader).decode(AvroCodec(schema: writer).encode(sample))
        #expect(seen["channel"] == .string("web"))
        #expect(seen["amount"] == .string("\u{4}\u{d2}"))
        #expect(writer.cannotRead(writtenWith: reader) == nil)  // dropping a field is fine
        let enumMore = try AvroSchema.parse(#"{"type":"enum","name":"E","symbols":["A","B","C"]}"#)
        let enumLess = try AvroSchema.parse(#"{"type":"enum","name":"E","symbols":["A"]}"#)
        #expect(enumMore.cannotRead(writtenWith: enumLess) == nil)
        #expect(enumLess.cannotRead(writtenWith: enumMore) != nil)
        let optional = try AvroSchema.parse(#"["null","long"]"#)
        #expect(optional.cannotRead(writtenWith: try AvroSchema.parse(#""int""#)) == nil)
        #expect(try AvroSchema.parse(#""int""#).cannotRead(writtenWith: optional) != nil)
    }
}
