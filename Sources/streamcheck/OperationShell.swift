import Foundation
import StreamcheckKit
import TerraformIO

/// The thin shell around an operation: parameters in, summary to stderr, result out, exit code.
enum OperationShell {
    enum ExitStatus: Int32 {
        case ok = 0
        case error = 1
        case verificationFailed = 2
    }

    static func fail(_ message: String) -> Never {
        Diagnostics.error(message)
        exit(ExitStatus.error.rawValue)
    }

    /// CLI and local-exec: human summary on stderr, typed JSON in --result-file, exit 0/1/2.
    static func runCommandLine(_ operation: OperationDefinition, _ words: [String]) -> Never {
        let parameters: Parameters
        do {
            let raw = try RawParameters.fromCommandLine(words, specs: operation.parameters)
            parameters = try Parameters(raw, specs: operation.parameters)
        } catch {
            fail("\(operation.name): \(error)")
        }
        let outcome = execute(operation, parameters)
        switch outcome {
        case let .failure(message):
            fail("\(operation.name): \(message)")
        case let .success(result):
            if !result.summary.isEmpty { Diagnostics.info(result.summary) }
            if let path = parameters.string("result_file") {
                do { try AtomicFile.write(result.result.encodedPretty() + "\n", to: path) } catch {
                    fail("\(operation.name): \(error)")
                }
            } else if operation.words == ["version"] {
                print(result.summary)
            }
            exit(result.passed == false ? ExitStatus.verificationFailed.rawValue : ExitStatus.ok.rawValue)
        }
    }

    /// data "external": one flat JSON object of strings on stdout; errors on stderr with exit 1
    /// and nothing on stdout. A verification that found problems is a result, not an error.
    static func runExternal(_ operation: OperationDefinition, stdin: [UInt8]) -> Never {
        // Terraform shows the program's stderr only when it fails: no progress lines there.
        Progress.enabled = false
        let parameters: Parameters
        do {
            let query = try ExternalProtocol.decodeQuery(stdin)
            let raw = try RawParameters.fromQuery(query, specs: operation.parameters)
            parameters = try Parameters(raw, specs: operation.parameters)
        } catch {
            fail("external \(operation.name): \(error)")
        }
        switch execute(operation, parameters) {
        case let .failure(message):
            fail("external \(operation.name): \(message)")
        case let .success(result):
            if !result.summary.isEmpty { Diagnostics.info(result.summary) }
            if let path = parameters.string("result_file") {
                do { try AtomicFile.write(result.result.encodedPretty() + "\n", to: path) } catch {
                    fail("external \(operation.name): \(error)")
                }
            }
            let flat = ExternalProtocol.flatten(result.result)
            FileHandle.standardOutput.write(Data((ExternalProtocol.encodeFlat(flat) + "\n").utf8))
            exit(ExitStatus.ok.rawValue)
        }
    }

    enum Execution {
        case success(OperationOutcome)
        case failure(String)
    }

    /// Runs the operation and records it in the run directory when one is set.
    static func execute(_ operation: OperationDefinition, _ parameters: Parameters) -> Execution {
        let started = Date()
        let execution: Execution
        var partial: JSONValue?
        let expected: ExpectedOutcome
        do { expected = try ExpectedOutcome(parameters) } catch {
            return .failure("\(error)")
        }
        let ran: Result<OperationOutcome, StreamcheckError>
        do {
            ran = .success(try operation.run(parameters))
        } catch let error as StreamcheckError {
            ran = .failure(error)
        } catch {
            ran = .failure(StreamcheckError("\(error)"))
        }
        switch expected.judge(ran, operation: operation.name) {
        case let .success(outcome):
            execution = .success(outcome)
        case let .failure(message, partialResult):
            partial = partialResult
            execution = .failure(message)
        }
        if let path = parameters.string("result_file"), let partial {
            // A failed operation still says what it did, for Terraform to show.
            try? AtomicFile.write(partial.encodedPretty() + "\n", to: path)
        }
        // The background broker is infrastructure, not a step of the flow: it records nothing.
        // Neither is a background consume's child: the collect records its verdict, once.
        let records = operation.words != ["broker", "run"] && !parameters.has("background_started")
        if records, let dir = RunRecord.directory(explicit: parameters.string("report_dir")) {
            let status: String
            var error: String?
            var result: JSONValue? = partial
            switch execution {
            case let .success(outcome):
                status = outcome.passed == false ? "failed" : "passed"
                result = outcome.result
            case let .failure(message):
                status = "error"
                error = message
            }
            do {
                try RunRecord.write(directory: dir, operation: operation.name, startedAt: started, finishedAt: Date(),
                                    status: status, error: error, result: result)
            } catch {
                Diagnostics.warning("could not record the result in report dir \(dir): \(error)")
            }
        }
        return execution
    }
}

/// The one path to stderr. stdout carries results only.
enum Diagnostics {
    static func error(_ message: String) { write("streamcheck: error: \(message)") }
    static func warning(_ message: String) { write("streamcheck: warning: \(message)") }
    static func info(_ message: String) { write(message) }

    private static func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
