#if canImport(Glibc)
import Glibc
#endif
private import CHiredis

/// A blocking connection to one Redis server over hiredis, with pipelining.
///
/// Every command goes through `redisAppendCommandArgv` (binary-safe argv, never a format string).
/// Unless `allowWrites` is set, any command outside `RedisCommand.readOnlyCommandNames` is refused
/// before it is sent, except a write named in `allowedWrites` (one command on one key): this is how
/// kiqprof keeps its promise never to write to a production Redis.
public final class RedisConnection {
    private var context: UnsafeMutablePointer<redisContext>?
    public let endpoint: RedisEndpoint
    public let allowWrites: Bool
    /// The only writes allowed besides reads when `allowWrites` is false (`toggle --apply`).
    public let allowedWrites: Set<RedisWritePermit>
    /// Commands appended whose replies have not been read yet, oldest first; labels errors.
    private var pending: [String] = []
    private var pendingHead = 0
    /// Commands appended since the last reply was awaited: the next read sends them (one round trip).
    private var unsent = false
    /// Commands sent and round trips made (a batch of commands written, then replies awaited), for benchmarks.
    public private(set) var commandsSent = 0
    public private(set) var roundTrips = 0

    private static func duration(_ seconds: Double) -> timeval {
        let whole = seconds.rounded(.down)
        return timeval(tv_sec: Int(whole), tv_usec: Int((seconds - whole) * 1_000_000))
    }

    /// Changes the limit on each later socket read or write (the recorder shortens it while Redis stalls).
    public func setTimeout(_ seconds: Double) {
        guard let context else { return }
        redisSetTimeout(context, Self.duration(seconds))
    }

    /// Connects, authenticates and selects the database.
    /// - Parameters:
    ///   - timeoutSeconds: limit for connecting and for each socket read or write.
    ///   - allowWrites: any command may be sent; only test fixtures set this.
    ///   - allowedWrites: these exact writes may be sent too; `toggle --apply` passes the one HSET it needs.
    public init(
        endpoint: RedisEndpoint, timeoutSeconds: Double = 5, allowWrites: Bool = false, allowedWrites: Set<RedisWritePermit> = []
    ) throws {
        _ = Self.ignoreBrokenPipe
        self.endpoint = endpoint
        self.allowWrites = allowWrites
        self.allowedWrites = allowedWrites
        let timeout = Self.duration(timeoutSeconds)
        let made: UnsafeMutablePointer<redisContext>?
        switch endpoint.address {
        case .tcp(let host, let port):
            made = redisConnectWithTimeout(host, Int32(port), timeout)
        case .unixSocket(let path):
            made = redisConnectUnixWithTimeout(path, timeout)
        }
        guard let made else {
            throw RedisError.connectionFailed(endpoint: endpoint.description, reason: "out of memory")
        }
        if made.pointee.err != 0 {
            let reason = Self.errorText(made)
            redisFree(made)
            throw RedisError.connectionFailed(endpoint: endpoint.description, reason: reason)
        }
        redisSetTimeout(made, timeout)
        context = made

        if let password = endpoint.password {
            var auth: [String] = []
            if let user = endpoint.username { auth.append(user) }
            auth.append(password)
            let reply: RedisValue
            do {
                reply = try roundTrip(RedisCommand("AUTH", arguments: auth, keyIndex: nil))
            } catch let error as RedisError {
                throw Self.authFailure(error, endpoint: endpoint)
            }
            if case .error(let message) = reply {
                throw RedisError.authenticationFailed(endpoint: endpoint.description, user: endpoint.username, reason: message)
            }
        }
        if endpoint.database != 0 {
            let reply = try roundTrip(RedisCommand("SELECT", String(endpoint.database), keyIndex: nil))
            if case .error(let message) = reply {
                throw RedisError.server(command: "SELECT \(endpoint.database)", message: message)
            }
        }
    }

    deinit {
        if let context { redisFree(context) }
    }

    /// A server that closes the socket mid-write must give an error, not kill kiqprof with SIGPIPE.
    private static let ignoreBrokenPipe: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// Sends one command and waits for its reply. Server errors come back as `.error`, not thrown.
    public func roundTrip(_ command: RedisCommand) throws -> RedisValue {
        try append(command)
        return try readReply()
    }

    /// Sends one command and throws if the server answers with an error line.
    public func send(_ command: RedisCommand) throws -> RedisValue {
        let reply = try roundTrip(command)
        if case .error(let message) = reply {
            throw RedisError.server(command: command.errorLabel, message: message)
        }
        return reply
    }

    /// Sends all commands in one write and reads all replies (one round trip). Error replies stay in place.
    public func pipeline(_ commands: [RedisCommand]) throws -> [RedisValue] {
        for command in commands { try append(command) }
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        for _ in commands { replies.append(try readReply()) }
        return replies
    }

    /// Queues a command in hiredis' output buffer; it is written when a reply is next awaited.
    public func append(_ command: RedisCommand) throws {
        guard let context else { throw RedisError.io(command: command.errorLabel, reason: "connection is closed") }
        if !allowWrites && !command.isReadOnly && !allowedWrites.contains(where: { $0.permits(command) }) {
            throw RedisError.writeRefused(command: command.errorLabel)
        }
        let count = command.arguments.count
        let status: Int32 = withArgv(command.arguments) { argv, lengths in
            redisAppendCommandArgv(context, Int32(count), argv, lengths)
        }
        guard status == REDIS_OK else {
            throw RedisError.io(command: command.errorLabel, reason: Self.errorText(context))
        }
        pending.append(command.errorLabel)
        commandsSent += 1
        unsent = true
    }

