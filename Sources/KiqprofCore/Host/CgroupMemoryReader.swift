/// Finds and reads the memory cgroup of local processes under a cgroup root (/sys/fs/cgroup, or a captured
/// copy in tests). Where a pid's cgroup lives is looked up once a minute, and a cgroup shared by several
/// processes is read once per instant, so the recorder's cost stays a few small reads per cgroup and poll.
final class CgroupMemoryReader {
    private struct Location {
        var directory: String
        var path: String
        var version: CgroupMemory.Version
    }

    private let procRoot: String
    private let cgroupRoot: String
    private var locations: [Int: (location: Location?, at: Double)] = [:]
    private var readings: [String: (at: Double, memory: CgroupMemory?)] = [:]
    /// systemd or a container runtime may move a process; a minute-old location is looked up again.
    static let relocateAfter = 60.0

    init(procRoot: String, cgroupRoot: String) {
        self.procRoot = procRoot
        self.cgroupRoot = cgroupRoot
    }

    /// The memory cgroup bounding `pid` at `time`; nil when it has none this kiqprof can read.
    func memory(pid: Int, at time: Double, hostMemoryBytes: UInt64?) -> CgroupMemory? {
        if let known = locations[pid], time >= known.at, time - known.at < Self.relocateAfter {
            guard let location = known.location else { return nil }
            if let cached = readings[location.directory], cached.at == time { return cached.memory }
            let memory = read(location, hostMemoryBytes: hostMemoryBytes)
            readings[location.directory] = (time, memory)
            if memory == nil { locations[pid] = nil }  // the cgroup went away: look again next time
            return memory
        }
        locations[pid] = (locate(pid: pid, hostMemoryBytes: hostMemoryBytes), time)
        return locations[pid]?.location == nil ? nil : memory(pid: pid, at: time, hostMemoryBytes: hostMemoryBytes)
    }

    /// Drops what is known of a pid that exited (its number may be reused by another process).
    func forget(pid: Int) {
        locations[pid] = nil
    }

    private func locate(pid: Int, hostMemoryBytes: UInt64?) -> Location? {
        guard let text = text(procRoot + "/\(pid)/cgroup") else { return nil }
        let membership = CgroupMemory.membership(text[...])
        // A hybrid host (v1 controllers beside /sys/fs/cgroup/unified) accounts memory in v1.
        if let path = membership.v1Memory,
           let found = find(base: cgroupRoot + "/memory", path: path, probe: "memory.usage_in_bytes", version: .v1) {
            return bounded(found, base: cgroupRoot + "/memory", hostMemoryBytes: hostMemoryBytes)
        }
        if let path = membership.unified {
            for base in [cgroupRoot, cgroupRoot + "/unified"] {
                if let found = find(base: base, path: path, probe: "memory.current", version: .v2) {
                    return bounded(found, base: base, hostMemoryBytes: hostMemoryBytes)
                }
            }
        }
        return nil
    }

    /// The cgroup's directory. Inside a container without its own cgroup namespace the path names the
    /// host's hierarchy while the root shows only the container's part, so leading parts are dropped
    /// until the directory exists.
    private func find(base: String, path: String, probe: String, version: CgroupMemory.Version) -> Location? {
        let parts = path.split(separator: "/")
        for dropped in 0...parts.count {
            let candidate = "/" + parts.dropFirst(dropped).joined(separator: "/")
            let directory = base + (candidate == "/" ? "" : candidate)
            if FileReader.readAll(directory + "/" + probe) != nil {
                return Location(directory: directory, path: candidate, version: version)
            }
        }
        return nil
    }

    /// An unlimited cgroup inside a limited one (a service in a slice with a limit) is bounded by that
    /// ancestor's limit: the nearest limited ancestor is the one to watch.
    private func bounded(_ leaf: Location, base: String, hostMemoryBytes: UInt64?) -> Location {
        let limitFile = leaf.version == .v1 ? "memory.limit_in_bytes" : "memory.max"
        var parts = leaf.path.split(separator: "/")
        while true {
            let path = "/" + parts.joined(separator: "/")
            let directory = base + (path == "/" ? "" : path)
            if let limit = FileReader.readAll(directory + "/" + limitFile),
               CgroupMemory.parseLimit(limit, hostMemoryBytes: hostMemoryBytes) != nil {
                return Location(directory: directory, path: path, version: leaf.version)
            }
            guard !parts.isEmpty else { return leaf }
            parts.removeLast()
        }
    }

    private func read(_ location: Location, hostMemoryBytes: UInt64?) -> CgroupMemory? {
        let directory = location.directory + "/"
        func bytes(_ name: String) -> [UInt8]? { FileReader.readAll(directory + name) }
        switch location.version {
        case .v1:
            guard let usage = bytes("memory.usage_in_bytes") else { return nil }
            return CgroupMemory.parseV1(
                path: location.path, usage: usage, limit: bytes("memory.limit_in_bytes"), oomControl: bytes("memory.oom_control"),
                failcnt: bytes("memory.failcnt"), stat: bytes("memory.stat"), hostMemoryBytes: hostMemoryBytes)
        case .v2:
            guard let current = bytes("memory.current") else { return nil }
            return CgroupMemory.parseV2(
                path: location.path, current: current, max: bytes("memory.max"), events: bytes("memory.events"),
                stat: bytes("memory.stat"), hostMemoryBytes: hostMemoryBytes)
        }
    }

    private func text(_ path: String) -> String? {
        FileReader.readAll(path).map { String(decoding: $0, as: UTF8.self) }
    }
}

// Caches per pid; used by the recorder's one thread through its sampler.
@available(*, unavailable)
extension CgroupMemoryReader: Sendable {}
