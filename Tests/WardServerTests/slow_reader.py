#!/usr/bin/env python3
"""A client that stops reading: the slow-reader tests' tool.

WardClient cannot shrink its socket's receive buffer, and Linux grows an unset one to tens of
megabytes on loopback, so a client that merely stops reading might never make the server wait.
This one sets a 16 KiB receive buffer before connecting, resumes the session whose token is in
WARD_TOKEN (and reads /metrics with the bearer token in WARD_METRICS_TOKEN), sends COUNT `user.list` requests without reading, and waits until the server's
/metrics show what the test waits for (WAIT_FOR: `overflow` — the server closed a connection whose
outbox overflowed; `timeout` — it closed one that left a message unread past the write limit;
`all` — it handled all COUNT requests), at most 60 seconds. Only then does it read, so the outcome
does not depend on how fast the machine is. It prints one JSON line: how many replies arrived and
whether the server had closed the connection (end of stream or reset before all replies;
otherwise a ping must get its pong).

usage: slow_reader.py PORT CA_FILE COUNT WAIT_FOR
"""
import base64
import http.client
import json
import os
import socket
import ssl
import struct
import sys
import time


class Closed(Exception):
    pass


def connect(port, ca_file):
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
    raw.settimeout(20)
    raw.connect(("127.0.0.1", port))
    context = ssl.create_default_context(cafile=ca_file)
    sock = context.wrap_socket(raw, server_hostname="localhost")
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(("GET /v1/ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            raise Closed()
        head += chunk
    if not head.startswith(b"HTTP/1.1 101"):
        sys.exit("upgrade refused: " + head.split(b"\r\n")[0].decode(errors="replace"))
    return sock


def send_text(sock, text):
    payload = text.encode()
    mask = os.urandom(4)
    header = bytes([0x81])
    if len(payload) < 126:
        header += bytes([0x80 | len(payload)])
    elif len(payload) < 65536:
        header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
    else:
        header += bytes([0x80 | 127]) + struct.pack("!Q", len(payload))
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    sock.sendall(header + mask + masked)


def read_exactly(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise Closed()
        data += chunk
    return data


def receive(sock):
    """The next text message's JSON; Closed on a close frame or end of stream."""
    while True:
        first, second = read_exactly(sock, 2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", read_exactly(sock, 2))[0]
        elif length == 127:
            length = struct.unpack("!Q", read_exactly(sock, 8))[0]
        payload = read_exactly(sock, length)
        opcode = first & 0x0F
        if opcode == 0x8:
            raise Closed()
        if opcode == 0x1:
            return json.loads(payload)


def metric(port, ca_file, type_, outcome):
    """The server's count of requests of TYPE_ that ended as OUTCOME, from /metrics."""
    context = ssl.create_default_context(cafile=ca_file)
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    connection.request("GET", "/metrics", headers={"Host": "localhost", "Authorization": "Bearer " + os.environ["WARD_METRICS_TOKEN"]})
    text = connection.getresponse().read().decode()
    connection.close()
    name = 'ward_requests_total{type="%s",outcome="%s"} ' % (type_, outcome)
    for line in text.splitlines():
        if line.startswith(name):
            return int(line[len(name):])
    return 0


def wait_for(port, ca_file, what, count):
    condition = {
        "overflow": lambda: metric(port, ca_file, "any", "outbox_overflow_closed") >= 1,
        "timeout": lambda: metric(port, ca_file, "any", "slow_reader_closed") >= 1,
        "all": lambda: metric(port, ca_file, "user.list", "user.list") >= count,
    }[what]
    deadline = time.time() + 60
    while time.time() < deadline and not condition():
        time.sleep(0.1)


def main():
    port, ca_file, count, what = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    sock = connect(port, ca_file)
    send_text(sock, json.dumps({"id": 1, "type": "hello", "version": 1}))
    assert receive(sock)["type"] == "hello"
    send_text(sock, json.dumps({"id": 2, "type": "resume", "token": os.environ["WARD_TOKEN"]}))
    assert receive(sock)["type"] == "session"
    replies, closed, timed_out = 0, False, False
    try:
        for n in range(count):
            send_text(sock, json.dumps({"id": 100 + n, "type": "user.list"}))
        wait_for(port, ca_file, what, count)
        while replies < count:
            if receive(sock)["type"] == "user.list":
                replies += 1
        send_text(sock, json.dumps({"id": 3, "type": "ping"}))
        while receive(sock)["type"] != "pong":
            pass
    except socket.timeout:
        timed_out = True
    except (Closed, ConnectionError, ssl.SSLError):
        closed = True
    print(json.dumps({"replies": replies, "closed": closed, "timedOut": timed_out}))


if __name__ == "__main__":
    main()
