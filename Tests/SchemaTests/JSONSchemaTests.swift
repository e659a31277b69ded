import Foundation
@testable import StreamcheckKit
import Testing
import TerraformIO

@Suite struct JSONSchemaTests {
    func violations(_ schema: String, _ instance: String) throws -> [String] {
        try JSONSchema(JSONValue.parse(schema)).validate(JSONValue.parse(instance)).map(\.description)
    }

    @Test func userEventSamplesPassAndBadOnesAreNamed() throws {
        let schema = try JSONSchema.load(path: asset("schemas/user-event.schema.json"))
        for line in try String(contentsOfFile: asset("samples/user-events.jsonl"), encoding: .utf8).split(separator: "\n") {
            #expect(schema.validate(try JSONValue.parse(String(line))) == [])
        }
        let bad = try JSONValue.parse(#"{"event_id":"nope","user_id":0,"event_type":"REFUND","occurred_at":1,"page":"home","extra":1,"tags":[""]}"#)
        #expect(schema.validate(bad).map(\.description) == [
            "/event_id: \"nope\" is not a valid uuid",
            "/user_id: 0 is less than minimum 1",
            "/event_type: \"REFUND\" is not one of [\"VIEW\",\"CLICK\",\"PURCHASE\",\"LOGOUT\"]",
            "/page: \"home\" does not match pattern ^/",
            "/extra: property extra is not allowed (additionalProperties is false)",
            "/tags/0: string of 0 characters is shorter than minLength 1",
        ])
    }

    @Test func typesAndRequired() throws {
        #expect(try violations(#"{"type":"integer"}"#, "1.5") == ["/: expected integer, found number"])
        #expect(try violations(#"{"type":"integer"}"#, "2.0") == [])
        #expect(try violations(#"{"type":"number"}"#, "2") == [])
        #expect(try violations(#"{"type":["string","null"]}"#, "null") == [])
        #expect(try violations(#"{"type":"object","required":["a","b"]}"#, #"{"a":1}"#) == ["/: required property b is missing"])
        #expect(try violations(#"{"type":"array","items":{"type":"boolean"}}"#, "[true,1]") == ["/1: expected boolean, found integer"])
        #expect(try violations(#"{"properties":{"a/b":{"const":3}}}"#, #"{"a/b":4}"#) == ["/a~1b: 4 is not the constant 3"])
        #expect(try violations(#"{"additionalProperties":{"type":"string"}}"#, #"{"x":1}"#) == ["/x: expected string, found integer"])
        #expect(try violations("false", "1") == ["/: no value is allowed here"])
    }

    @Test func numbersStringsAndFormats() throws {
        #expect(try violations(#"{"maximum":10,"exclusiveMinimum":0}"#, "0") == ["/: 0 is not greater than exclusiveMinimum 0"])
        #expect(try violations(#"{"maximum":10}"#, "10.5") == ["/: 10.5 is greater than maximum 10"])
        #expect(try violations(#"{"maxLength":2}"#, #""héé""#) == ["/: string of 3 characters is longer than maxLength 2"])
        #expect(try violations(#"{"format":"date-time"}"#, #""2025-01-31T23:59:59.5+01:00""#) == [])
        #expect(try violations(#"{"format":"date-time"}"#, #""2025-13-01T00:00:00Z""#) == ["/: \"2025-13-01T00:00:00Z\" is not a valid date-time"])
        #expect(try violations(#"{"format":"date-time"}"#, #""2025-01-01 00:00:00""#).count == 1)
        #expect(try violations(#"{"format":"email"}"#, #""ops@example.com""#) == [])
        #expect(try violations(#"{"format":"email"}"#, #""ops.example.com""#).count == 1)
        #expect(try violations(#"{"format":"uuid"}"#, #""123e4567-e89b-12d3-a456-426614174000""#) == [])
        #expect(try violations(#"{"format":"hostname"}"#, #""anything at all""#) == [])
    }

    @Test func refusedKeywordsAndBadSchemasFailAtLoad() throws {
        for text in [#"{"anyOf":[{"type":"string"}]}"#, ##"{"properties":{"a":{"$ref":"#/$defs/x"}}}"##, #"{"type":"strnig"}"#, #"{"pattern":"("}"#, "3"] {
            #expect(throws: StreamcheckError.self, "\(text)") { try JSONSchema(JSONValue.parse(text)) }
        }
        #expect(try JSONSchema(JSONValue.parse(#"{"type":"string","contentEncoding":"base64"}"#)).unsupportedKeywords == ["contentEncoding"])
    }
}
