#!/usr/bin/env python3
"""The floor contender: read every Sidekiq queue list and job set the way the census does, parse nothing.

Same access pattern as `kiqprof census` (LRANGE / ZRANGE pages of 1,000, 8 pages in flight on a sliding
window) but only RESP framing is decoded: each bulk string is skipped by its length and counted. It shows
what merely moving the bytes costs, so census time beyond it is JSON scanning and bookkeeping.

Usage: floor.py SOCKET_PATH   -> prints {"elements": N, "pages": P} on stdout.
Run as its own process so its wall time and peak RSS are its own; it shares only resp.encode.
"""
import json
import socket
import sys

from resp import encode

PAGE = 1000
IN_FLIGHT = 8
CHUNK = 1 << 20
BUF_SIZE = 2 << 20  # replies arrive in socket-buffer-sized pieces; bigger buys nothing


class Reader:
    """Counts the elements of array replies straight out of one reusable receive buffer."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray(BUF_SIZE)
        self.view = memoryview(self.buf)
        self.pos = 0  # next unparsed byte
        self.end = 0  # end of received data

    def _fill(self):
        buf, pos, end = self.buf, self.pos, self.end
        if len(buf) - end < CHUNK:
            # Move the unparsed tail (at most part of one element) to the front instead of growing.
            tail = end - pos
            if tail + CHUNK > len(buf):
                self.view.release()  # a bytearray cannot be resized while a view of it exists
                buf.extend(bytes(tail + CHUNK - len(buf)))
                self.view = memoryview(buf)
            buf[0:tail] = buf[pos:end]
            self.pos, self.end = 0, tail
        n = self.sock.recv_into(self.view[self.end:], len(self.buf) - self.end)
        if n == 0:
            raise ConnectionError("redis closed the connection")
        self.end += n

    def _line_end(self):
        while True:
            e = self.buf.find(b"\r\n", self.pos, self.end)
            if e >= 0:
                return e
            self._fill()

    def header(self):
        """Reads one reply header line; returns (type byte, the rest as int or bytes)."""
        e = self._line_end()
        kind = self.buf[self.pos]
        rest = bytes(self.buf[self.pos + 1:e])
        self.pos = e + 2
        if kind == 45:  # '-'
            raise RuntimeError(rest.decode(errors="replace"))
        return kind, rest

    def skip_bulks(self, n):
        """Skips n bulk strings (the elements of an array reply); the hot loop."""
        buf = self.buf
        pos, end = self.pos, self.end
        find = buf.find
        while n:
            e = find(b"\r\n", pos, end)
            if e >= 0:
                size = int(buf[pos + 1:e])
                nxt = e + 4 + size if size >= 0 else e + 2
                if nxt <= end:
                    pos = nxt
                    n -= 1
                    continue
            # Element straddles the received data: fetch more and retry it.
            self.pos = pos
            self._fill()
            buf, pos, end = self.buf, self.pos, self.end
            find = buf.find
        self.pos = pos

    def reply(self):
        """A small reply parsed in full (for the few setup commands)."""
        kind, rest = self.header()
        if kind in (43, 58):  # '+' ':'
            return int(rest) if kind == 58 else rest
        if kind == 36:  # '$'
            size = int(rest)
            if size < 0:
                return None
            while self.end - self.pos < size + 2:
                self._fill()
            value = bytes(self.buf[self.pos:self.pos + size])
            self.pos += size + 2
            return value
        if kind == 42:  # '*'
            return [self.reply() for _ in range(int(rest))]
        raise RuntimeError("unexpected reply type %r" % chr(kind))


def main():
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(sys.argv[1])
    r = Reader(sock)

    sock.sendall(encode("SMEMBERS", "queues"))
    queues = sorted(q.decode() for q in r.reply())
    sources = [("queue:" + q, "LRANGE", "LLEN") for q in queues]
    sources += [(k, "ZRANGE", "ZCARD") for k in ("retry", "schedule", "dead")]
    sock.sendall(b"".join(encode(size_cmd, key) for key, _, size_cmd in sources))
    sizes = [r.reply() for _ in sources]

    pages = [encode(range_cmd, key, start, start + PAGE - 1)
             for (key, range_cmd, _), size in zip(sources, sizes)
             for start in range(0, size, PAGE)]

    elements = 0
    sent = min(IN_FLIGHT, len(pages))
    sock.sendall(b"".join(pages[:sent]))
    for done in range(len(pages)):
        kind, rest = r.header()
        if kind != 42:
            raise RuntimeError("expected an array reply, got %r" % chr(kind))
        n = int(rest)
        r.skip_bulks(n)
        elements += n
        if sent < len(pages):  # keep the window full: one page out for each page in
            sock.sendall(pages[sent])
            sent += 1
    sock.close()
    json.dump({"elements": elements, "pages": len(pages)}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
