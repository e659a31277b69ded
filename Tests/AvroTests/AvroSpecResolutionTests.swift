import Avro
import Foundation
import Testing
import TerraformIO

/// Reader-schema resolution the Avro spec (1.9+) and fastavro do and Avro C 1.11 does not,
/// the decimal's one digestible form, and the schemas Avro C alone would refuse.
@Suite("Avro across the spec")
struct AvroSpecResolutionTests {
    func read(_ writerText: String, _ readerText: String, _ value: JSONValue) throws -> JSONValue {
        let writer = try AvroSchema.parse(writerText)
        let reader = try AvroSchema.parse(readerText)
        let bytes = try AvroCodec(schema: writer).encode(value)
        #expect(reader.cannotRead(writtenWith: writer) == nil)
        return try AvroCodec(writer: writer, reader: reader).decode(bytes)
    }

    @Test func anEnumDefaultStandsInForASymbolTheReaderLacks() throws {
        let writer = #"{"type":"enum","name":"Color","symbols":["RED","GREEN","BLUE"]}"#
        let reader = #"{"type":"enum","name":"Color","symbols":["UNKNOWN","RED"],"default":"UNKNOWN"}"#
        #expect(try read(writer, reader, .string("BLUE")) == .string("UNKNOWN"))
        #expect(try read(writer, reader, .string("RED")) == .string("RED"))
        let noDefault = try AvroSchema.parse(#"{"type":"enum","name":"Color","symbols":["RED"]}"#)
        #expect(noDefault.cannotRead(writtenWith: try AvroSchema.parse(writer))?.contains("lacks symbols") == true)
    }

    @Test func aliasesRenameRecordsFieldsAndEnums() throws {
        let writer = #"{"type":"record","name":"Old","namespace":"a","fields":[{"name":"who","type":"string"},{"name":"kind","type":{"type":"enum","name":"K","symbols":["X"]}}]}"#
        let reader = #"{"type":"record","name":"New","namespace":"b","aliases":["a.Old"],"fields":[{"name":"user","aliases":["who"],"type":"string"},{"name":"kind","type":{"type":"enum","name":"Kind","aliases":["a.K"],"symbols":["X"]}}]}"#
        #expect(try read(writer, reader, .object([("who", .string("ann")), ("kind", .string("X"))]))
            == .object([("user", .string("ann")), ("kind", .string("X"))]))
        let unaliased = try AvroSchema.parse(#"{"type":"record","name":"New","fields":[{"name":"user","type":"string"}]}"#)
        #expect(unaliased.cannotRead(writtenWith: try AvroSchema.parse(writer)) != nil)
    }

    @Test func stringAndBytesPromoteBothWays() throws {
        let s = #"{"type":"record","name":"R","fields":[{"name":"v","type":"string"}]}"#
        let b = #"{"type":"record","name":"R","fields":[{"name":"v","type":"bytes"}]}"#
        // "é" is two UTF-8 bytes; as bytes each byte is one code point of streamcheck's JSON form.
        #expect(try read(s, b, .object([("v", .string("é"))])) == .object([("v", .string("\u{c3}\u{a9}"))]))
        #expect(try read(b, s, .object([("v", .string("\u{c3}\u{a9}"))])) == .object([("v", .string("é"))]))
    }

    @Test func aDecimalDigestsOneFormWhateverBytesTheWriterChose() throws {
        let schema = try AvroSchema.parse(#"{"type":"bytes","logicalType":"decimal","precision":5,"scale":0}"#)
        let codec = try AvroCodec(schema: schema)
        // -128 as fastavro may write it (ff80) and as its shortest form (80): the same value.
        let long: [UInt8] = [0x04, 0xFF, 0x80]   // length 2, ff 80
        let short: [UInt8] = [0x02, 0x80]        // length 1, 80
        #expect(try codec.decode(long) == codec.decode(short))
        #expect(try codec.decode(long) == .string("\u{80}"))
        // 127 stays 7f; 128 needs its leading 00.
        #expect(try codec.decode([0x04, 0x00, 0x7F]) == .string("\u{7f}"))
        #expect(try codec.decode([0x04, 0x00, 0x80]) == .string("\u{0}\u{80}"))
        // A different value stays different.
        #expect(try codec.decode([0x02, 0x81]) != codec.decode(short))
    }

    @Test func aDefaultHoldingNULIsAccepted() throws {
        let schema = try AvroSchema.parse(#"{"type":"record","name":"R","fields":[{"name":"s","type":"string","default":"a\u0000b"}]}"#)
        let codec = try AvroCodec(schema: schema)
        #expect(try codec.decode(codec.encode(.object([("s", .string("x\u{0}y"))]))) == .object([("s", .string("x\u{0}y"))]))
        // The registry gets the schema as written, U+0000 and all.
        #expect(schema.text.contains(#"a\u0000b"#))
    }

    @Test func arraysAndMapsOfRecordsWithNoFieldsRoundTrip() throws {
        let text = #"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":{"type":"record","name":"E","fields":[]}}},{"name":"m","type":{"type":"map","values":"E"}},{"name":"n","type":"long"}]}"#
        let schema = try AvroSchema.parse(text)
        let value = JSONValue.object([("a", .array([.object([]), .object([]), .object([])])), ("m", .object([("k", .object([]))])), ("n", .int(-3))])
        let codec = try AvroCodec(schema: schema)
        let bytes = try codec.encode(value)
        // count 3, no item bytes, end; count 1, key "k", end; -3 zigzag.
        #expect(bytes == [0x06, 0x00, 0x02, 0x02, 0x6B, 0x00, 0x05])
        #expect(try codec.decode(bytes) == value)
        #expect(try AvroCodec(writer: schema, reader: schema).decode(bytes) == value)
        // Hostile input is bounded: a count of 2^40 empty records is refused, not looped over.
        #expect(throws: AvroError.self) { try codec.decode([0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x00, 0x00, 0x00]) }
    }
}
