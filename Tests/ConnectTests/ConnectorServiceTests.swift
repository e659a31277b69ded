import Foundation
import Testing
import TerraformIO
@testable import StreamcheckKit

@Suite struct ClientTests {
    @Test func retriesARebalanceUntilConnectAnswers() throws {
        let fake = FakeConnect()
        fake.queue(409, #"{"error_code":409,"message":"Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)"}"#)
        fake.queue(409, #"{"error_code":409,"message":"rebalance"}"#)
        fake.queue(200, FakeConnect.status("RUNNING", tasks: [(0, "RUNNING")]))
        let client = fake.client()
        let reply = try client.send(client.endpoints.status("c"), deadline: client.now() + 30)
        #expect(reply.status == 200)
        #expect(fake.requests.count == 3)
        #expect(fake.sleeps.map { ($0 * 1000).rounded() } == [150, 300])
        #expect(fake.logLines.first?.contains("HTTP 409") == true)
    }

    @Test func givesUpAtTheDeadlineWithTheLastProblem() {
        let fake = FakeConnect()
        fake.fallback = .refused
        let client = fake.client()
        let start = client.now()
        do {
            _ = try client.send(client.endpoints.status("c"), deadline: start + 10)
            Issue.record("expected an error")
        } catch {
            let text = "\(error)"
            #expect(text.contains("still failing after"), "\(text)")
            #expect(text.contains("Couldn't connect"), "\(text)")
            #expect(text.contains("http://connect:8083/connectors/c/status"), "\(text)")
        }
        // Bounded: virtual time stopped at the deadline (plus the last request's own cost).
        #expect(client.now() - start < 10.1)
        #expect(fake.requests.count > 3)
    }

    @Test func definiteAnswersComeBackAtOnce() throws {
        let fake = FakeConnect()
        fake.queue(401, "Unauthorized")
        let client = fake.client(auth: ConnectAuth(basic: ("user", "s3cret")))
        let reply = try client.send(client.endpoints.status("c"), deadline: client.now() + 30)
        #expect(reply.status == 401)
        #expect(fake.requests.count == 1)
        #expect(fake.requests[0].basicAuth?.user == "user")
    }

    @Test func aRestartIsNotSentAgainWhenItMayHaveBeenServed() {
        let fake = FakeConnect()
        fake.queue(.timeout)
        fake.fallback = .reply(202, FakeConnect.status("RESTARTING"), [])
        let client = fake.client()
        do {
            _ = try client.send(client.endpoints.restart("c", includeTasks: false, onlyFailed: false), deadline: client.now() + 60)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("may still be applied, so it was not sent again"), "\(error)")
        }
        #expect(fake.requests.count == 1)
    }

    @Test func aRestartAnsweredWithADefiniteConnectErrorShowsIt() {
        let fake = FakeConnect()
        fake.queue(500, #"{"error_code":500,"message":"Connector configuration is invalid"}"#)
        let service = fake.service()
        do {
            _ = try service.restart("c", includeTasks: true, onlyFailed: true, timeout: 30)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("HTTP 500") && "\(error)".contains("Connector configuration is invalid"), "\(error)")
        }
        #expect(fake.requests.count == 1)
    }

    @Test func aRestartTurnedAwayByARebalanceIsSentAgain() throws {
        let fake = FakeConnect()
        fake.queue(409, #"{"error_code":409,"message":"Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)"}"#)
        fake.queue(500, #"{"error_code":500,"message":"Request cannot be completed because a rebalance is expected"}"#)
        fake.queue(204)
        let client = fake.client()
        let reply = try client.send(client.endpoints.restart("c", includeTasks: false, onlyFailed: false), deadline: client.now() + 60)
        #expect(reply.status == 204 && fake.requests.count == 3)
    }

    @Test func tooManyRequestsWaitsWhatTheServerAsks() throws {
        let fake = FakeConnect()
        fake.queue(429, "", headers: [("Retry-After", "4")])
        fake.queue(200, "[]")
        let client = fake.client()
        _ = try client.send(client.endpoints.listConnectors, deadline: client.now() + 30)
        #expect(fake.sleeps.map { ($0 * 1000).rounded() } == [4100])
    }

    @Test func errorBodiesOfBothFlavoursAreRead() {
        #expect(ConnectReply(status: 404, text: #"{"error_code":404,"message":"Connector x not found"}"#).errorMessage == "Connector x not found")
        #expect(ConnectReply(status: 400, text: #"{"errors":[{"status":"400","detail":"bad plugin"}]}"#).errorMessage == "bad plugin")
        #expect(ConnectReply(status: 502, text: "").errorMessage == "HTTP 502 with an empty body")
    }
}

@Suite struct AuthTests {
    @Test func cloudNeedsKeyAndSecretAndNamesTheVariablesNotTheValues() {
        do {
            _ = try ConnectAuth.fromEnvironment(["CONFLUENT_CLOUD_API_KEY": "KEY123"], flavour: .confluentCloud(baseURL: "https://x", environment: "e", cluster: "c"))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("CONFLUENT_CLOUD_API_SECRET"))
            #expect(!"\(error)".contains("KEY123"))
        }
    }

    @Test func halfABasicAuthPairIsRefused() {
        #expect(throws: StreamcheckError.self) {
            try ConnectAuth.fromEnvironment(["STREAMCHECK_CONNECT_USERNAME": "u"], flavour: .selfManaged(baseURL: "http://x"))
        }
        let auth = try? ConnectAuth.fromEnvironment(["STREAMCHECK_CONNECT_USERNAME": "u", "STREAMCHECK_CONNECT_PASSWORD": "p"], flavour: .selfManaged(baseURL: "http://x"))
        #expect(auth?.basic?.user == "u")
    }

    @Test func missingCertificateFilesAreNamed() {
        do {
            _ = try ConnectAuth.fromEnvironment(["STREAMCHECK_CONNECT_CLIENT_CERT": "/nonexistent/cert.pem", "STREAMCHECK_CONNECT_CLIENT_KEY": "/nonexistent/key.pem"],
                                                flavour: .selfManaged(baseURL: "http://x"))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("STREAMCHECK_CONNECT_CLIENT_CERT names /nonexistent/cert.pem"))
        }
    }
}

