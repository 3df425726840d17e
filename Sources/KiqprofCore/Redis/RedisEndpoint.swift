import Foundation

/// Where and how to reach a Redis server, parsed from `redis://` or `unix://` URLs.
///
/// Accepted forms: `redis://[user[:password]@]host[:port][/db]` and `unix:///path/redis.sock[?db=N]`
/// (`unix://[user[:password]@]/path` also works). `rediss://` is refused: Debian 12's hiredis 0.14 has no TLS.
public struct RedisEndpoint: Sendable, Equatable, CustomStringConvertible {
    public enum Address: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    public var address: Address
    public var database: Int
    public var username: String?
    public var password: String?

    public init(address: Address, database: Int = 0, username: String? = nil, password: String? = nil) {
        self.address = address
        self.database = database
        self.username = username
        self.password = password
    }

    public static let defaultURL = "redis://127.0.0.1:6379/0"

    public init(url: String) throws {
        guard let schemeEnd = url.range(of: "://") else {
            throw RedisError.invalidURL("'\(Self.redact(url))' has no scheme; expected redis://host:port/db or unix:///path/redis.sock")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        var rest = String(url[schemeEnd.upperBound...])
        switch scheme {
        case "rediss":
            throw RedisError.invalidURL(
                "rediss:// (TLS) is not supported: Debian 12's hiredis 0.14 has no TLS (it needs hiredis >= 1.0). "
                    + "Run a local TLS tunnel (e.g. stunnel, or `ssh -L 6380:127.0.0.1:6379 host`) and use --redis"
                        + " redis://127.0.0.1:6380/0")
        case "redis", "unix":
            break
        default:
            throw RedisError.invalidURL("unknown scheme '\(scheme)://'; expected redis:// or unix://")
        }

        var query: [String: String] = [:]
        if let questionMark = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: questionMark)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                query[String(parts[0])] = parts.count > 1 ? Self.percentDecode(String(parts[1])) : ""
            }
            rest = String(rest[..<questionMark])
        }

        var user: String?
        var secret: String?
        // The userinfo ends at the last '@' before the path, so a password may contain a raw '@'.
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = String(rest[..<authorityEnd])
        let path = String(rest[authorityEnd...])
        if scheme == "unix", authority.isEmpty == false, authority.contains("@") == false {
            throw RedisError.invalidURL("unix URL must look like unix:///path/redis.sock?db=N")
        }
        if let at = authority.lastIndex(of: "@") {
            let userinfo = String(authority[..<at])
            authority = String(authority[authority.index(after: at)...])
            if let colon = userinfo.firstIndex(of: ":") {
                let name = Self.percentDecode(String(userinfo[..<colon]))
                user = name.isEmpty ? nil : name
                secret = Self.percentDecode(String(userinfo[userinfo.index(after: colon)...]))
            } else if !userinfo.isEmpty {
                // redis://secret@host is the historic password-only form.
                secret = Self.percentDecode(userinfo)
            }
        }
        if let name = query["username"] ?? query["user"] { user = name }
        if let pass = query["password"] { secret = pass }

        var db = 0
        if let text = query["db"] {
            guard let number = Int(text), number >= 0 else {
                throw RedisError.invalidURL("db=\(text) is not a database number")
            }
            db = number
        }

        if scheme == "unix" {
            guard path.hasPrefix("/"), path.count > 1 else {
                throw RedisError.invalidURL("unix URL has no socket path; expected unix:///path/redis.sock?db=N")
            }
            self.init(address: .unixSocket(path: path), database: db, username: user, password: secret)
            return
        }

        var host = authority
        var port = 6379
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else {
                throw RedisError.invalidURL("unterminated IPv6 address in '\(Self.redact(url))'")
            }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let number = Int(after.dropFirst()), (1...65535).contains(number) else {
                    throw RedisError.invalidURL("port '\(after.dropFirst())' is not a TCP port")
                }
                port = number
            }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            let portText = host[host.index(after: colon)...]
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw RedisError.invalidURL("port '\(portText)' is not a TCP port")
            }
            port = number
            host = String(host[..<colon])
        }
        if host.isEmpty { host = "127.0.0.1" }
        let dbPath = path.drop(while: { $0 == "/" })
        if !dbPath.isEmpty, query["db"] == nil {
            guard let number = Int(dbPath), number >= 0 else {
                throw RedisError.invalidURL("path '/\(dbPath)' is not a database number")
            }
            db = number
        }
        self.init(address: .tcp(host: host, port: port), database: db, username: user, password: secret)
    }

    /// The endpoint without its password, safe for logs and errors.
    public var description: String {
        let who = username.map { "\($0)@" } ?? (password != nil ? "***@" : "")
        switch address {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "redis://\(who)\(shownHost):\(port)/\(database)"
        case .unixSocket(let path):
            return "unix://\(who)\(path)?db=\(database)"
        }
    }

    /// Removes a password from a URL string before it is shown anywhere.
    public static func redact(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        let userinfo = rest[..<at]
        let user = userinfo.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        let shownUser = userinfo.contains(":") ? "\(user):***" : "***"
        return String(url[..<schemeEnd.upperBound]) + shownUser + String(rest[at...])
    }

    static func percentDecode(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
