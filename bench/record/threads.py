#!/usr/bin/env python3
"""A stand-in for one local Sidekiq 7 process's job threads: python3 threads.py N

Starts N threads, each naming itself `sidekiq.default` with prctl(PR_SET_NAME) (what the kernel keeps of
Sidekiq 7's `sidekiq.default/processor`), prints "ready" once all are named, then follows commands on stdin,
one a line: "INDEX sleep" (the thread's job blocks: never scheduled) or "INDEX light" (the job uses about
10 ms of CPU each second). Exits when stdin closes.
"""
import ctypes
import sys
import threading
import time

PR_SET_NAME = 15
BURN = 0.010  # CPU seconds per second in a light job: above ThreadActivity.lightRate (0.005), well below heavy


class JobThread(threading.Thread):
    def __init__(self, named):
        super().__init__(daemon=True)
        self.mode = "sleep"
        self.wake = threading.Event()
        self.named = named

    def run(self):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_NAME, ctypes.c_char_p(b"sidekiq.default"), 0, 0, 0)
        self.named.release()
        while True:
            if self.mode == "light":
                start = time.thread_time()
                while time.thread_time() - start < BURN:
                    pass
                self.wake.wait(1.0 - BURN)
            else:
                self.wake.wait()
            self.wake.clear()


def main():
    count = int(sys.argv[1])
    named = threading.Semaphore(0)
    threads = [JobThread(named) for _ in range(count)]
    for t in threads:
        t.start()
    for _ in threads:
        named.acquire()
    print("ready", flush=True)
    for line in sys.stdin:
        index, mode = line.split()
        thread = threads[int(index)]
        thread.mode = mode
        thread.wake.set()


if __name__ == "__main__":
    main()
