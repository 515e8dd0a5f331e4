#!/usr/bin/env python3
"""Attackers of the exporter's HTTP server, for the integration tests and the soak.

  hostile-clients.py pipeline REQUEST [--connections N] [--depth N] [--source ADDR] [--seconds S]
      N kept-alive clients from ADDR, each sending DEPTH requests at once and reading the
      answers, again and again
  hostile-clients.py abandon REQUEST [--seconds S]
      connect, send the request, reset the connection (RST), in a loop
  hostile-clients.py rewrite PATH [--seconds S]
      rewrite PATH in place (truncate, then write it in two halves), in a loop

REQUEST is one of the kinds below. Run it inside a test namespace only.
"""
import argparse, asyncio, base64, re, socket, struct, time


def request(kind, n):
    head = b"Host: x\r\n"
    if kind == "connections":
        return b"GET /connections?limit=1 HTTP/1.1\r\n" + head + b"\r\n"
    if kind == "connections-10000":
        return b"GET /connections?limit=10000 HTTP/1.1\r\n" + head + b"\r\n"
    if kind == "hosts":
        return b"GET /hosts HTTP/1.1\r\n" + head + b"\r\n"
    if kind == "metrics-gzip":
        return b"GET /metrics HTTP/1.1\r\n" + head + b"Accept-Encoding: gzip\r\n\r\n"
    if kind == "wrong-password":
        credentials = base64.b64encode(b"prometheus:wrong-%d" % n)
        return b"GET /metrics HTTP/1.1\r\n" + head + b"Authorization: Basic " + credentials + b"\r\n\r\n"
    if kind == "wrong-password-7k":
        credentials = base64.b64encode(b"prometheus:wrong")
        return b"GET /metrics HTTP/1.1\r\n" + head + b"X-Pad: " + b"p" * 7000 + b"\r\nAuthorization: Basic " + credentials + b"\r\n\r\n"
    raise SystemExit("unknown request kind " + kind)


async def pipeline(args):
    end = time.time() + args.seconds
    count = 0

    async def hog():
        nonlocal count
        while time.time() < end:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", args.port, local_addr=(args.source, 0))
                while time.time() < end:
                    batch = b""
                    for _ in range(args.depth):
                        count += 1
                        batch += request(args.request, count)
                    writer.write(batch)
                    await writer.drain()
                    for _ in range(args.depth):
                        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
                        length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
                        await reader.readexactly(length)
            except Exception:
                await asyncio.sleep(0.05)

    await asyncio.gather(*(hog() for _ in range(args.connections)))


def abandon(args):
    end = time.time() + args.seconds
    n = 0
    while time.time() < end:
        n += 1
        try:
            s = socket.create_connection(("127.0.0.1", args.port), timeout=2)
            s.sendall(request(args.request, n))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        except OSError:
            time.sleep(0.01)


def rewrite(args):
    text = open(args.request).read()
    end = time.time() + args.seconds
    while time.time() < end:
        with open(args.request, "w") as f:
            f.write(text[: len(text) // 2])
            f.flush()
            f.write(text[len(text) // 2 :])


parser = argparse.ArgumentParser()
parser.add_argument("mode", choices=["pipeline", "abandon", "rewrite"])
parser.add_argument("request")
parser.add_argument("--connections", type=int, default=520)
parser.add_argument("--depth", type=int, default=8)
parser.add_argument("--source", default="127.0.0.2")
parser.add_argument("--port", type=int, default=9318)
parser.add_argument("--seconds", type=float, default=10)
args = parser.parse_args()
if args.mode == "pipeline":
    asyncio.run(pipeline(args))
elif args.mode == "abandon":
    abandon(args)
else:
    rewrite(args)
