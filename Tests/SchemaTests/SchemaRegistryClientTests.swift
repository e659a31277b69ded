@testable import StreamcheckKit
import Testing
import Avro
import TerraformIO

@Suite struct SchemaRegistryClientTests {
    func explain(_ status: Int, _ code: Int?) -> String {
        SchemaRegistryClient.explain(status: status, code: code, detail: "because", context: "registering the schema under subject t-value", baseURL: "http://r:8081")
    }

    @Test func confluentErrorsBecomeOneClearLine() {
        #expect(explain(404, 40401).contains("subject not found (40401)"))
        #expect(explain(404, 40403).contains("schema not found (40403)"))
        #expect(explain(409, 409).contains("incompatible") && explain(409, 409).contains("409: because"))
        #expect(explain(422, 42201).contains("invalid schema (42201: because)"))
        #expect(explain(401, 401).contains("STREAMCHECK_SCHEMA_REGISTRY_USERNAME"))
        #expect(explain(403, 40301).contains("403 forbidden"))
        #expect(explain(500, 50001).contains("HTTP 500 error 50001: because"))
        for status in [401, 403, 404, 409, 422, 500] { #expect(!explain(status, nil).contains("\n")) }
    }

    @Test func urlsAndCredentials() throws {
        #expect(throws: StreamcheckError.self) { try SchemaRegistryClient(url: "registry:8081", environment: [:]) }
        #expect(throws: StreamcheckError.self) { try SchemaRegistryClient(url: "http://user:pw@registry:8081", environment: [:]) }
        let client = try SchemaRegistryClient(url: "http://registry:8081/", environment: [
            SchemaRegistryClient.usernameVariable: "u", SchemaRegistryClient.passwordVariable: "p",
        ])
        #expect(client.baseURL == "http://registry:8081")
        #expect(client.credentials?.user == "u" && client.credentials?.password == "p")
        #expect(try SchemaRegistryClient(url: "https://r", environment: [:]).credentials == nil)
        #expect(SchemaRegistryClient.escape("com.example/Event value") == "com.example%2FEvent%20value")
    }
}

@Suite struct SchemaRegistryCompatibilityTests {
    // Confluent's verbose format (AvroSchema.isCompatible → SchemaCompatibility's Incompatibility).
    let newSchema = #"{"type":"record","name":"R","fields":[{"name":"id","type":"long"},{"name":"age","type":"string"},{"name":"address","type":{"type":"record","name":"A","fields":[{"name":"zip","type":"int"}]}}]}"#

    @Test func verboseMessagesBecomeOneLineEachNamingTheField() {
        let messages = [
            "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/1/type') of a field in the new schema does not match with the old schema', additionalInfo:'reader type: STRING not compatible with writer type: INT'}",
            "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'zip' at path '/fields/2/type/fields/0' in the new schema has no default value and is missing in the old schema', additionalInfo:'zip'}",
            "{oldSchemaVersion: 3}",
            "{oldSchema: '{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"secretive_old_field\",\"type\":\"int\"}]}'}",
            "{validateFields: 'false', compatibility: 'BACKWARD_TRANSITIVE'}",
        ]
        let lines = SchemaRegistryCompatibilityTests.describe(messages, newSchema)
        #expect(lines.count == 2)
        #expect(lines[0] == "against version 3: TYPE_MISMATCH at field 'age' (/fields/1/type): The type (path '/fields/1/type') of a field in the new schema does not match with the old schema (reader type: STRING not compatible with writer type: INT)")
        #expect(lines[1].hasPrefix("against version 3: READER_FIELD_MISSING_DEFAULT_VALUE at field 'address.zip' (/fields/2/type/fields/0)"))
        #expect(!lines.joined().contains("secretive_old_field"))
    }

    @Test func aRejectedRegistrationIsDescribedFromItsMessage() {
        let detail = "Schema being registered is incompatible with an earlier schema for subject \"t-value\", details: [{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/1/type') of a field in the new schema does not match with the old schema', additionalInfo:'reader type: STRING not compatible with writer type: INT'}, {oldSchemaVersion: 1}, {oldSchema: '{\"type\":\"int\"}'}, {validateFields: 'false', compatibility: 'BACKWARD'}]"
        let lines = SchemaRegistryCompatibilityTests.describe([detail], newSchema)
        #expect(lines == ["against version 1: TYPE_MISMATCH at field 'age' (/fields/1/type): The type (path '/fields/1/type') of a field in the new schema does not match with the old schema (reader type: STRING not compatible with writer type: INT)"])
        // 409 (up to 8.0.3) and 40901 (8.0.4+) are both "incompatible"; 42201 says invalid.
        #expect(SchemaRegistryError(status: 409, errorCode: 40901, message: "").isIncompatible)
        #expect(SchemaRegistryError(status: 409, errorCode: 409, message: "").isIncompatible)
        let invalid = SchemaRegistryClient.explain(status: 422, code: 42201, detail: "Invalid schema", context: "c", baseURL: "http://r")
        #expect(invalid.contains("invalid schema (42201") && !invalid.contains("compatible"))
    }

    @Test func plainSentencesFromOlderRegistriesAreKept() {
        #expect(SchemaRegistryCompatibilityTests.describe(["Schema being registered is incompatible"], nil) == ["Schema being registered is incompatible"])
    }

    static func describe(_ messages: [String], _ schema: String?) -> [String] {
        CompatibilityMessages.describe(messages, newSchema: schema)
    }
}

@Suite struct AvroReferenceInlinerTests {
    @Test func theFirstUseOfAReferencedNameGetsItsDefinition() throws {
        let address = try JSONValue.parse(#"{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"zip","type":"string"},{"name":"country","type":"com.acme.Country"}]}"#)
        let country = try JSONValue.parse(#"{"type":"enum","name":"Country","namespace":"com.acme","symbols":["DE","FR"]}"#)
        let main = try JSONValue.parse(#"{"type":"record","name":"Order","namespace":"com.shop","fields":[{"name":"ship","type":"com.acme.Address"},{"name":"bill","type":["null","com.acme.Address"]},{"name":"origin","type":"com.acme.Country"}]}"#)
        let inlined = AvroReferenceInliner(definitions: ["com.acme.Address": address, "com.acme.Country": country]).inline(main)
        let text = inlined.encoded()
        // One definition each, the later uses stay names; and Avro accepts the result.
        #expect(text.components(separatedBy: #""name":"Address""#).count == 2)
        #expect(text.components(separatedBy: #""name":"Country""#).count == 2)
        #expect(text.contains(#"["null","com.acme.Address"]"#))
        let schema = try AvroSchema.parse(text)
        #expect(schema.fullName == "com.shop.Order")
    }
}
