"""A minimal RESP2 client over a UNIX socket, for the benchmark's control connection and seeding.

Standard library only (no redis-py on the bench machine). Not used by the floor contender, which has its
own tuned reader so that its cost is not shaped by this helper.
"""
import socket


class RedisError(Exception):
    pass


def encode(*args):
    """One command as a RESP array of bulk strings."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


class Redis:
    def __init__(self, path, timeout=None):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.rfile = self.sock.makefile("rb", buffering=1 << 16)

    def close(self):
        self.rfile.close()
        self.sock.close()

    def call(self, *args):
        self.sock.sendall(encode(*args))
        return self.read_reply()

    def send_raw(self, data):
        self.sock.sendall(data)

    def read_reply(self):
        line = self.rfile.readline()
        if not line.endswith(b"\r\n"):
            raise RedisError("connection closed")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RedisError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.rfile.read(n + 2)
            return data[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read_reply() for _ in range(n)]
        raise RedisError("unexpected reply type %r" % line[:40])
