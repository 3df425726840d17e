import Foundation

/// Writes a file so readers see the old content or the new, never half: a temporary file beside it, then rename
/// (what node_exporter's textfile collector asks for).
public enum AtomicFile {
    public static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try Data(text.utf8).write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw KiqprofError.unreadableFile(path: path, reason: "cannot rename \(temporary.lastPathComponent) over it: \(reason)")
            }
        } catch let error as KiqprofError {
            throw error
        } catch {
            throw KiqprofError.unreadableFile(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
