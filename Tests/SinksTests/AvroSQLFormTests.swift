import Avro
import Testing
import TerraformIO
@testable import StreamcheckKit

/// Avro logical types as a JDBC sink stores them, compared with the text Postgres returns for
/// DATE, TIME, TIMESTAMPTZ and NUMERIC columns (issue 11: a DATE read '2025-07-13' was
/// reported changed from 20282, a NUMERIC from its unscaled bytes).
@Suite struct AvroSQLFormTests {
    let schema = try! AvroSchema.parse(#"""
    {"type":"record","name":"O","fields":[
     {"name":"day","type":{"type":"int","logicalType":"date"}},
     {"name":"total","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":2}},
     {"name":"small","type":{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}},
     {"name":"at","type":{"type":"int","logicalType":"time-millis"}},
     {"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}},
     {"name":"maybe","type":["null",{"type":"int","logicalType":"date"}]}]}
    """#)

    /// -8897422962 as big-endian two's complement, one code point per byte (Avro's JSON form).
    static func bytes(_ value: Int64, count: Int) -> String {
        String((0..<count).reversed().map { Character(Unicode.Scalar(UInt8(truncatingIfNeeded: value >> (8 * $0)))) })
    }

    @Test func logicalTypesMatchWhatPostgresReturns() {
        let record = JSONValue.object([
            ("day", .int(20282)), ("total", .string(Self.bytes(-8_897_422_962, count: 5))), ("small", .string(Self.bytes(-128, count: 1))),
            ("at", .int(45_296_789)), ("ts", .int(1_752_400_800_123_456)), ("maybe", .int(0)),
        ])
        let sql = AvroSQLForm.convert(record, schema.type, schema)
        let postgres: [(String, JSONValue)] = [
            ("day", .string("2025-07-13")), ("total", .string("-88974229.62")), ("small", .string("-1.28")),
            ("at", .string("12:34:56.789")), ("ts", .string("2025-07-13 10:00:00.123456+00")), ("maybe", .string("1970-01-01")),
        ]
        for (name, found) in postgres {
            #expect(FieldMatch.matches(sql[name]!, found), "\(name): \(sql[name]!) vs \(found)")
        }
        // A different value still differs.
        #expect(!FieldMatch.matches(sql["day"]!, .string("2025-07-14")))
        #expect(!FieldMatch.matches(sql["total"]!, .string("-88974229.63")))
        #expect(!FieldMatch.matches(sql["at"]!, .string("12:34:56.788")))
    }

    @Test func decimalsOfAnyByteWidthAndSign() {
        #expect(AvroSQLForm.decimal(Self.bytes(0, count: 1), scale: 2) == "0.00")
        #expect(AvroSQLForm.decimal(Self.bytes(5, count: 1), scale: 3) == "0.005")
        #expect(AvroSQLForm.decimal(Self.bytes(-128, count: 2), scale: 0) == "-128")
        #expect(AvroSQLForm.decimal(Self.bytes(123_456_789_012, count: 8), scale: 4) == "12345678.9012")
    }
}

@Test("a connector config with ValueToKey is accepted and leaves the expected value as it is")
func valueToKeyLeavesTheValue() throws {
    let config: [(String, JSONValue)] = [("transforms", .string("tokey")),
                                         ("transforms.tokey.type", .string("org.apache.kafka.connect.transforms.ValueToKey")),
                                         ("transforms.tokey.fields", .string("id"))]
    #expect(try ConnectTransformConfig.steps(config, source: "t").isEmpty)
    #expect(throws: TransformError.self) { _ = try ConnectTransformConfig.steps(Array(config.prefix(2)), source: "t") }
}
