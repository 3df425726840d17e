/// One argv-style Redis command. Only the command name and the key appear in errors; other arguments never do.
public struct RedisCommand: Sendable, Equatable {
    public let arguments: [[UInt8]]
    /// Index of the argument that names the key, for error messages (nil for keyless commands).
    public let keyIndex: Int?

    public init(_ name: String, _ arguments: String..., keyIndex: Int? = 1) {
        self.init(name, arguments: arguments, keyIndex: keyIndex)
    }

    public init(_ name: String, arguments: [String], keyIndex: Int? = 1) {
        var argv: [[UInt8]] = [Array(name.utf8)]
        argv.append(contentsOf: arguments.map { Array($0.utf8) })
        self.arguments = argv
        self.keyIndex = (keyIndex != nil && keyIndex! < argv.count) ? keyIndex : nil
    }

    public init(rawArguments: [[UInt8]], keyIndex: Int? = 1) {
        self.arguments = rawArguments
        self.keyIndex = (keyIndex != nil && keyIndex! < rawArguments.count) ? keyIndex : nil
    }

    /// The upper-cased command name, e.g. `HGETALL`.
    public var name: String {
        String(decoding: arguments.first ?? [], as: UTF8.self).uppercased()
    }

    /// The key this command addresses, if any.
    public var key: String? {
        keyIndex.map { String(decoding: arguments[$0], as: UTF8.self) }
    }

    /// Commands kiqprof may send in read-only mode: reads, connection set-up and SCAN-family iteration.
    /// Anything else is refused before it reaches the server unless the connection allows writes.
    public static let readOnlyCommandNames: Set<String> = [
        "AUTH", "SELECT", "PING", "INFO", "ECHO",
        "GET", "MGET", "STRLEN", "GETRANGE", "EXISTS", "TYPE", "TTL", "PTTL",
        "LLEN", "LINDEX", "LRANGE",
        "SCARD", "SMEMBERS", "SISMEMBER", "SSCAN",
        "ZCARD", "ZRANGE", "ZRANGEBYSCORE", "ZREVRANGE", "ZSCORE", "ZCOUNT", "ZSCAN",
        "HGET", "HMGET", "HGETALL", "HLEN", "HEXISTS", "HKEYS", "HSCAN",
        "SCAN", "BITFIELD_RO", "DBSIZE", "TIME",
    ]

    public var isReadOnly: Bool { Self.readOnlyCommandNames.contains(name) }

    /// How the command is named in errors: `HGETALL vm:1:abc:work`, never with values.
    public var errorLabel: String {
        if let key { return "\(name) \(key)" }
        return name
    }
}
