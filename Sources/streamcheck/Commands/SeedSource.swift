import ArgumentParser
import StreamcheckKit

extension Streamcheck {
    /// `streamcheck seed-source s3`: test data for a source connector, plus its manifest.
    struct SeedSource: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "seed-source",
            abstract: "Write test data for a source connector to pick up, and the manifest consume checks against.",
            subcommands: [S3.self]
        )

        struct S3: OperationCommand {
            static let operation = Operations.seedSourceS3
            static let moreHelp = "\nEnvironment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, STREAMCHECK_S3_ENDPOINT."
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        }
    }
}
