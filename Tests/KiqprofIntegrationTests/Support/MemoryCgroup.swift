import Foundation

/// A memory cgroup with a limit, for one test: cgroup v2 where the machine has it, else v1's memory controller.
/// Needs root; the caller reports a missing one (a failure under CI=true).
final class MemoryCgroup {
    let directory: String
    let version: Int

    init(limitBytes: Int) throws {
        let name = "kiqprof-test-\(UUID().uuidString.prefix(8))"
        let manager = FileManager.default
        if let controllers = try? String(contentsOfFile: "/sys/fs/cgroup/cgroup.controllers", encoding: .utf8),
           controllers.split(separator: " ").contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines) == "memory" }) {
            version = 2
            directory = "/sys/fs/cgroup/\(name)"
        } else if manager.fileExists(atPath: "/sys/fs/cgroup/memory/memory.limit_in_bytes") {
            version = 1
            directory = "/sys/fs/cgroup/memory/\(name)"
        } else {
            throw TestSetupError("no memory cgroup controller (neither cgroup v2 with memory nor v1's /sys/fs/cgroup/memory)")
        }
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: false)
            let limit = version == 2 ? "memory.max" : "memory.limit_in_bytes"
            try String(limitBytes).write(toFile: "\(directory)/\(limit)", atomically: false, encoding: .utf8)
            // No swap, so the limit is reached rather than swapped around.
            if version == 2 {
                try? "0".write(toFile: "\(directory)/memory.swap.max", atomically: false, encoding: .utf8)
            } else {
                try? "0".write(toFile: "\(directory)/memory.swappiness", atomically: false, encoding: .utf8)
            }
        } catch {
            throw TestSetupError("cannot create the memory cgroup \(directory) (needs root): \(error)")
        }
    }

    var procsPath: String { "\(directory)/cgroup.procs" }

    /// Removes the cgroup once its processes are gone.
    func remove() {
        for _ in 0..<50 {
            if rmdir(directory) == 0 || errno == ENOENT { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }
}
