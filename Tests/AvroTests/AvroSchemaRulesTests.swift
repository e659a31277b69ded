import Avro
import TerraformIO
import Testing

/// The spec rules checked before Avro C sees a schema. Each bad schema here crashed the binary
/// or was accepted before these rules (issue 15): it must now fail with one line naming it.
@Suite("Avro schema rules")
struct AvroSchemaRulesTests {
    static let refused: [(schema: String, message: String)] = [
        (#"{"type":"record","name":"X","fields":[{"name":"a","type":"X"}]}"#,
         #"record "X" contains itself in every value, so no value of it can be written"#),
        (#"{"type":"record","name":"X","fields":[{"name":"b","type":{"type":"record","name":"Y","fields":[{"name":"x","type":"X"}]}}]}"#,
         "contains itself in every value"),
        (#"{"type":"fixed","name":"F","size":-1}"#, #"fixed "F" has size -1: expected an integer from 0 to 1048576"#),
        (#"{"type":"fixed","name":"F","size":99999999999}"#, #"fixed "F" has size 99999999999"#),
        (#"{"type":"fixed","name":"F","size":"16"}"#, #"fixed "F" has size "16""#),
        (#"{"type":"fixed","name":"F"}"#, #"fixed "F" needs a "size""#),
        (#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"string"}]}"#,
         #"record "R" has two fields named "a""#),
        (#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}"#,
         #"field "a" of record "R": the default "x" does not fit its type int"#),
        (#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":4294967296}]}"#, "does not fit its type int"),
        (#"{"type":"record","name":"R","fields":[{"name":"a","type":["null","string"],"default":"x"}]}"#,
         #"the default "x" does not fit its type [null, string]"#),
        (#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"F","size":2},"default":"abc"}]}"#,
         "does not fit its type F"),
        (#"["null","null"]"#, #"a union lists "null" twice"#),
        (#"["null",{"type":"array","items":"int"},{"type":"array","items":"string"}]"#, #"a union lists "array" twice"#),
        (#"["null",["int","string"]]"#, "a union may not directly contain another union"),
        ("[]", "a union needs at least one type"),
        (#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}],"x":1,"namespace":"1bad"}"#, "is not a valid Avro namespace"),
        (#"{"type":"record","name":"9R","fields":[]}"#, #"the record name "9R" is not a valid Avro name"#),
        (#"{"type":"record","fields":[]}"#, #"a record needs a "name""#),
        (#"{"type":"record","name":"R"}"#, #"record "R" needs "fields", an array"#),
        (#"{"type":"record","name":"R","fields":[{"type":"int"}]}"#, #"record "R" has a field without a valid name"#),
        (#"{"type":"record","name":"R","fields":[{"name":"a"}]}"#, #"field "a" of record "R" has no "type""#),
        (#"{"type":"enum","name":"E","symbols":["A","A"]}"#, #"enum "E" lists the symbol "A" twice"#),
        (#"{"type":"enum","name":"E","symbols":["A","B"],"default":"C"}"#, #"enum "E": the default "C" is not one of its symbols"#),
        (#"{"type":"enum","name":"E","symbols":["a-b"]}"#, "has a symbol that is not a valid Avro name"),
        (#"{"type":"array"}"#, #"an array type needs "items""#),
        (#"{"type":"map"}"#, #"a map type needs "values""#),
        (#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"enum","name":"R","symbols":["A"]}}]}"#,
         #"the type "R" is defined twice"#),
        ("\"nl\\nam\"", #"unknown type name "nl\u{a}am""#),
    ]

    @Test("a schema that breaks a spec rule is refused with one line naming it", arguments: refused.indices)
    func refusedSchema(_ index: Int) {
        let (schema, message) = Self.refused[index]
        do {
            _ = try AvroSchema.parse(schema)
            Issue.record("accepted: \(schema)")
        } catch {
            let text = "\(error)"
            #expect(text.hasPrefix("invalid Avro schema: ") && text.contains(message), "\(text)")
            #expect(!text.contains("\n"))
        }
    }

    static let accepted = [
        // A record may contain itself through a union, an array or a map: those values end.
        #"{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"]}]}"#,
        #"{"type":"record","name":"Tree","fields":[{"name":"kids","type":{"type":"array","items":"Tree"}}]}"#,
        #"{"type":"record","name":"M","fields":[{"name":"m","type":{"type":"map","values":"M"}}]}"#,
        #"{"type":"fixed","name":"Empty","size":0}"#,
        #"{"type":"enum","name":"E","symbols":["A","B"],"default":"B"}"#,
        #"{"type":"record","name":"R","namespace":"a.b","fields":[{"name":"u","type":["null","string"],"default":null},{"name":"l","type":"long","default":5},{"name":"f","type":"double","default":1},{"name":"by","type":"bytes","default":"\u00ff"},{"name":"r","type":{"type":"record","name":"In","fields":[{"name":"x","type":"int","default":1}]},"default":{}}]}"#,
        #"["null","string",{"type":"record","name":"A","fields":[]},{"type":"record","name":"B","fields":[]}]"#,
        everyType,
    ]

    @Test("schemas the spec allows stay accepted", arguments: accepted.indices)
    func acceptedSchema(_ index: Int) throws {
        _ = try AvroSchema.parse(Self.accepted[index])
    }
}

/// Avro C 1.11.1's resolved reader crashed (SIGSEGV) reading a map whose values are arrays or
/// maps, even with the reader schema equal to the writer's (issue 16): such pairs are read by
/// the Swift projection instead.
@Suite("Reading maps of collections with a reader schema")
struct MapsOfCollectionsTests {
    static let schemas = [
        #"{"type":"record","name":"R","fields":[{"name":"m","type":{"type":"map","values":{"type":"array","items":"int"}}}]}"#,
        #"{"type":"record","name":"R","fields":[{"name":"m","type":{"type":"map","values":{"type":"map","values":"string"}}}]}"#,
        #"{"type":"record","name":"R","fields":[{"name":"m","type":{"type":"map","values":{"type":"record","name":"V","fields":[{"name":"xs","type":{"type":"array","items":"long"}}]}}}]}"#,
        #"{"type":"record","name":"T","fields":[{"name":"kids","type":{"type":"map","values":"T"}}]}"#,
    ]
    static let values: [JSONValue] = [
        .object([("m", .object([("a", .array([.int(1), .int(2)])), ("b", .array([]))]))]),
        .object([("m", .object([("a", .object([("x", .string("y"))]))]))]),
        .object([("m", .object([("k", .object([("xs", .array([.int(5)]))]))]))]),
        .object([("kids", .object([("a", .object([("kids", .object([("b", .object([("kids", .object([]))]))]))]))]))]),
    ]

    @Test("decoded with the reader schema equal to the writer's: the same record", arguments: schemas.indices)
    func readsBack(_ index: Int) throws {
        let schema = try AvroSchema.parse(Self.schemas[index])
        let bytes = try AvroCodec(schema: schema).encode(Self.values[index])
        let decoded = try AvroCodec(writer: schema, reader: try AvroSchema.parse(Self.schemas[index])).decode(bytes)
        #expect(decoded == Self.values[index])
    }
}

@Test("a map key holding U+0000 is refused, not cut short and sent as another key")
func mapKeyWithNulIsRefused() throws {
    let schema = try AvroSchema.parse(#"{"type":"map","values":"string"}"#)
    #expect { _ = try AvroCodec(schema: schema).encode(.object([("a\u{0}b", .string("v"))])) } throws: { error in
        "\(error)".contains("holds U+0000, which Avro C cannot write in a map key")
    }
}
