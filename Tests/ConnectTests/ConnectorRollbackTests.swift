import Foundation
import Testing
import TerraformIO
@testable import StreamcheckKit

/// `connector apply --save-previous` and `connector rollback`, over the fake transport.
/// Against the Kafka Connect stand-in (a real flow that v2 breaks and rollback mends):
/// scripts/test.d/40-connectors.sh, "rollback".
@Suite struct ConnectorRollbackTests {
    static let jdbc = "io.confluent.connect.jdbc.JdbcSinkConnector"
    let v2: [(String, String)] = [("connector.class", jdbc), ("topics", "orders"), ("connection.url", "jdbc:postgresql://db:1/x")]
    /// Connect's validation answer, with db.pass typed PASSWORD and shown as "[hidden]" as
    /// AbstractHerder.convertConfigValue does.
    let validation = #"{"name":"io.confluent.connect.jdbc.JdbcSinkConnector","error_count":0,"groups":[],"configs":[{"definition":{"name":"db.pass","type":"PASSWORD"},"value":{"name":"db.pass","value":"[hidden]","errors":[]}},{"definition":{"name":"topics","type":"LIST"},"value":{"name":"topics","value":"orders","errors":[]}}]}"#
    /// Built at run time: no tracked line holds a URL with a password (secret scanners flag them).
    static let urlWithPassword = "https://ak:" + "url-secret-3" + "@s3.example"
    let liveV1 = #"{"connector.class":"io.confluent.connect.jdbc.JdbcSinkConnector","topics":"orders","name":"c","connection.url":"jdbc:postgresql://db:5432/x","db.pass":"typed-secret-1","connection.password":"named-secret-2","store.url":"\#(Self.urlWithPassword)","sasl.jaas.config":"${file:/run/secrets/kafka.properties:jaas}"}"#

    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("previous-\(UUID().uuidString).json").path
    }

    @Test func anUpdateKeepsTheConfigItReplacesWithoutItsSecrets() throws {
        let fake = FakeConnect()
        fake.queue(200, validation)
        fake.queue(200, liveV1)
        fake.queue(200, #"{"name":"c","config":{},"tasks":[]}"#)
        let path = temporaryPath()
        defer { unlink(path) }
        _ = try fake.service().apply("c", config: v2, validate: true, timeout: 30, savePrevious: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for secret in ["typed-secret-1", "named-secret-2", "url-secret-3"] { #expect(!text.contains(secret)) }
        let saved = try PreviousConnectorConfig.read(path, parameter: "--previous")
        #expect(saved.existed)
        #expect(Set(saved.redactedKeys) == ["db.pass", "connection.password", "store.url"])
        let kept = Dictionary(uniqueKeysWithValues: saved.config)
        #expect(kept["connection.url"] == "jdbc:postgresql://db:5432/x")
        // A config provider reference is not the secret: kept as it is.
        #expect(kept["sasl.jaas.config"] == "${file:/run/secrets/kafka.properties:jaas}")
        #expect(kept["name"] == nil)
    }

    @Test func aCreateRecordsThatNothingStoodThere() throws {
        let fake = FakeConnect()
        fake.queue(404, #"{"error_code":404,"message":"Connector c not found"}"#)
        fake.queue(201, #"{"name":"c","config":{},"tasks":[]}"#)
        let path = temporaryPath()
        defer { unlink(path) }
        _ = try fake.service().apply("c", config: v2, validate: false, timeout: 30, savePrevious: path)
        let saved = try PreviousConnectorConfig.read(path, parameter: "--previous")
        #expect(!saved.existed && saved.config.isEmpty && saved.connector == "c")
    }

    @Test func anUnchangedApplyLeavesTheSavedFileAlone() throws {
        let fake = FakeConnect()
        fake.queue(200, #"{"connector.class":"io.confluent.connect.jdbc.JdbcSinkConnector","topics":"orders","connection.url":"jdbc:postgresql://db:1/x","name":"c"}"#)
        let path = temporaryPath()
        _ = try fake.service().apply("c", config: v2, validate: false, timeout: 30, savePrevious: path)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func rollbackTakesALeftOutSecretFromTheLiveConnector() throws {
        let saved = PreviousConnectorConfig(connector: "c", existed: true, config: [("connector.class", Self.jdbc), ("topics", "orders"),
                                            ("connection.url", "jdbc:postgresql://db:5432/x")], redactedKeys: ["connection.password"], savedAt: "2026-12-01T10:00:00Z")
        let fake = FakeConnect()
        fake.queue(200, #"{"connector.class":"io.confluent.connect.jdbc.JdbcSinkConnector","topics":"orders","connection.url":"jdbc:postgresql://db:1/x","connection.password":"live-secret","name":"c"}"#)
        fake.queue(200, #"{"name":"io.confluent.connect.jdbc.JdbcSinkConnector","error_count":0,"groups":[],"configs":[]}"#)
        fake.queue(200, #"{"connector.class":"io.confluent.connect.jdbc.JdbcSinkConnector","topics":"orders","connection.url":"jdbc:postgresql://db:1/x","connection.password":"live-secret","name":"c"}"#)
        fake.queue(200, #"{"name":"c","config":{},"tasks":[]}"#)
        let outcome = try fake.service().rollback(saved, overrides: [], timeout: 30)
        #expect(outcome.result["action"] == .string("restored"))
        #expect(outcome.result["changed_keys"] == .string("connection.url"))
        #expect(!outcome.result.encoded().contains("live-secret") && !outcome.summary.contains("live-secret"))
        let put = try JSONValue.parse(bytes: fake.requests.last?.body ?? [])
        #expect(put["connection.url"] == .string("jdbc:postgresql://db:5432/x"))
        #expect(put["connection.password"] == .string("live-secret"))
    }

    @Test func rollbackStopsWhenALeftOutSecretCannotBeFound() {
        let saved = PreviousConnectorConfig(connector: "c", existed: true, config: [("connector.class", Self.jdbc)],
                                            redactedKeys: ["connection.password"], savedAt: "t")
        let fake = FakeConnect()
        fake.queue(404, #"{"error_code":404,"message":"Connector c not found"}"#)
        #expect {
            _ = try fake.service().rollback(saved, overrides: [], timeout: 30)
        } throws: { error in
            "\(error)".contains("left out the secret connection.password") && "\(error)".contains("--config connection.password='${env:NAME}'")
        }
        #expect(fake.requests.count == 1)  // nothing was PUT
    }

    @Test func rollingBackACreateDeletesTheConnector() throws {
        let saved = PreviousConnectorConfig(connector: "c", existed: false, config: [], redactedKeys: [], savedAt: "t")
        let fake = FakeConnect()
        fake.queue(204)
        fake.queue(404, #"{"error_code":404,"message":"Connector c not found"}"#)
        let outcome = try fake.service().rollback(saved, overrides: [], timeout: 30)
        #expect(outcome.result["action"] == .string("deleted"))
        #expect(fake.paths.first == "DELETE http://connect:8083/connectors/c")
    }

    @Test func aFileApplyDidNotWriteIsRefusedInOneLine() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        for (text, why) in [("[]", "no streamcheck_connector_previous"), (#"{"streamcheck_connector_previous":1,"existed":true}"#, "no connector"),
                            (#"{"streamcheck_connector_previous":1,"connector":"c","existed":true,"config":{"topics":"x"}}"#, "no connector.class"),
                            (#"{"streamcheck_connector_previous":2,"connector":"c","existed":false,"config":{}}"#, "has format 2")] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            #expect {
                _ = try PreviousConnectorConfig.read(path, parameter: "--previous")
            } throws: { error in "\(error)".contains(why) && !"\(error)".contains("\n") }
        }
    }
}
