import Testing
@testable import KiqprofCore

@Suite struct RedisEndpointTests {
    @Test func tcpWithUserPasswordAndDatabase() throws {
        let endpoint = try RedisEndpoint(url: "redis://kiq:s3cr%40t@redis.internal:6380/2")
        #expect(endpoint.address == .tcp(host: "redis.internal", port: 6380))
        #expect(endpoint.username == "kiq")
        #expect(endpoint.password == "s3cr@t")
        #expect(endpoint.database == 2)
        #expect(endpoint.description == "redis://kiq@redis.internal:6380/2")
        #expect(!endpoint.description.contains("s3cr"))
    }

    @Test func passwordOnlyAndDefaults() throws {
        let endpoint = try RedisEndpoint(url: "redis://:hunter2@localhost")
        #expect(endpoint.address == .tcp(host: "localhost", port: 6379))
        #expect(endpoint.username == nil)
        #expect(endpoint.password == "hunter2")
        #expect(endpoint.database == 0)
        #expect(endpoint.description == "redis://***@localhost:6379/0")
    }

    @Test func unixSocketWithDatabase() throws {
        let endpoint = try RedisEndpoint(url: "unix:///var/run/redis/redis.sock?db=3")
        #expect(endpoint.address == .unixSocket(path: "/var/run/redis/redis.sock"))
        #expect(endpoint.database == 3)
        let withUser = try RedisEndpoint(url: "unix://reader:pw@/tmp/r.sock?db=1")
        #expect(withUser.username == "reader")
        #expect(withUser.password == "pw")
        #expect(withUser.address == .unixSocket(path: "/tmp/r.sock"))
    }

    @Test func ipv6Host() throws {
        let endpoint = try RedisEndpoint(url: "redis://[::1]:7000/0")
        #expect(endpoint.address == .tcp(host: "::1", port: 7000))
        #expect(endpoint.description == "redis://[::1]:7000/0")
    }

    @Test func tlsIsRefusedWithATunnelHint() {
        #expect(throws: RedisError.self) { try RedisEndpoint(url: "rediss://user:topsecret@host:6380/0") }
        do {
            _ = try RedisEndpoint(url: "rediss://user:topsecret@host:6380/0")
        } catch {
            let message = String(describing: error)
            #expect(message.contains("rediss://"))
            #expect(message.contains("tunnel"))
            #expect(!message.contains("topsecret"))
            #expect(!message.contains("\n"))
        }
    }

    @Test func badPortAndSchemeAreNamed() {
        #expect(throws: RedisError.invalidURL("the port in 'redis://host:http/0' is not a TCP port")) {
            try RedisEndpoint(url: "redis://host:http/0")
        }
        // A password holding '/', '?' or '#' unencoded is still the password, never shown as the port.
        let endpoint = try? RedisEndpoint(url: "redis://:pa/ss?w#rd@127.0.0.1:6380/2")
        #expect(endpoint?.password == "pa/ss?w#rd" && endpoint?.description == "redis://***@127.0.0.1:6380/2")
        #expect(RedisEndpoint.redact(":pw@host:6379") == ":***@host:6379")
        #expect(RedisEndpoint.redact("redis://[::1]:6379/0?db=1&password=pw") == "redis://[::1]:6379/0?db=1&password=***")
        #expect(throws: RedisError.invalidURL("unknown scheme 'http://'; expected redis:// or unix://")) {
            try RedisEndpoint(url: "http://host")
        }
    }

    @Test func redactHidesPasswords() {
        #expect(RedisEndpoint.redact("redis://u:p4ss@h:1/0") == "redis://u:***@h:1/0")
        #expect(RedisEndpoint.redact("redis://h:1/0") == "redis://h:1/0")
    }

    @Test func commandErrorsNameCommandAndKeyButNotValues() {
        let command = RedisCommand("HSET", "sidekiq-scheduler:states", "trends", "{\"enabled\":false}")
        #expect(command.errorLabel == "HSET sidekiq-scheduler:states")
        #expect(!command.isReadOnly)
        #expect(RedisCommand("LRANGE", "queue:default", "0", "999").isReadOnly)
        #expect(RedisError.writeRefused(command: command.errorLabel).description
            == "refused to send HSET sidekiq-scheduler:states: kiqprof is read-only here (pass --apply where a command offers it)")
    }
}
