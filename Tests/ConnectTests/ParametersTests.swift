import Foundation
import Testing
import TerraformIO
@testable import StreamcheckKit

/// How the connector operations read their parameters: flavour choice, URL checks, config sources.
@Suite struct ConnectorParametersTests {
    func parameters(_ op: OperationDefinition, _ query: [String: String]) throws -> Parameters {
        try Parameters(try RawParameters.fromQuery(query, specs: op.parameters), specs: op.parameters)
    }

    @Test func selfManagedNeedsAnHTTPURL() throws {
        let missing = try parameters(Operations.connectorStatus, ["name": "c"])
        #expect(throws: ParameterError.self) { try Operations.connectorService(missing, environment: [:]) }
        do {
            _ = try parameters(Operations.connectorStatus, ["name": "c", "connect_url": "connect:8083"])
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "invalid value for 'connect_url': expected a URL such as https://host:port/path")
        }
        let ftp = try parameters(Operations.connectorStatus, ["name": "c", "connect_url": "ftp://connect:8083"])
        #expect(throws: ParameterError.self) { try Operations.connectorService(ftp, environment: [:]) }
        let ok = try parameters(Operations.connectorStatus, ["name": "c", "connect_url": "http://connect:8083"])
        #expect(try Operations.connectorService(ok, environment: [:]).endpoints.flavour == .selfManaged(baseURL: "http://connect:8083"))
    }

    @Test func cloudDefaultsTheBaseURLAndNeedsEnvironmentAndCluster() throws {
        let env = ["CONFLUENT_CLOUD_API_KEY": "k", "CONFLUENT_CLOUD_API_SECRET": "s"]
        let partial = try parameters(Operations.connectorWait, ["name": "c", "api": "confluent-cloud", "environment": "env-1"])
        #expect(throws: ParameterError.self) { try Operations.connectorService(partial, environment: env) }
        let full = try parameters(Operations.connectorWait, ["name": "c", "api": "confluent-cloud", "environment": "env-1", "cluster": "lkc-1"])
        #expect(try Operations.connectorService(full, environment: env).endpoints.flavour
            == .confluentCloud(baseURL: "https://api.confluent.cloud", environment: "env-1", cluster: "lkc-1"))
    }

    @Test func cloudIdsWithSelfManagedAreRefused() throws {
        let p = try parameters(Operations.connectorStatus, ["name": "c", "connect_url": "http://x:8083", "cluster": "lkc-1"])
        #expect(throws: ParameterError.self) { try Operations.connectorService(p, environment: [:]) }
    }

    @Test func configComesFromAJSONEncodedQueryWithEnvironmentReferences() throws {
        let p = try parameters(Operations.connectorApply, [
            "name": "c", "connect_url": "http://x:8083",
            "config": #"{"connector.class":"io.confluent.connect.jdbc.JdbcSinkConnector","connection.password":"${env:DB_PW}"}"#,
        ])
        let config = try Operations.connectorConfig(p, environment: ["DB_PW": "pw"])
        #expect(config.map(\.0) == ["connector.class", "connection.password"])
        #expect(config.last?.1 == "pw")
    }

    @Test func anEmptyConfigIsRefused() throws {
        let p = try parameters(Operations.connectorApply, ["name": "c", "connect_url": "http://x:8083"])
        #expect(throws: ParameterError.self) { try Operations.connectorConfig(p, environment: [:]) }
    }

    @Test func theConfigNameMustMatch() throws {
        let fake = FakeConnect()
        do {
            _ = try fake.service().apply("c", config: [("connector.class", "X"), ("name", "other")], validate: true, timeout: 10)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("differs from the connector name"))
        }
        #expect(fake.requests.isEmpty)
    }
}

@Suite struct SecretFileTests {
    func file(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "secret-\(UUID().uuidString)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aSecretComesFromItsFileAtEachReading() throws {
        let path = try file("old-pw\n")
        let env = ["STREAMCHECK_CONNECT_USERNAME": "u", "STREAMCHECK_CONNECT_PASSWORD_FILE": path]
        #expect(try SecretEnvironment.current(env)["STREAMCHECK_CONNECT_PASSWORD"] == "old-pw")
        // Rotated: the file is rewritten, the environment is not touched.
        try "new-pw".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try SecretEnvironment.current(env)["STREAMCHECK_CONNECT_PASSWORD"] == "new-pw")
        // Connector configs' ${env:NAME} take NAME_FILE too.
        #expect(try Operations.substituteEnvironment("${env:DB_PW}", key: "connection.password", environment: ["DB_PW_FILE": path]) == "new-pw")
    }

    @Test func bothWaysOrAnUnreadableFileAreRefusedWithoutTheValue() throws {
        let path = try file("s3cr3t")
        #expect { try SecretEnvironment.current(["STREAMCHECK_SMTP_PASSWORD": "x", "STREAMCHECK_SMTP_PASSWORD_FILE": path]) } throws: { error in
            "\(error)".contains("both STREAMCHECK_SMTP_PASSWORD and STREAMCHECK_SMTP_PASSWORD_FILE") && !"\(error)".contains("s3cr3t")
        }
        #expect { try SecretEnvironment.current(["AWS_SECRET_ACCESS_KEY_FILE": "/nonexistent/key"]) } throws: { error in
            "\(error)" == "AWS_SECRET_ACCESS_KEY_FILE names /nonexistent/key, which cannot be read; check the path and its permissions"
        }
        // Only secret variables are read from files: a *_FILE that names a path stays a path.
        #expect(try SecretEnvironment.current(["STREAMCHECK_CONNECT_CA_FILE": path])["STREAMCHECK_CONNECT_CA"] == nil)
    }
}
