import Foundation

/// Background processes started for Terraform: detached into their own session (setsid) with
/// stdin from /dev/null and output to a log file, so local-exec returns at once and never
/// waits on an inherited pipe. posix_spawn, not fork: forking a threaded process is unsafe.
public enum BackgroundProcess {
    public static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return n > 0 ? String(cString: buffer) : CommandLine.arguments[0]
    }

    /// Starts `streamcheck <arguments>` detached; returns its pid.
    public static func spawnSelf(_ arguments: [String], logPath: String) throws -> pid_t {
        let exe = executablePath()
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, 0x80) // POSIX_SPAWN_SETSID (glibc), hidden behind __USE_GNU
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([exe] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, exe, &actions, &attributes, argv, environ)
        guard rc == 0 else {
            throw StreamcheckError("cannot start a background streamcheck: \(String(cString: strerror(rc)))")
        }
        return pid
    }

    public static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) != 0 { return errno == EPERM }
        // A zombie child of ours counts as dead.
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            let state = stat[stat.index(close, offsetBy: 2)]
            return state != "Z" && state != "X"
        }
        return true
    }

    /// SIGTERM, then SIGKILL after `grace` seconds. Returns true when the process is gone.
    @discardableResult
    public static func stop(_ pid: pid_t, grace: Double) -> Bool {
        guard isAlive(pid) else { return true }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while Date() < deadline {
            var status: Int32 = 0
            waitpid(pid, &status, WNOHANG)
            if !isAlive(pid) { return true }
            usleep(50_000)
        }
        kill(pid, SIGKILL)
        usleep(100_000)
        var status: Int32 = 0
        waitpid(pid, &status, WNOHANG)
        return !isAlive(pid)
    }

    /// Until SIGINT or SIGTERM arrives.
    public static func waitForTerminationSignal(whileWaiting tick: () -> Void = {}) {
        catchTermination()
        while terminationRequested == 0 {
            tick()
            usleep(100_000)
        }
    }
}

extension BackgroundProcess {
    /// From now on SIGINT and SIGTERM only set a flag (`terminationWasRequested`): the work
    /// in hand decides how to end it (produce writes the manifest of what was acknowledged).
    public static func catchTermination() {
        signal(SIGINT) { _ in terminationRequested = 1 }
        signal(SIGTERM) { _ in terminationRequested = 1 }
    }

    public static var terminationWasRequested: Bool { terminationRequested != 0 }
}

nonisolated(unsafe) private var terminationRequested: sig_atomic_t = 0