@Suite struct WaitTests {
    @Test func waitsThroughUnassignedUntilAllTasksRun() throws {
        let fake = FakeConnect()
        fake.queue(200, FakeConnect.status("UNASSIGNED"))
        fake.queue(200, FakeConnect.status("RUNNING"))  // running, but no tasks yet
        fake.queue(200, FakeConnect.status("RUNNING", tasks: [(0, "RUNNING"), (1, "UNASSIGNED")]))
        fake.queue(200, FakeConnect.status("RUNNING", tasks: [(0, "RUNNING"), (1, "RUNNING")]))
        let outcome = try fake.service().wait("c", target: "RUNNING", expectedTasks: nil, timeout: 60)
        #expect(outcome.passed == true)
        #expect(outcome.result["state"] == .string("RUNNING"))
        #expect(outcome.result["tasks_running"] == .int(2))
        #expect(outcome.result["tasks_total"] == .int(2))
        #expect(outcome.result["failed_tasks"] == .int(0))
        #expect(outcome.result["polls"] == .int(4))
        #expect(outcome.result["waited_ms"]?.int64Value ?? 0 > 0)
    }

    @Test func expectedTaskCountMustMatch() throws {
        let fake = FakeConnect()
        fake.queue(200, FakeConnect.status("RUNNING", tasks: [(0, "RUNNING")]))
        fake.fallback = .reply(200, FakeConnect.status("RUNNING", tasks: [(0, "RUNNING"), (1, "RUNNING")]), [])
        let outcome = try fake.service().wait("c", target: "RUNNING", expectedTasks: 2, timeout: 60)
        #expect(outcome.passed == true)
        #expect(fake.requests.count == 2)
    }

