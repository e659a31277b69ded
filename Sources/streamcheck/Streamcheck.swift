import ArgumentParser

@main
struct Streamcheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streamcheck",
        abstract: "Test Kafka data pipelines from Terraform: produce, wait on connectors, consume and verify.",
        discussion: """
        Every operation runs two ways with the same parameter names:
          streamcheck <operation> --message-count 1000 --result-file out.json   (CLI, local-exec)
          echo '{"message_count":"1000"}' | streamcheck external <operation>   (data "external")
        Exit codes: 0 ok, 1 error, 2 verification failed (CLI only; external exits 0 with passed = "false").
        """,
        subcommands: [
            Version.self,
            Produce.self,
            Consume.self,
            Lag.self,
            Broker.self,
            Connector.self,
            VerifySink.self,
            SeedSource.self,
            External.self,
            Report.self,
            Notify.self,
        ]
    )
}
