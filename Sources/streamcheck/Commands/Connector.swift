import ArgumentParser
import StreamcheckKit

extension Streamcheck {
    /// `streamcheck connector <action>`: one nested subcommand per connector operation.
    struct Connector: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage and wait on Kafka Connect connectors (self-managed REST or Confluent Cloud).",
            discussion: """
            Credentials come only from the environment: STREAMCHECK_CONNECT_USERNAME / STREAMCHECK_CONNECT_PASSWORD \
            (basic auth), STREAMCHECK_CONNECT_CLIENT_CERT / STREAMCHECK_CONNECT_CLIENT_KEY / STREAMCHECK_CONNECT_CA_FILE \
            (TLS), CONFLUENT_CLOUD_API_KEY / CONFLUENT_CLOUD_API_SECRET (--api confluent-cloud).
            """,
            subcommands: [Apply.self, Rollback.self, Status.self, Wait.self, Restart.self, Pause.self, Resume.self, Stop.self, Delete.self, Offsets.self]
        )

        struct Apply: OperationCommand {
            static let operation = Operations.connectorApply
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        }

        struct Rollback: OperationCommand {
            static let operation = Operations.connectorRollback
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        }

        struct Status: OperationCommand {
            static let operation = Operations.connectorStatus
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        }

        struct Wait: OperationCommand {
            static let operation = Operations.connectorWait
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        }

        struct Restart: OperationCommand {
            static let operation = Operations.connectorRestart
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        }

        struct Pause: OperationCommand {
            static let operation = Operations.connectorPause
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        }

        struct Resume: OperationCommand {
            static let operation = Operations.connectorResume
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        }

        struct Stop: OperationCommand {
            static let operation = Operations.connectorStop
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        }

        struct Delete: OperationCommand {
            static let operation = Operations.connectorDelete
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        }

        struct Offsets: OperationCommand {
            static let operation = Operations.connectorOffsets
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        }
    }
}