    @Test func stopsOnAFailedTaskThatAppearsDuringTheWaitWithItsTrace() throws {
        let fake = FakeConnect()
        fake.queue(200, FakeConnect.status("RUNNING", tasks: [(0, "RUNNING"), (1, "UNASSIGNED")]))
        fake.queue(200, FakeConnect.status("RUNNING", tasks: [(0, "RUNNING"), (1, "FAILED")], taskTrace: "org.apache.kafka.connect.errors.ConnectException: table missing\n\tat X"))
        fake.fallback = .reply(200, FakeConnect.status("RUNNING", tasks: [(0, "RUNNING"), (1, "RUNNING")]), [])
        let outcome = try fake.service().wait("c", target: "RUNNING", expectedTasks: nil, timeout: 60)
        #expect(outcome.passed == false)
        #expect(fake.requests.count == 2)  // newer than the first reading: trusted at once
        #expect(outcome.result["failed_tasks"] == .int(1))
        #expect(outcome.result["failed_task_ids"] == .string("1"))
        #expect(outcome.result["trace"]?.stringValue?.hasPrefix("org.apache.kafka.connect.errors.ConnectException: table missing") == true)
        #expect(outcome.result["failed_checks"] == .string("task_states"))
        #expect(outcome.summary.contains("FAILED (task 1)"))
    }

    @Test func aFailedConnectorReportsTheConnectorTrace() throws {
        let fake = FakeConnect()
        fake.fallback = .reply(200, FakeConnect.status("FAILED", trace: "java.lang.IllegalStateException: bad url"), [])
        let service = fake.service()
        let start = service.client.now()
        let outcome = try service.wait("c", target: "RUNNING", expectedTasks: nil, timeout: 60)
        // The same FAILED from the first reading on: trusted once it held for the settle window,
        // polled on the backoff schedule meanwhile (not hammered).
        #expect(service.client.now() - start >= ConnectorService.defaultSettle)
        #expect(service.client.now() - start < ConnectorService.defaultSettle + 1)
        #expect(fake.requests.count <= 6, "\(fake.requests.count) requests")
        #expect(outcome.passed == false)
        #expect(outcome.result["trace"] == .string("java.lang.IllegalStateException: bad url"))
        #expect(outcome.result["failed_checks"] == .string("connector_state,task_states"))
    }

    @Test func aStaleFailedRightAfterARestartDoesNotEndTheWait() throws {
        // Kafka Connect: POST restart answers 202 RESTARTING, then GET status still shows the
        // old FAILED until the restart goes through the config topic.
        let fake = FakeConnect()
        for _ in 0..<3 { fake.queue(200, FakeConnect.status("RUNNING", tasks: [(0, "FAILED")], taskTrace: "old failure")) }
        fake.queue(200, FakeConnect.status("RUNNING", tasks: [(0, "RESTARTING")]))
        fake.fallback = .reply(200, FakeConnect.status("RUNNING", tasks: [(0, "RUNNING")]), [])
        let outcome = try fake.service().wait("c", target: "RUNNING", expectedTasks: nil, timeout: 60)
        #expect(outcome.passed == true, "\(outcome.summary)")
        #expect(fake.requests.count == 5)
    }

    @Test func aStaleRunningRightAfterAConfigUpdateDoesNotPass() throws {
        // After PUT config, GET status can show the old RUNNING for a while; the failure under
        // the new config comes after. A wait that trusted the first reading would pass.
        let fake = FakeConnect()
        for _ in 0..<2 { fake.queue(200, FakeConnect.status("RUNNING", tasks: [(0, "RUNNING")])) }
        fake.fallback = .reply(200, FakeConnect.status("RUNNING", tasks: [(0, "FAILED")], taskTrace: "bad new config"), [])
        let outcome = try fake.service().wait("c", target: "RUNNING", expectedTasks: nil, timeout: 60)
        #expect(outcome.passed == false)
        #expect(outcome.summary.contains("FAILED (task 0)"), "\(outcome.summary)")
    }

    @Test func aConnectorNotYetRunningIsPolledOnTheBackoffScheduleNotHammered() throws {
        let fake = FakeConnect()
        fake.fallback = .reply(200, FakeConnect.status("RUNNING", tasks: [(0, "RUNNING"), (1, "UNASSIGNED")]), [])
        let outcome = try fake.service().wait("c", target: "RUNNING", expectedTasks: nil, timeout: 30)
        #expect(outcome.passed == false && outcome.result["timed_out"] == .bool(true))
        #expect(fake.requests.count < 15, "\(fake.requests.count) requests in 30 s")
    }

    @Test func aWaitShorterThanTwoSettleWindowsStillTrustsAHeldReading() throws {
        let fake = FakeConnect()
        fake.fallback = .reply(200, FakeConnect.status("RUNNING", tasks: [(0, "RUNNING")]), [])
        let service = fake.service()
        let start = service.client.now()
        let outcome = try service.wait("c", target: "RUNNING", expectedTasks: nil, settle: 3, timeout: 2)
        #expect(outcome.passed == true, "\(outcome.summary)")
        #expect(service.client.now() - start >= 1 && service.client.now() - start < 2)
    }