    /// Number of appended commands whose replies are still to be read.
    public var pendingReplies: Int { pending.count - pendingHead }

    /// Reads the reply of the oldest pending command, deep-copied.
    public func readReply() throws -> RedisValue {
        let reply = try nextRawReply()
        defer { freeReplyObject(reply) }
        return Self.copy(reply.assumingMemoryBound(to: redisReply.self))
    }

    /// Reads the reply of the oldest pending command, which must be an array (or nil), and hands each
    /// element's bytes to `body` without copying them. Nested arrays and nils are passed as empty buffers
    /// with `isNull` set. Used by the census, where a page holds up to 1,000 payloads.
    /// - Returns: the number of elements visited.
    @discardableResult
    public func readArrayReply(_ body: (_ index: Int, _ bytes: UnsafeRawBufferPointer, _ isNull: Bool) throws -> Void) throws -> Int {
        let label = pendingHead < pending.count ? pending[pendingHead] : "reply"
        let raw = try nextRawReply()
        defer { freeReplyObject(raw) }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        switch Int32(reply.pointee.type) {
        case REDIS_REPLY_NIL:
            return 0
        case REDIS_REPLY_ERROR:
            throw RedisError.server(command: label, message: Self.text(reply))
        case REDIS_REPLY_ARRAY:
            let count = Int(reply.pointee.elements)
            for index in 0..<count {
                guard let element = reply.pointee.element[index] else { continue }
                if Int32(element.pointee.type) == REDIS_REPLY_STRING || Int32(element.pointee.type) == REDIS_REPLY_STATUS {
                    try body(index, UnsafeRawBufferPointer(start: element.pointee.str, count: Int(element.pointee.len)), false)
                } else {
                    try body(index, UnsafeRawBufferPointer(start: nil, count: 0), true)
                }
            }
            return count
        default:
            throw RedisError.unexpectedReply(command: label, expected: "an array", got: Self.copy(reply).kindName)
        }
    }

    private func nextRawReply() throws -> UnsafeMutableRawPointer {
        guard let context else { throw RedisError.io(command: "reply", reason: "connection is closed") }
        guard pendingHead < pending.count else {
            throw RedisError.io(command: "reply", reason: "no command is waiting for a reply")
        }
        let label = pending[pendingHead]
        pendingHead += 1
        if unsent {
            roundTrips += 1
            unsent = false
        }
        if pendingHead == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingHead = 0
        }
        var reply: UnsafeMutableRawPointer?
        if redisGetReply(context, &reply) != REDIS_OK || reply == nil {
            let reason = Self.errorText(context)
            // After an I/O error hiredis' context is unusable; close it so later calls fail fast.
            redisFree(context)
            self.context = nil
            pending.removeAll()
            pendingHead = 0
            throw RedisError.io(command: label, reason: reason)
        }
        return reply!
    }

    public var isConnected: Bool { context != nil }

    private static func copy(_ reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        switch Int32(reply.pointee.type) {
        case REDIS_REPLY_STRING:
            return .bulkString(Array(UnsafeRawBufferPointer(start: reply.pointee.str, count: Int(reply.pointee.len))))
        case REDIS_REPLY_STATUS:
            return .status(text(reply))
        case REDIS_REPLY_ERROR:
            return .error(text(reply))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(reply.pointee.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisValue] = []
            elements.reserveCapacity(Int(reply.pointee.elements))
            for index in 0..<Int(reply.pointee.elements) {
                if let element = reply.pointee.element[index] { elements.append(copy(element)) } else { elements.append(.null) }
            }
            return .array(elements)
        default:
            return .null
        }
    }

    private static func text(_ reply: UnsafeMutablePointer<redisReply>) -> String {
        String(decoding: UnsafeRawBufferPointer(start: reply.pointee.str, count: Int(reply.pointee.len)), as: UTF8.self)
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        let message = withUnsafeBytes(of: context.pointee.errstr) { buffer -> String in
            let bytes = buffer.prefix(while: { $0 != 0 })
            return String(decoding: bytes, as: UTF8.self)
        }
        switch context.pointee.err {
        case REDIS_ERR_EOF: return message.isEmpty ? "server closed the connection" : message
        case REDIS_ERR_IO where message.contains("Resource temporarily unavailable"): return "timed out waiting for the server"
        default: return message.isEmpty ? "unknown hiredis error \(context.pointee.err)" : message
        }
    }

    private static func authFailure(_ error: RedisError, endpoint: RedisEndpoint) -> RedisError {
        if case .io(_, let reason) = error {
            return .authenticationFailed(endpoint: endpoint.description, user: endpoint.username, reason: reason)
        }
        return error
    }

    private func withArgv<R>(_ arguments: [[UInt8]], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R) -> R {
        // One contiguous buffer for all arguments keeps this to two allocations per command.
        let total = arguments.reduce(0) { $0 + $1.count }
        var storage = [UInt8]()
        storage.reserveCapacity(total)
        var lengths = [Int]()
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            storage.append(contentsOf: argument)
            lengths.append(argument.count)
        }
        return storage.withUnsafeBufferPointer { bytes in
            var pointers = [UnsafePointer<CChar>?]()
            pointers.reserveCapacity(arguments.count)
            var offset = 0
            let base = UnsafeRawPointer(bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!)
            for length in lengths {
                pointers.append((base + offset).assumingMemoryBound(to: CChar.self))
                offset += length
            }
            return pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { body(argv.baseAddress!, $0.baseAddress!) }
            }
        }
    }
}

// One connection is used by one thread at a time; hiredis contexts are not thread-safe.
@available(*, unavailable)
extension RedisConnection: Sendable {}
