import ArgumentParser
import StreamcheckKit

extension Streamcheck {
    struct Notify: OperationCommand {
        static let operation = Operations.notify
        static let moreHelp = """


            Secrets come only from the environment: STREAMCHECK_SLACK_WEBHOOK_URL,
            STREAMCHECK_SMTP_USERNAME, STREAMCHECK_SMTP_PASSWORD.
            Exit code is the run's: 0 if it passed, 2 if it failed, whether or not the
            notifications could be delivered (failures are reported on stderr); 1 on bad input.
            """
        @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
    }
}
