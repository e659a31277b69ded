import ArgumentParser
import StreamcheckKit

extension Streamcheck {
    /// `streamcheck verify-sink postgres|s3`: compare what a sink connector wrote with a manifest.
    struct VerifySink: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-sink",
            abstract: "Compare what a sink connector wrote (a PostgreSQL table, S3 objects) with a manifest.",
            subcommands: [Postgres.self, S3.self]
        )

        struct Postgres: OperationCommand {
            static let operation = Operations.verifySinkPostgres
            static let moreHelp = "\nEnvironment: STREAMCHECK_POSTGRES_URL (required; the connection string, it holds a password)."
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        }

        struct S3: OperationCommand {
            static let operation = Operations.verifySinkS3
            static let moreHelp = "\nEnvironment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, STREAMCHECK_S3_ENDPOINT."
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        }
    }
}
