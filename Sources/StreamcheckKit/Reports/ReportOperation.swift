import Foundation
import TerraformIO

extension Operations {
    public static let reportOperations: [OperationDefinition] = [report]

    public static let report = OperationDefinition(
        words: ["report"],
        summary: "Turn a run directory into JUnit XML, a self-contained HTML report, a JSON summary and a Markdown summary.",
        parameters: [
            ParameterSpec("run_dir", .directory, required: true, help: "The run directory the operations recorded into (--report-dir / $STREAMCHECK_REPORT_DIR)."),
            ParameterSpec("junit", .path, help: "Write JUnit XML here (for GitLab's artifacts:reports:junit)."),
            ParameterSpec("html", .path, help: "Write the self-contained HTML report here."),
            ParameterSpec("json", .path, help: "Write the JSON summary here."),
            ParameterSpec("markdown", .path, help: "Write a short Markdown summary here (for a merge-request comment)."),
            ParameterSpec("merge_junit", .list, help: "JUnit files to merge into the report, e.g. from terraform test -junit-xml=FILE."),
            ParameterSpec("suite_name", .string, help: "Title of the report, and the suite for records that carry no run id (default: streamcheck)."),
            ParameterSpec("pipeline_url", .url, help: "Link to the pipeline in the HTML and Markdown (default: $CI_PIPELINE_URL)."),
        ]
    ) { parameters in
        try ReportCommand.run(parameters)
    }
}

enum ReportCommand {
    static func run(_ parameters: Parameters) throws -> OperationOutcome {
        let runDir = try parameters.requiredString("run_dir")
        let title = parameters.string("suite_name") ?? "streamcheck"
        let pipelineURL = parameters.string("pipeline_url") ?? nonEmpty(ProcessInfo.processInfo.environment["CI_PIPELINE_URL"])
        let records = try RunDirectory.load(runDir)
        let merged = try parameters.list("merge_junit").map { try MergedJUnit.read(path: $0) }
        let report = Report(title: title, runDir: runDir, records: records, merged: merged)

        // Render everything first, then write: a rendering problem leaves no file half-made.
        let summary = report.summaryJSON()
        var outputs: [(key: String, path: String, text: String)] = []
        if let p = parameters.string("junit") { outputs.append(("junit", p, JUnitReport.render(report))) }
        if let p = parameters.string("html") { outputs.append(("html", p, HTMLReport.render(report, pipelineURL: pipelineURL))) }
        if let p = parameters.string("json") { outputs.append(("json", p, summary.encodedPretty() + "\n")) }
        if let p = parameters.string("markdown") { outputs.append(("markdown", p, MarkdownReport.render(report, pipelineURL: pipelineURL))) }
        for output in outputs {
            do { try AtomicFile.write(output.text, to: output.path) } catch {
                throw StreamcheckError("cannot write the \(output.key) report to \(output.path) (\(parameters.name(output.key))): \(error)")
            }
        }

        let t = report.totals
        var result = summary.objectValue ?? []
        result.append(("outputs", .object(outputs.map { ($0.key, .string($0.path)) })))
        var line = "report: \(report.status.uppercased()) — \(t.tests) tests, \(t.failures) failed, \(t.errors) errors, \(t.operations) operations in \(runDir)"
        for f in report.failedCases.prefix(10) {
            switch f.testCase.outcome {
            case let .failure(message, _): line += "\n  FAILED \(f.suite) / \(f.testCase.classname) / \(f.testCase.name): \(message)"
            case let .error(message, _): line += "\n  ERROR  \(f.suite) / \(f.testCase.classname): \(message)"
            case .passed: break
            }
        }
        if !outputs.isEmpty { line += "\n  wrote " + outputs.map { "\($0.key) \($0.path)" }.joined(separator: ", ") }
        return OperationOutcome(result: .object(result), passed: report.passed, summary: line)
    }
}
