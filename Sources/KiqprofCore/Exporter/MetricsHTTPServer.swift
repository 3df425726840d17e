#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A tiny blocking HTTP/1.0 responder for `GET /metrics` on one thread: a scrape every 15 s needs no event
/// loop, and this keeps NIO out of a CLI. Each connection gets 2 s to send its request line and is closed
/// after the answer, so a stuck client cannot hold the listener for longer.
public final class MetricsHTTPServer: Sendable {
    private let socketDescriptor: Int32
    private let body: @Sendable () -> String
    public let address: ListenAddress

    /// Binds and listens at once, so a taken port fails `record` before it starts recording.
    public init(address: ListenAddress, body: @escaping @Sendable () -> String) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Self.failure("socket", address) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(UInt16(address.port).bigEndian)
        inet_pton(AF_INET, address.host, &socketAddress.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 16) == 0 else {
            let error = Self.failure("bind", address)
            close(fd)
            throw error
        }
        var resolved = address
        resolved.port = Int(UInt16(bigEndian: socketAddress.sin_port))
        self.address = resolved
        self.socketDescriptor = fd
        self.body = body
    }

    private static func failure(_ call: String, _ address: ListenAddress) -> KiqprofError {
        .invalidArgument("--listen \(address): cannot \(call): \(String(cString: strerror(errno)))")
    }

    /// Serves on a thread of its own until `stop()`.
    public func start() {
        Thread.detachNewThread { [self] in serve() }
    }

    /// Wakes the blocked accept and closes the socket.
    public func stop() {
        shutdown(socketDescriptor, Int32(SHUT_RDWR))
        close(socketDescriptor)
    }

    private func serve() {
        while true {
            let client = accept(socketDescriptor, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            answer(client)
            close(client)
        }
    }

    private func answer(_ client: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        // The request line and headers; the body of a GET is empty, and 8 KiB is plenty for a scraper.
        while request.count < 8192, !Self.headersEnd(request) {
            let count = recv(client, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            request += buffer[0..<count]
        }
        let line = String(decoding: request.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let parts = line.split(separator: " ")
        let status: String, type: String, text: String
        if parts.count >= 2, parts[0] == "GET", parts[1] == "/metrics" || parts[1].hasPrefix("/metrics?") {
            (status, type, text) = ("200 OK", "text/plain; version=0.0.4; charset=utf-8", body())
        } else if parts.count >= 2, parts[0] != "GET" {
            (status, type, text) = ("405 Method Not Allowed", "text/plain", "only GET /metrics\n")
        } else {
            (status, type, text) = ("404 Not Found", "text/plain", "kiqprof serves GET /metrics\n")
        }
        let payload = Array(text.utf8)
        let head = "HTTP/1.0 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(payload.count)\r\nConnection: close\r\n\r\n"
        _ = Self.sendAll(client, Array(head.utf8)) && Self.sendAll(client, payload)
    }

    private static func headersEnd(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4 else { return false }
        return bytes.suffix(4).elementsEqual([13, 10, 13, 10]) || bytes.suffix(2).elementsEqual([10, 10])
    }

    private static func sendAll(_ client: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }
}