    @Test func settleZeroTrustsTheFirstReading() throws {
        let fake = FakeConnect()
        fake.fallback = .reply(200, FakeConnect.status("RUNNING", tasks: [(0, "RUNNING")]), [])
        let outcome = try fake.service().wait("c", target: "RUNNING", expectedTasks: nil, settle: 0, timeout: 60)
        #expect(outcome.passed == true)
        #expect(fake.requests.count == 1)
    }

    @Test func aFreshConnectorsStatus404IsWaitedOut() throws {
        let fake = FakeConnect()
        for _ in 0..<3 { fake.queue(404, #"{"error_code":404,"message":"No status found for connector c"}"#) }
        fake.fallback = .reply(200, FakeConnect.status("RUNNING", tasks: [(0, "RUNNING")]), [])
        let outcome = try fake.service().wait("c", target: "RUNNING", expectedTasks: nil, timeout: 60)
        #expect(outcome.passed == true)
        #expect(fake.requests.count == 4)  // newer than the 404s: trusted at once
    }

    @Test func timesOutAsAFailedCheckNotAnError() throws {
        let fake = FakeConnect()
        fake.fallback = .reply(200, FakeConnect.status("RUNNING", tasks: [(0, "UNASSIGNED")]), [])
        let service = fake.service()
        let start = service.client.now()
        let outcome = try service.wait("c", target: "RUNNING", expectedTasks: nil, timeout: 20)
        #expect(outcome.passed == false)
        #expect(outcome.result["timed_out"] == .bool(true))
        #expect(service.client.now() - start < 20.1)
        #expect(outcome.summary.contains("did not reach RUNNING"))
    }

    @Test func waitsForStoppedWithNoTasks() throws {
        let fake = FakeConnect()
        fake.queue(200, FakeConnect.status("RUNNING", tasks: [(0, "RUNNING")]))
        fake.queue(200, FakeConnect.status("STOPPED"))
        let outcome = try fake.service().wait("c", target: "STOPPED", expectedTasks: nil, timeout: 60)
        #expect(outcome.passed == true)
    }

    @Test func anUnknownConnectorIsAnErrorAfterAShortGrace() {
        let fake = FakeConnect()
        fake.fallback = .reply(404, #"{"error_code":404,"message":"Connector nope not found"}"#, [])
        let service = fake.service()
        let start = service.client.now()
        do {
            _ = try service.wait("nope", target: "RUNNING", expectedTasks: nil, timeout: 600)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("connector 'nope' not found"), "\(error)")
        }
        #expect(service.client.now() - start < 10)
    }
}

@Suite struct ApplyTests {
    let config: [(String, String)] = [("connector.class", "io.confluent.connect.jdbc.JdbcSinkConnector"), ("topics", "orders"), ("tasks.max", "1")]
    let noErrors = #"{"name":"io.confluent.connect.jdbc.JdbcSinkConnector","error_count":0,"groups":[],"configs":[]}"#

    @Test func createsWhenAbsent() throws {
        let fake = FakeConnect()
        fake.queue(200, noErrors)
        fake.queue(404, #"{"error_code":404,"message":"Connector c not found"}"#)
        fake.queue(201, #"{"name":"c","config":{},"tasks":[]}"#)
        let outcome = try fake.service().apply("c", config: config, validate: true, timeout: 30)
        #expect(outcome.result["action"] == .string("created"))
        #expect(fake.paths == [
            "PUT http://connect:8083/connector-plugins/io.confluent.connect.jdbc.JdbcSinkConnector/config/validate",
            "GET http://connect:8083/connectors/c/config",
            "PUT http://connect:8083/connectors/c/config",
        ])
        let body = try JSONValue.parse(bytes: fake.requests[2].body ?? [])
        #expect(body["name"] == .string("c"))
        #expect(body["topics"] == .string("orders"))
    }

    @Test func leavesAnEqualConfigAlone() throws {
        let fake = FakeConnect()
        fake.queue(200, #"{"connector.class":"io.confluent.connect.jdbc.JdbcSinkConnector","topics":"orders","tasks.max":"1","name":"c"}"#)
        let outcome = try fake.service().apply("c", config: config, validate: false, timeout: 30)
        #expect(outcome.result["action"] == .string("unchanged"))
        #expect(outcome.result["changed"] == .bool(false))
        #expect(fake.requests.count == 1)
    }

    @Test func updatesWhatDiffersAndNamesTheKeysOnly() throws {
        let fake = FakeConnect()
        fake.queue(200, #"{"connector.class":"io.confluent.connect.jdbc.JdbcSinkConnector","topics":"old","tasks.max":"1","name":"c","batch.size":"10"}"#)
        fake.queue(200, #"{"name":"c","config":{},"tasks":[]}"#)
        let outcome = try fake.service().apply("c", config: config, validate: false, timeout: 30)
        #expect(outcome.result["action"] == .string("updated"))
        #expect(outcome.result["changed_keys"] == .string("topics,batch.size"))
        #expect(!outcome.result.encoded().contains("orders"))
    }

    @Test func showsConnectsValidationErrors() throws {
        let fake = FakeConnect()
        fake.queue(200, #"{"name":"x","error_count":1,"groups":[],"configs":[{"definition":{"name":"connection.url"},"value":{"name":"connection.url","value":null,"recommended_values":[],"errors":["Missing required configuration \"connection.url\" which has no default value."],"visible":true}}]}"#)
        do {
            _ = try fake.service().apply("c", config: config, validate: true, timeout: 30)
            Issue.record("expected an error")
        } catch let error as StreamcheckError {
            #expect(error.message.contains("connection.url: Missing required configuration"), "\(error.message)")
            #expect(error.partialResult?["action"] == .string("rejected"))
        }
        #expect(fake.requests.count == 1)  // nothing was written
    }

    @Test func anUnknownConnectorClassIsFinalAndNamed() {
        let fake = FakeConnect()
        fake.fallback = .reply(500, #"{"error_code":500,"message":"Failed to find any class that implements Connector and which name matches com.example.Nope, available connectors are: PluginDesc{klass=class org.apache.kafka.connect.file.FileStreamSinkConnector, name='org.apache.kafka.connect.file.FileStreamSinkConnector', version='3.7.0', encodedVersion=3.7.0, type=sink, typeName='sink', location='classpath'}"}"#, [])
        do {
            _ = try fake.service().apply("c", config: [("connector.class", "com.example.Nope")], validate: true, timeout: 60)
            Issue.record("expected an error")
        } catch {
            let text = "\(error)"
            #expect(text.contains("has no connector class 'com.example.Nope'"), "\(text)")
            #expect(text.contains("install the plugin") && !text.contains("PluginDesc"), "\(text)")
        }
        #expect(fake.requests.count == 1)  // no retries until the timeout
    }

    @Test func anOlderConnectWithoutTheRouteSaysWhichVersionItNeeds() {
        let fake = FakeConnect()
        fake.queue(404, #"{"error_code":404,"message":"HTTP 404 Not Found"}"#)
        do {
            _ = try fake.service().changeState("c", action: "stop", timeout: 30)
            Issue.record("expected an error")
        } catch {
            let text = "\(error)"
            #expect(text.contains("has no PUT /connectors/{name}/stop") && text.contains("needs Apache Kafka Connect 3.5 or later"), "\(text)")
            #expect(!text.contains("not found: "), "\(text)")
        }
        let alter = FakeConnect()
        alter.queue(200, FakeConnect.status("STOPPED"))
        alter.queue(405, #"{"error_code":405,"message":"HTTP 405 Method Not Allowed"}"#)
        do {
            _ = try alter.service().offsets("c", action: "reset", offsets: nil, timeout: 30)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("DELETE /connectors/{name}/offsets") && "\(error)".contains("3.6 or later"), "\(error)")
        }
    }

    @Test func cloudsServerAddedKeysAreNotChanges() {
        let current = ["connector.class": "PostgresSink", "topics": "a", "name": "c", "connection.password": "****************",
                       "cloud.environment": "prod", "cloud.provider": "aws", "kafka.endpoint": "SASL_SSL://pkc-1.aws.confluent.cloud:9092", "kafka.region": "us-west-2"]
        let desired = [("connector.class", "PostgresSink"), ("topics", "a"), ("connection.password", "pw")]
        #expect(ConnectorService.changedKeys(desired: desired, current: current, serverAdded: ConnectorService.cloudServerKeys).isEmpty)
        // Self-managed Connect echoes exactly what was sent: an unknown key there is one to remove.
        #expect(ConnectorService.changedKeys(desired: desired, current: current) == ["cloud.environment", "cloud.provider", "kafka.endpoint", "kafka.region"])
    }

    @Test func maskedSecretsCountAsEqual() {
        let changed = ConnectorService.changedKeys(desired: [("connection.password", "pw"), ("topics", "a")],
                                                   current: ["connection.password": "****************", "topics": "a", "name": "c"])
        #expect(changed.isEmpty)
    }

    @Test func environmentReferencesAreSubstitutedAndMissingOnesNamed() throws {
        #expect(try Operations.substituteEnvironment("user=${env:U};pw=${env:P}", key: "k", environment: ["U": "a", "P": "b"]) == "user=a;pw=b")
        #expect(throws: ParameterError.self) { try Operations.substituteEnvironment("${env:NOPE}", key: "k", environment: [:]) }
    }
}

@Suite struct OffsetsTests {
    @Test func selfManagedResetNeedsAStoppedConnector() {
        let fake = FakeConnect()
        fake.queue(200, FakeConnect.status("RUNNING", tasks: [(0, "RUNNING")]))
        do {
            _ = try fake.service().offsets("c", action: "reset", offsets: nil, timeout: 30)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("only while it is STOPPED"))
        }
        #expect(fake.requests.count == 1)
    }

    @Test func selfManagedResetDeletesTheOffsets() throws {
        let fake = FakeConnect()
        fake.queue(200, FakeConnect.status("STOPPED"))
        fake.queue(200, #"{"message":"The offsets for this connector have been reset successfully"}"#)
        let outcome = try fake.service().offsets("c", action: "reset", offsets: nil, timeout: 30)
        #expect(fake.paths.last == "DELETE http://connect:8083/connectors/c/offsets")
        #expect(outcome.result["message"] == .string("The offsets for this connector have been reset successfully"))
    }

    @Test func cloudOffsetsAreAnAsynchronousRequestPolledToTheEnd() throws {
        let fake = FakeConnect()
        fake.queue(202, #"{"id":"lcc-1","name":"c","offsets":[],"requested_at":"2024-01-01T00:00:00Z","type":"DELETE"}"#)
        fake.queue(200, #"{"request":{"type":"DELETE"},"status":{"phase":"PENDING"}}"#)
        fake.queue(200, #"{"request":{"type":"DELETE"},"status":{"phase":"APPLIED","message":"The Connect framework-managed offsets for this connector have been reset successfully."}}"#)
        let outcome = try fake.service(.confluentCloud(baseURL: "https://api.confluent.cloud", environment: "env-1", cluster: "lkc-1"))
            .offsets("c", action: "reset", offsets: nil, timeout: 30)
        #expect(fake.paths.first == "POST https://api.confluent.cloud/connect/v1/environments/env-1/clusters/lkc-1/connectors/c/offsets/request")
        #expect(try JSONValue.parse(bytes: fake.requests[0].body ?? []) == .object([("type", .string("DELETE"))]))
        #expect(outcome.result["message"]?.stringValue?.contains("reset successfully") == true)
        #expect(fake.requests.count == 3)
    }

    @Test func deleteWaitsUntilTheConnectorIsGone() throws {
        let fake = FakeConnect()
        fake.queue(204)
        fake.queue(200, FakeConnect.status("RUNNING", tasks: [(0, "RUNNING")]))
        fake.queue(404, #"{"error_code":404,"message":"Connector c not found"}"#)
        let outcome = try fake.service().delete("c", timeout: 30)
        #expect(outcome.result["deleted"] == .bool(true))
        #expect(fake.requests.count == 3)
    }

    @Test func deletingAnAbsentConnectorSucceeds() throws {
        let fake = FakeConnect()
        fake.queue(404, #"{"error_code":404,"message":"Connector c not found"}"#)
        let outcome = try fake.service().delete("c", timeout: 30)
        #expect(outcome.result["already_absent"] == .bool(true))
    }
}
