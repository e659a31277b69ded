import Foundation
import Testing
@testable import StreamcheckKit
import TerraformIO

private func json(_ text: String) -> JSONValue { try! JSONValue.parse(text) }
private func keys(_ value: JSONValue) -> [String] { value.objectValue!.map(\.0) }

@Suite struct TransformParsingTests {
    @Test func parsesEveryStepType() throws {
        let chain = try TransformChain.parse("""
        [{"rename": {"from": "a", "to": "b"}}, {"drop": ["c", "d"]}, {"cast": {"field": "e", "type": "int32"}},
         {"insert": {"field": "f", "value": "s3"}}, {"mask": {"field": "g"}}, {"mask": {"field": "h", "replacement": "***"}},
         {"flatten": {}}, {"flatten": {"delimiter": "_"}}]
        """)
        #expect(chain.steps == [
            .rename(from: "a", to: "b"), .drop(["c", "d"]), .cast(field: "e", type: .int32), .insert(field: "f", value: .string("s3")),
            .mask(field: "g", replacement: nil), .mask(field: "h", replacement: "***"), .flatten(delimiter: "."), .flatten(delimiter: "_"),
        ])
    }

    @Test func acceptsAnObjectWithTransformsAndASingleDroppedField() throws {
        let chain = try TransformChain.parse(#"{"transforms": [{"drop": "secret"}]}"#)
        #expect(chain.steps == [.drop(["secret"])])
    }

    @Test(arguments: [
        (#"[{"cast": {"field": "a", "type": "int"}}]"#, "step 1 (cast): unknown type 'int'"),
        (#"[{"rename": {"from": "a"}}]"#, "step 1 (rename): needs a non-empty string \"to\""),
        (#"[{"rename": {"from": "a", "to": "b", "x": 1}}]"#, "unknown key \"x\""),
        (#"[{"explode": {}}]"#, "step 1 (explode): unknown step type"),
        (#"[{"drop": []}]"#, "non-empty array"),
        (#"[{"drop": ["a"], "rename": {}}]"#, "must be an object with one key"),
        (#"[{"mask": {"field": "a", "replacement": 5}}]"#, "\"replacement\" must be a string"),
        (#"[{"insert": {"field": "a"}}]"#, "needs \"value\""),
        (#"{"steps": []}"#, "must be a JSON array of steps"),
        ("[{", "is not valid JSON"),
    ])
    func refusesBadDocuments(text: String, message: String) {
        #expect {
            try TransformChain.parse(text)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func loadsFromAFileOrFromJSONText() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("transforms-\(UUID()).json").path
        try #"[{"drop": ["x"]}]"#.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try TransformChain.load(parameter: path).steps == [.drop(["x"])])
        #expect(try TransformChain.load(parameter: #"  [{"drop": ["y"]}]"#).steps == [.drop(["y"])])
        #expect(throws: TransformError.self) { try TransformChain.load(parameter: "/nonexistent/transforms.json") }
    }
}

@Suite struct TransformApplyTests {
    let record = json(#"{"id": 7, "name": "ann", "amount": 12.5, "active": true, "address": {"city": "Oslo", "geo": {"lat": 59.9}}, "tags": ["a"]}"#)

    @Test func renameKeepsPositionAndReplacesAnExistingField() throws {
        let out = try Transforms.apply(.rename(from: "name", to: "customer"), to: record)
        #expect(keys(out) == ["id", "customer", "amount", "active", "address", "tags"])
        #expect(out["customer"] == .string("ann"))
        let clash = try Transforms.apply(.rename(from: "name", to: "id"), to: record)
        #expect(keys(clash) == ["id", "amount", "active", "address", "tags"])
        #expect(clash["id"] == .string("ann"))
        #expect(try Transforms.apply(.rename(from: "absent", to: "x"), to: record) == record)
    }

    @Test func dropRemovesFieldsAndIgnoresAbsentOnes() throws {
        let out = try Transforms.apply(.drop(["amount", "tags", "absent"]), to: record)
        #expect(keys(out) == ["id", "name", "active", "address"])
    }

    @Test func insertAddsAtTheEndOrOverwrites() throws {
        let out = try Transforms.apply(.insert(field: "source", value: .string("s3")), to: record)
        #expect(keys(out).last == "source")
        #expect(try Transforms.apply(.insert(field: "id", value: .string("x")), to: record)["id"] == .string("x"))
    }

    @Test func castFollowsKafkaConnectCast() throws {
        func cast(_ v: JSONValue, _ t: TransformStep.CastType) throws -> JSONValue { try Transforms.cast(v, to: t, field: "f") }
        #expect(try cast(.double(12.9), .int64) == .int(12))
        #expect(try cast(.double(-12.9), .int32) == .int(-12))
        #expect(try cast(.int(300), .int8) == .int(44))          // wraps like Java's (byte) cast
        #expect(try cast(.int(70000), .int16) == .int(4464))
        #expect(try cast(.string(" 42 "), .int64) == .int(42))
        #expect(try cast(.bool(true), .int32) == .int(1))
        #expect(try cast(.int(3), .float64) == .double(3))
        #expect(try cast(.string("2.5"), .float32) == .double(2.5))
        #expect(try cast(.double(0.1), .float32) == .double(Double(Float(0.1))))
        #expect(try cast(.int(0), .boolean) == .bool(false))
        #expect(try cast(.string("TRUE"), .boolean) == .bool(true))
        #expect(try cast(.string("yes"), .boolean) == .bool(false))  // Boolean.parseBoolean
        #expect(try cast(.double(12.5), .string) == .string("12.5"))
        #expect(try cast(.double(100), .string) == .string("100.0"))  // Java's Double.toString
        #expect(try cast(.int(100), .string) == .string("100"))
        #expect(try cast(.bool(false), .string) == .string("false"))
        #expect(try cast(.null, .int64) == .null)
        #expect(throws: TransformError.self) { try cast(.string("abc"), .int64) }
        #expect(throws: TransformError.self) { try cast(.array([]), .string) }
        #expect(try Transforms.apply(.cast(field: "absent", type: .string), to: record) == record)
    }

    @Test func maskKeepsTheTypeButNotTheValue() throws {
        func mask(_ v: JSONValue, _ r: String? = nil) throws -> JSONValue { try Transforms.mask(v, replacement: r, field: "f") }
        #expect(try mask(.string("secret")) == .string(""))
        #expect(try mask(.string("secret"), "***") == .string("***"))
        #expect(try mask(.int(5)) == .int(0))
        #expect(try mask(.int(5), "9") == .int(9))
        #expect(try mask(.double(5.5)) == .double(0))
        #expect(try mask(.bool(true)) == .bool(false))
        #expect(try mask(.array([.int(1)])) == .array([]))
        #expect(try mask(.object([("a", .int(1))])) == .object([]))
        #expect(try mask(.null) == .null)
        #expect(throws: TransformError.self) { try mask(.int(5), "x") }
        #expect(throws: TransformError.self) { try mask(.bool(true), "x") }
    }

    @Test func flattenJoinsNestedNamesAndKeepsArrays() throws {
        let out = try Transforms.apply(.flatten(delimiter: "_"), to: record)
        #expect(keys(out) == ["id", "name", "amount", "active", "address_city", "address_geo_lat", "tags"])
        #expect(out["address_geo_lat"] == .double(59.9))
        #expect(out["tags"] == .array([.string("a")]))
        let empty = try Transforms.apply(.flatten(delimiter: "."), to: json(#"{"a": {}, "b": null}"#))
        #expect(keys(empty) == ["b"])
    }

    @Test func stepsApplyInOrder() throws {
        let chain = TransformChain([.flatten(delimiter: "."), .rename(from: "address.city", to: "city"), .drop(["address.geo.lat", "tags"]),
                                    .cast(field: "amount", type: .string), .mask(field: "name", replacement: "x")])
        #expect(try chain.apply(record) == json(#"{"id": 7, "name": "x", "amount": "12.5", "active": true, "city": "Oslo"}"#))
        #expect(try TransformChain([]).apply(record) == record)
    }

    @Test func recordsMustBeObjects() {
        #expect(throws: TransformError.self) { try Transforms.apply(.drop(["a"]), to: .array([])) }
    }
}

@Suite struct ConnectConfigTransformTests {
    @Test func readsTheSMTsOfAConnectorConfig() throws {
        let chain = try TransformChain.parse("""
        {"name": "orders-sink", "config": {
          "connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector",
          "transforms": "replace, cast,insert,mask,flat",
          "transforms.replace.type": "org.apache.kafka.connect.transforms.ReplaceField$Value",
          "transforms.replace.exclude": "active,internal",
          "transforms.replace.renames": "name:customer",
          "transforms.cast.type": "org.apache.kafka.connect.transforms.Cast$Value",
          "transforms.cast.spec": "amount:string,id:int32",
          "transforms.insert.type": "org.apache.kafka.connect.transforms.InsertField$Value",
          "transforms.insert.static.field": "source",
          "transforms.insert.static.value": "s3",
          "transforms.mask.type": "org.apache.kafka.connect.transforms.MaskField$Value",
          "transforms.mask.fields": "email,phone",
          "transforms.mask.replacement": "***",
          "transforms.flat.type": "org.apache.kafka.connect.transforms.Flatten$Value",
          "transforms.flat.delimiter": "_"
        }}
        """)
        #expect(chain.steps == [
            .drop(["active", "internal"]), .rename(from: "name", to: "customer"),
            .cast(field: "amount", type: .string), .cast(field: "id", type: .int32),
            .insert(field: "source", value: .string("s3")),
            .mask(field: "email", replacement: "***"), .mask(field: "phone", replacement: "***"),
            .flatten(delimiter: "_"),
        ])
    }

    @Test(arguments: [
        (#"{"transforms": "t", "transforms.t.type": "org.apache.kafka.connect.transforms.TimestampRouter"}"#, "TimestampRouter is not supported"),
        (#"{"transforms": "t", "transforms.t.type": "x.InsertField$Value", "transforms.t.offset.field": "o"}"#, "offset.field depends on the Kafka record"),
        (#"{"transforms": "t", "transforms.t.type": "x.Cast$Value", "transforms.t.spec": "int64"}"#, "casting the whole value"),
        (#"{"transforms": "t"}"#, "no transforms.t.type"),
        (#"{"transforms": "t", "transforms.t.type": "x.Flatten$Value", "transforms.t.predicate": "p"}"#, "predicates are not supported"),
    ])
    func refusesWhatCannotBeExpected(text: String, message: String) {
        #expect {
            try TransformChain.parse(text)
        } throws: { "\($0)".contains(message) }
    }
}
