import Testing
@testable import TerraformIO

@Suite struct ExternalProtocolTests {
    @Test func decodesAnObjectOfStrings() throws {
        let q = try ExternalProtocol.decodeQuery(Array(#"{"topic":"orders","message_count":"10"}"#.utf8))
        #expect(q == ["topic": "orders", "message_count": "10"])
    }

    @Test func emptyStdinIsAnEmptyQuery() throws {
        #expect(try ExternalProtocol.decodeQuery([]).isEmpty)
    }

    @Test(arguments: [
        (#"{"message_count":10}"#, "query key 'message_count' must be a string, got a number"),
        (#"{"x":true}"#, "query key 'x' must be a string, got a boolean"),
        (#"{"x":{"a":"b"}}"#, "query key 'x' must be a string, got an object"),
        (#"["a"]"#, "must be one JSON object of strings, got an array"),
        (#"{"a":"1""#, "not valid JSON"),
        (#"{"a":"1","a":"2"}"#, "appears twice"),
    ])
    func rejectsWhatTheProviderNeverSends(input: String, message: String) {
        do {
            _ = try ExternalProtocol.decodeQuery(Array(input.utf8))
            Issue.record("accepted \(input)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func oversizedQueryIsRefused() {
        let big = Array(repeating: UInt8(ascii: " "), count: ExternalProtocol.maxQueryBytes + 1)
        #expect(throws: ParameterError.self) { try ExternalProtocol.decodeQuery(big) }
    }

    @Test func flattensScalarsToStringsAndNestsTheRest() throws {
        let result = JSONValue.object([
            ("passed", .bool(false)), ("missing", .int(3)), ("p50", .double(1.25)),
            ("group_id", .string("g")), ("partitions", .array([.int(0), .int(1)])),
        ])
        let flat = Dictionary(uniqueKeysWithValues: ExternalProtocol.flatten(result))
        #expect(flat["passed"] == "false")
        #expect(flat["missing"] == "3")
        #expect(flat["p50"] == "1.25")
        #expect(flat["group_id"] == "g")
        let details = try JSONValue.parse(flat["details_json"]!)
        #expect(details["partitions"] == .array([.int(0), .int(1)]))
        // Every value on stdout is a string: that is all the provider accepts.
        let encoded = try JSONValue.parse(ExternalProtocol.encodeFlat(ExternalProtocol.flatten(result)))
        #expect(encoded.objectValue!.allSatisfy { $0.1.stringValue != nil })
    }
}

@Suite struct JSONValueTests {
    @Test func roundTripsEscapesAndUnicode() throws {
        let text = #"{"a":"line\nbreak \"q\" \u00e9 \ud83d\ude00","b":[1,-2.5,true,null]}"#
        let value = try JSONValue.parse(text)
        #expect(value["a"]?.stringValue == "line\nbreak \"q\" é 😀")
        #expect(try JSONValue.parse(value.encoded()) == value)
    }

    @Test(arguments: ["", "{", "[1,]", "01", "\"\\x\"", "{\"a\" 1}", "tru", "1 2"])
    func rejectsMalformedJSON(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func boundsNestingDepth() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }
}

@Suite struct ParameterTests {
    let specs = [
        ParameterSpec("message_count", .integer(1...10_000_000), required: true, help: "How many."),
        ParameterSpec("mode", .choice(["batch", "stream"]), help: "Mode."),
        ParameterSpec("timeout", .duration(0.1...3600), help: "Bound."),
        ParameterSpec("kafka_config", .keyValues, help: "librdkafka properties."),
    ]

    @Test func sameNamesBothWays() throws {
        let cli = try Parameters(RawParameters.fromCommandLine(["--message-count", "5", "--timeout=2m", "-X", "acks=all"], specs: specs), specs: specs)
        let query = try Parameters(RawParameters.fromQuery(["message_count": "5", "timeout": "2m", "kafka_config": #"{"acks":"all"}"#], specs: specs), specs: specs)
        for p in [cli, query] {
            #expect(try p.int("message_count") == 5)
            #expect(try p.duration("timeout") == 120)
            #expect(try p.keyValues("kafka_config").map { "\($0.0)=\($0.1)" } == ["acks=all"])
        }
    }

    @Test func controlCharactersAndBadTopicNamesAreRefusedBothWays() {
        let specs = self.specs + [ParameterSpec("topic", .topic, help: "t"), ParameterSpec("transforms", .string, help: "JSON")]
        for bad in ["a\u{0}b", "a\nb", "a\u{1B}[2Kb", "a\u{7F}"] {
            #expect(throws: ParameterError.self) { try Parameters(RawParameters.fromQuery(["message_count": "1", "topic": bad], specs: specs), specs: specs) }
            #expect(throws: ParameterError.self) { try Parameters(RawParameters.fromCommandLine(["--message-count", "1", "-X", "k=\(bad)"], specs: specs), specs: specs) }
        }
        for bad in ["", ".", "..", "a/b", "a b", "ä", String(repeating: "t", count: 250)] {
            #expect(throws: ParameterError.self) { try Parameters(RawParameters.fromCommandLine(["--message-count", "1", "--topic", bad], specs: specs), specs: specs) }
        }
        for good in ["orders", "a.b_c-D9", String(repeating: "t", count: 249)] {
            #expect((try? Parameters(RawParameters.fromCommandLine(["--message-count", "1", "--topic", good], specs: specs), specs: specs)) != nil)
        }
        // A JSON document keeps its whitespace.
        #expect((try? Parameters(RawParameters.fromQuery(["message_count": "1", "transforms": "[\n {\"type\": \"x\"}\n]"], specs: specs), specs: specs)) != nil)
    }

    @Test func messagesNameTheParameterAsTheUserWroteIt() {
        do {
            _ = try Parameters(RawParameters.fromCommandLine(["--message-count", "0"], specs: specs), specs: specs)
            Issue.record("accepted 0")
        } catch {
            #expect("\(error)" == "invalid value '0' for '--message-count': expected an integer from 1 to 10000000")
        }
        do {
            _ = try Parameters(RawParameters.fromQuery(["message_count": "1", "mode": "fast"], specs: specs), specs: specs)
            Issue.record("accepted fast")
        } catch {
            #expect("\(error)" == "invalid value 'fast' for 'mode': expected one of batch, stream")
        }
        do {
            _ = try Parameters(RawParameters.fromQuery(["mode": "batch"], specs: specs), specs: specs)
            Issue.record("accepted a query without message_count")
        } catch {
            #expect("\(error)".contains("missing required query key 'message_count'"))
        }
    }
}
