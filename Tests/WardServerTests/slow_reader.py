#!/usr/bin/env python3
"""A client that stops reading: the slow-reader tests' tool.

WardClient cannot shrink its socket's receive buffer, and Linux grows an unset one to tens of
megabytes on loopback, so a client that merely stops reading might never make the server wait.
This one sets a 16 KiB receive buffer before connecting, resumes the session whose token is in
WARD_TOKEN, sends COUNT `user.list` requests without reading, waits HOLD seconds, then reads.
It prints one JSON line: how many replies arrived and whether the server had closed the
connection (end of stream or reset before all replies; otherwise a ping must get its pong).

usage: slow_reader.py PORT CA_FILE COUNT HOLD_SECONDS
"""
import base64
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


def main():
    port, ca_file, count, hold = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    sock = connect(port, ca_file)
    send_text(sock, json.dumps({"id": 1, "type": "hello", "version": 1}))
    assert receive(sock)["type"] == "hello"
    send_text(sock, json.dumps({"id": 2, "type": "resume", "token": os.environ["WARD_TOKEN"]}))
    assert receive(sock)["type"] == "session"
    replies, closed, timed_out = 0, False, False
    try:
        for n in range(count):
            send_text(sock, json.dumps({"id": 100 + n, "type": "user.list"}))
        time.sleep(hold)
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
