@testable import StreamcheckKit
import Testing

@Suite struct SchemaRegistryClientTests {
    func explain(_ status: Int, _ code: Int?) -> String {
        SchemaRegistryClient.explain(status: status, code: code, detail: "because", context: "registering the schema under subject t-value", baseURL: "http://r:8081")
    }

    @Test func confluentErrorsBecomeOneClearLine() {
        #expect(explain(404, 40401).contains("subject not found (40401)"))
        #expect(explain(404, 40403).contains("schema not found (40403)"))
        #expect(explain(409, 409).contains("incompatible") && explain(409, 409).contains("409: because"))
        #expect(explain(422, 42201).contains("invalid (42201: because)"))
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
