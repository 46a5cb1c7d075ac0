"""Loopback SMTP targets for the benchmark, run as a process of their own (python3 targets.py DIR SILENT).

Serves on 127.0.0.1 only:
  greeting   220 greeting, EHLO without STARTTLS, QUIT (asyncio)
  starttls   220 greeting, EHLO offering STARTTLS, TLS with the RSA test certificate, EHLO, QUIT (asyncio)
  starttls_ec  the same with an ECDSA P-256 certificate
  d50/d500/d1500  like greeting, but the 220 is sent exactly 50/500/1500 ms after accept (one thread per
             connection, sleep then spin on the monotonic clock, so the delay is exact to a few microseconds)
  silent     SILENT listeners whose accept queue is full: Linux drops a SYN that meets a full accept
             queue without answering, which is what Azure's port-25 block looks like (a connect timeout)
Writes the ports as JSON to DIR/ports.json, then serves until killed.
"""
import asyncio
import json
import os
import resource
import socket
import ssl
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HOST = "127.0.0.1"
EHLO_PLAIN = b"250-bench.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
EHLO_STARTTLS = b"250-bench.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n"


async def session(reader, writer, tls_context):
    writer.write(b"220 bench.test ESMTP ready\r\n")
    secured = False
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(EHLO_STARTTLS if tls_context and not secured else EHLO_PLAIN)
            elif verb == b"HELO":
                writer.write(b"250 bench.test\r\n")
            elif verb == b"STAR" and tls_context and not secured:
                writer.write(b"220 2.0.0 ready to start TLS\r\n")
                await writer.drain()
                await writer.start_tls(tls_context)
                secured = True
            elif verb == b"QUIT":
                writer.write(b"221 2.0.0 bye\r\n")
                await writer.drain()
                break
            elif verb in (b"NOOP", b"RSET"):
                writer.write(b"250 ok\r\n")
            else:
                writer.write(b"502 5.5.2 not implemented\r\n")
            await writer.drain()
    except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, OSError):
        pass
    finally:
        writer.close()


def delayed_server(delay):
    """A threaded greeting server whose 220 leaves exactly `delay` seconds after accept() returns."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((HOST, 0))
    listener.listen(1024)

    def handle(conn, accepted):
        with conn:
            until = accepted + delay
            left = until - time.monotonic()
            if left > 0.002:
                time.sleep(left - 0.002)
            while time.monotonic() < until:
                pass
            conn.sendall(b"220 bench.test ESMTP ready\r\n")
            conn.settimeout(10)
            buffer = b""
            try:
                while True:
                    data = conn.recv(4096)
                    if not data:
                        return
                    buffer += data
                    while b"\n" in buffer:
                        line, buffer = buffer.split(b"\n", 1)
                        verb = line[:4].upper()
                        if verb == b"EHLO":
                            conn.sendall(EHLO_PLAIN)
                        elif verb == b"QUIT":
                            conn.sendall(b"221 2.0.0 bye\r\n")
                            return
                        else:
                            conn.sendall(b"250 ok\r\n")
            except OSError:
                return

    def loop():
        while True:
            conn, _ = listener.accept()
            accepted = time.monotonic()
            threading.Thread(target=handle, args=(conn, accepted), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return listener.getsockname()[1]


def silent_listener():
    """A listener with a full accept queue (backlog 1, filled), as in BacklogFullListener.java."""
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen(1)
    fillers = []
    for _ in range(64):
        s = socket.socket()
        s.settimeout(0.2)
        try:
            s.connect(listener.getsockname())
            fillers.append(s)
        except socket.timeout:
            s.close()
            return listener, fillers
    raise RuntimeError("the accept queue of %s never filled" % (listener.getsockname(),))


async def main(directory, silent_count):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    # RSA 2048 like the relays this agent watches (Microsoft 365, Azure Communication Services), and an
    # ECDSA P-256 one: the two cost a TLS client very differently.
    rsa = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    rsa.load_cert_chain(os.path.join(directory, "rsa-server.pem"), os.path.join(directory, "rsa-server.key"))
    ec = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ec.load_cert_chain(os.path.join(directory, "ec-server.pem"), os.path.join(directory, "ec-server.key"))
    greeting = await asyncio.start_server(lambda r, w: session(r, w, None), HOST, 0, backlog=4096)
    starttls = await asyncio.start_server(lambda r, w: session(r, w, rsa), HOST, 0, backlog=4096)
    starttls_ec = await asyncio.start_server(lambda r, w: session(r, w, ec), HOST, 0, backlog=4096)
    ports = {
        "greeting": greeting.sockets[0].getsockname()[1],
        "starttls": starttls.sockets[0].getsockname()[1],
        "starttls_ec": starttls_ec.sockets[0].getsockname()[1],
        "d50": delayed_server(0.050),
        "d500": delayed_server(0.500),
        "d1500": delayed_server(1.500),
    }
    with ThreadPoolExecutor(64) as pool:
        silent = list(pool.map(lambda _: silent_listener(), range(silent_count)))
    ports["silent"] = [listener.getsockname()[1] for listener, _ in silent]
    tmp = os.path.join(directory, "ports.json.tmp")
    with open(tmp, "w") as out:
        json.dump(ports, out)
    os.rename(tmp, os.path.join(directory, "ports.json"))
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
