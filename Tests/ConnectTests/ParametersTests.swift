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
