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

        struct Apply: ParsableCommand {
            static let operation = Operations.connectorApply
            static let configuration = CommandConfiguration(abstract: operation.summary, discussion: operation.parameterHelp)
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
            func run() throws { OperationShell.runCommandLine(Self.operation, parameters) }
        }

        struct Rollback: ParsableCommand {
            static let operation = Operations.connectorRollback
            static let configuration = CommandConfiguration(abstract: operation.summary, discussion: operation.parameterHelp)
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
            func run() throws { OperationShell.runCommandLine(Self.operation, parameters) }
        }

        struct Status: ParsableCommand {
            static let operation = Operations.connectorStatus
            static let configuration = CommandConfiguration(abstract: operation.summary, discussion: operation.parameterHelp)
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
            func run() throws { OperationShell.runCommandLine(Self.operation, parameters) }
        }

        struct Wait: ParsableCommand {
            static let operation = Operations.connectorWait
            static let configuration = CommandConfiguration(abstract: operation.summary, discussion: operation.parameterHelp)
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
            func run() throws { OperationShell.runCommandLine(Self.operation, parameters) }
        }

        struct Restart: ParsableCommand {
            static let operation = Operations.connectorRestart
            static let configuration = CommandConfiguration(abstract: operation.summary, discussion: operation.parameterHelp)
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
            func run() throws { OperationShell.runCommandLine(Self.operation, parameters) }
        }

        struct Pause: ParsableCommand {
            static let operation = Operations.connectorPause
            static let configuration = CommandConfiguration(abstract: operation.summary, discussion: operation.parameterHelp)
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
            func run() throws { OperationShell.runCommandLine(Self.operation, parameters) }
        }

        struct Resume: ParsableCommand {
            static let operation = Operations.connectorResume
            static let configuration = CommandConfiguration(abstract: operation.summary, discussion: operation.parameterHelp)
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
            func run() throws { OperationShell.runCommandLine(Self.operation, parameters) }
        }

        struct Stop: ParsableCommand {
            static let operation = Operations.connectorStop
            static let configuration = CommandConfiguration(abstract: operation.summary, discussion: operation.parameterHelp)
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
            func run() throws { OperationShell.runCommandLine(Self.operation, parameters) }
        }

        struct Delete: ParsableCommand {
            static let operation = Operations.connectorDelete
            static let configuration = CommandConfiguration(abstract: operation.summary, discussion: operation.parameterHelp)
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
            func run() throws { OperationShell.runCommandLine(Self.operation, parameters) }
        }

        struct Offsets: ParsableCommand {
            static let operation = Operations.connectorOffsets
            static let configuration = CommandConfiguration(abstract: operation.summary, discussion: operation.parameterHelp)
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
            func run() throws { OperationShell.runCommandLine(Self.operation, parameters) }
        }
    }
}
