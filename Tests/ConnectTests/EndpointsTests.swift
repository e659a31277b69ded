import Testing
@testable import StreamcheckKit

@Suite struct EndpointsTests {
    let selfManaged = ConnectEndpoints(.selfManaged(baseURL: "http://connect:8083/"))
    let cloud = ConnectEndpoints(.confluentCloud(baseURL: "https://api.confluent.cloud", environment: "env-abc12", cluster: "lkc-xyz9"))

    @Test func selfManagedPathsFollowTheKafkaConnectRESTAPI() {
        #expect(selfManaged.listConnectors == ConnectCall("GET", "http://connect:8083/connectors"))
        #expect(selfManaged.putConfig("orders-sink") == ConnectCall("PUT", "http://connect:8083/connectors/orders-sink/config"))
        #expect(selfManaged.status("orders-sink") == ConnectCall("GET", "http://connect:8083/connectors/orders-sink/status"))
        #expect(selfManaged.restart("s", includeTasks: true, onlyFailed: false) == ConnectCall("POST", "http://connect:8083/connectors/s/restart?includeTasks=true&onlyFailed=false", idempotent: false))
        #expect(selfManaged.pause("s") == ConnectCall("PUT", "http://connect:8083/connectors/s/pause"))
        #expect(selfManaged.resume("s") == ConnectCall("PUT", "http://connect:8083/connectors/s/resume"))
        #expect(selfManaged.stop("s") == ConnectCall("PUT", "http://connect:8083/connectors/s/stop", since: "3.5"))
        #expect(selfManaged.delete("s") == ConnectCall("DELETE", "http://connect:8083/connectors/s"))
        #expect(selfManaged.offsets("s") == ConnectCall("GET", "http://connect:8083/connectors/s/offsets", since: "3.5"))
        #expect(selfManaged.alterOffsets("s") == ConnectCall("PATCH", "http://connect:8083/connectors/s/offsets", since: "3.6"))
        #expect(selfManaged.resetOffsets("s") == ConnectCall("DELETE", "http://connect:8083/connectors/s/offsets", since: "3.6"))
        #expect(selfManaged.validate(connectorClass: "io.confluent.connect.jdbc.JdbcSinkConnector")
            == ConnectCall("PUT", "http://connect:8083/connector-plugins/io.confluent.connect.jdbc.JdbcSinkConnector/config/validate"))
    }

    @Test func namesArePercentEncodedAsOnePathSegment() {
        #expect(selfManaged.status("my sink/v2+x") == ConnectCall("GET", "http://connect:8083/connectors/my%20sink%2Fv2%2Bx/status"))
    }

    @Test func cloudPathsLiveUnderTheEnvironmentAndCluster() {
        let root = "https://api.confluent.cloud/connect/v1/environments/env-abc12/clusters/lkc-xyz9"
        #expect(cloud.putConfig("c") == ConnectCall("PUT", root + "/connectors/c/config"))
        #expect(cloud.status("c") == ConnectCall("GET", root + "/connectors/c/status"))
        #expect(cloud.pause("c") == ConnectCall("PUT", root + "/connectors/c/pause"))
        #expect(cloud.restart("c", includeTasks: true, onlyFailed: true) == ConnectCall("POST", root + "/connectors/c/restart", idempotent: false))
        #expect(cloud.offsetsRequest("c") == ConnectCall("POST", root + "/connectors/c/offsets/request", idempotent: false))
        #expect(cloud.offsetsRequestStatus("c") == ConnectCall("GET", root + "/connectors/c/offsets/request/status"))
        #expect(cloud.stop("c") == nil)
    }
}
