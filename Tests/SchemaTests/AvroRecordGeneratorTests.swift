import Avro
import Foundation
@testable import StreamcheckKit
import Testing
import TerraformIO

func asset(_ relative: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("tftest/data").appendingPathComponent(relative).path
}

let broadSchema = """
{"type":"record","name":"Node","namespace":"g","fields":[
 {"name":"id","type":{"type":"string","logicalType":"uuid"}},
 {"name":"flag","type":"boolean"},
 {"name":"small","type":"int"},
 {"name":"big","type":"long"},
 {"name":"ratio","type":"float"},
 {"name":"score","type":"double"},
 {"name":"name","type":"string"},
 {"name":"raw","type":"bytes"},
 {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B","C"]}},
 {"name":"hash","type":{"type":"fixed","name":"Hash","size":8}},
 {"name":"list","type":{"type":"array","items":["null","long","double"]}},
 {"name":"props","type":{"type":"map","values":["float","double"]}},
 {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
 {"name":"atMicros","type":{"type":"long","logicalType":"timestamp-micros"}},
 {"name":"day","type":{"type":"int","logicalType":"date"}},
 {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":2}},
 {"name":"fixedPrice","type":{"type":"fixed","name":"Money","size":6,"logicalType":"decimal","precision":12,"scale":4}},
 {"name":"child","type":["null","Node"]}
]}
"""

@Suite struct AvroRecordGeneratorTests {
    @Test func recordsAreDeterministicAndRandomAccess() throws {
        let schema = try AvroSchema.parse(broadSchema)
        let a = AvroRecordGenerator(schema: schema, seed: 42)
        let b = AvroRecordGenerator(schema: schema, seed: 42)
        let forward = (0..<50).map { a.record(at: $0).encoded() }
        let backward = (0..<50).reversed().map { b.record(at: $0).encoded() }.reversed()
        #expect(forward == Array(backward))
        #expect(Set(forward).count == 50)
        #expect(AvroRecordGenerator(schema: schema, seed: 43).record(at: 0).encoded() != forward[0])
    }

    @Test func everyGeneratedRecordIsValidAndSurvivesTheRoundTrip() throws {
        let schema = try AvroSchema.parse(broadSchema)
        let codec = try AvroCodec(schema: schema)
        let generator = AvroRecordGenerator(schema: schema, seed: 7)
        var sawChild = false, sawNegativeDecimal = false
        for seq in 0..<500 {
            let record = generator.record(at: seq)
            let back = try codec.decode(codec.encode(record))
            // Same digest on both sides is what end-to-end integrity rests on.
            #expect(ContentDigest.of(record: back) == ContentDigest.of(record: record), "seq \(seq)")
            if record["child"] != .null { sawChild = true }
            if let price = record["price"]?.stringValue, let first = price.unicodeScalars.first, first.value >= 0x80 { sawNegativeDecimal = true }
            let id = record["id"]?.stringValue ?? ""
            #expect(UUID(uuidString: id) != nil && id == id.lowercased())
            let at = record["at"]?.int64Value ?? 0
            #expect(at >= 1_735_689_600_000 && at < 1_767_225_600_000)
            #expect(record["hash"]?.stringValue?.unicodeScalars.count == 8)
            #expect(record["fixedPrice"]?.stringValue?.unicodeScalars.count == 6)
        }
        #expect(sawChild)
        #expect(sawNegativeDecimal)
    }

    @Test func decimalBytesAreMinimalTwosComplement() {
        #expect(AvroRecordGenerator.twosComplement(0) == [0])
        #expect(AvroRecordGenerator.twosComplement(127) == [0x7f])
        #expect(AvroRecordGenerator.twosComplement(128) == [0x00, 0x80])
        #expect(AvroRecordGenerator.twosComplement(-1) == [0xff])
        #expect(AvroRecordGenerator.twosComplement(-129) == [0xff, 0x7f])
        #expect(AvroRecordGenerator.twosComplement(1234) == [0x04, 0xd2])
    }

    @Test func dataFilesAreConvertedAndBadLinesNamed() throws {
        let codec = try AvroCodec(schema: AvroSchema.load(path: asset("schemas/user-event.avsc")))
        let records = try AvroDataFile.load(path: asset("samples/user-events.jsonl"), codec: codec)
        #expect(records.count == 5)
        #expect(records[4]["tags"] == .array([]))
        do {
            _ = try AvroDataFile.load(path: asset("samples/user-events-bad.jsonl"), codec: codec)
            Issue.record("the bad data file was accepted")
        } catch {
            let message = "\(error)"
            #expect(message.contains("line 2"))
            #expect(message.contains("field event_type"))
            #expect(message.contains("REFUND"))
        }
    }

    @Test func confluentFramingRoundTrips() {
        let framed = ConfluentFraming.frame(schemaId: 0x01020304, payload: [9, 8])
        #expect(framed == [0, 1, 2, 3, 4, 9, 8])
        #expect(ConfluentFraming.unframe(framed)?.schemaId == 0x01020304)
        #expect(ConfluentFraming.unframe(framed)?.payload == [9, 8])
        #expect(ConfluentFraming.unframe([1, 0, 0, 0, 1, 2]) == nil)
        #expect(ConfluentFraming.unframe([0, 0, 0]) == nil)
    }

    @Test func subjectStrategies() throws {
        #expect(try SubjectNameStrategy.topic.subject(topic: "orders", recordFullName: "a.B") == "orders-value")
        #expect(try SubjectNameStrategy.record.subject(topic: "orders", recordFullName: "a.B") == "a.B")
        #expect(try SubjectNameStrategy.topicRecord.subject(topic: "orders", recordFullName: "a.B") == "orders-a.B")
        #expect(throws: StreamcheckError.self) { try SubjectNameStrategy.record.subject(topic: "t", recordFullName: nil) }
    }
}
