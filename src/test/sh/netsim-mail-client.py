#!/usr/bin/env python3
"""The simulated network's independent mail client: tells what a test server really does.

azure-network-test.sh uses it to check its Postfix and Dovecot servers (the harness) before it
judges smtp-probe against them, so a wrong server set-up fails as such and not as a probe bug.
Standard library only (Debian package python3).

  netsim-mail-client.py smtp HOST PORT [--tls starttls|implicit|none] [--ca FILE --name NAME]
                        [--user USER --password-file FILE] [--mail-from ADDR --rcpt-to ADDR]
      Talks SMTP as far as it is asked to and prints one line: the step the conversation ended at
      and the server's last reply, e.g. "greeting 421 4.7.0 ...", "auth 235 2.7.0 ...",
      "rcpt 554 5.7.1 ...", "ehlo-after-tls closed", "connect refused", "connect timeout",
      "done 221 ..." when every asked step was accepted. Without --ca the certificate is not
      checked (the server's behaviour is the point); with --ca it is, for NAME, and a failure
      prints "tls verify-failed REASON".
  netsim-mail-client.py greet HOST PORT [--pregreet]
      Reads the greeting line by line until its last ("220 ", not "220-") and prints them joined by
      " | ", then "after S s" (the seconds from connect to the last line). With --pregreet it sends
      EHLO as soon as the first line is in, before its turn, as the spam bots postscreen screens for do.
  netsim-mail-client.py txt NAME SERVER
      Asks SERVER (UDP/53) for the TXT records of NAME; prints each string on its own line, or
      "rcode N" when the answer is an error.
  netsim-mail-client.py mx NAME SERVER
      Likewise for the MX records: "PREFERENCE EXCHANGE" per line, the root as "." (a null MX).
  netsim-mail-client.py imap HOST PORT --ca FILE --user USER --password-file FILE [--subject S]
      Logs in over IMAPS (implicit TLS, the certificate checked against FILE for HOST) and prints
      "messages N": how many messages in INBOX have a Subject with S (by default "smtp-probe
      delivery", the delivery probe's); "login NO ..." when the login is refused, "tls verify-failed REASON" when
      the certificate does not verify, "connect refused|timeout".
  With --subject S, `smtp` also sends a message (DATA) with that Subject after RCPT TO and prints
  "done 250 ..." with the server's answer to the message's end ("data CODE ..." when refused).
The password is read from the file and never printed.
"""
import argparse
import base64
import imaplib
import random
import smtplib
import socket
import ssl
import struct
import sys
import time

TIMEOUT = 5


def tls_context(ca, name):
    if ca is None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context, None
    context = ssl.create_default_context(cafile=ca)
    return context, name


def reply(code, text):
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"


def smtp(args):
    context, server_name = tls_context(args.ca, args.name)
    step = "connect"
    try:
        if args.tls == "implicit":
            client = smtplib.SMTP_SSL(timeout=TIMEOUT, context=context)
            client._host = server_name or args.host
        else:
            client = smtplib.SMTP(timeout=TIMEOUT)
            client._host = server_name or args.host
        step = "greeting"
        code, text = client.connect(args.host, args.port)
        if code != 220:
            return f"greeting {reply(code, text)}"
        step = "ehlo"
        code, text = client.ehlo("vm.example.test")
        if code != 250:
            return f"ehlo {reply(code, text)}"
        if args.tls == "starttls":
            step = "starttls"
            if not client.has_extn("starttls"):
                return "starttls not-offered"
            code, text = client.docmd("STARTTLS")
            if code != 220:
                return f"starttls {reply(code, text)}"
            step = "tls"
            client.sock = context.wrap_socket(client.sock, server_hostname=server_name or args.host)
            client.file = None
            client.helo_resp = client.ehlo_resp = None
            client.esmtp_features = {}
            client.does_esmtp = False
            step = "ehlo-after-tls"
            code, text = client.ehlo("vm.example.test")
            if code != 250:
                return f"ehlo-after-tls {reply(code, text)}"
        if args.user:
            step = "auth"
            with open(args.password_file, encoding="utf-8") as f:
                password = f.read().strip()
            if "plain" not in client.esmtp_features.get("auth", "").lower().split():
                return "auth not-offered"
            # One AUTH PLAIN (RFC 4616), as smtp-probe sends it; smtplib's login() would try
            # another mechanism after a failure and report only the last.
            token = base64.b64encode(f"\0{args.user}\0{password}".encode("utf-8")).decode("ascii")
            code, text = client.docmd("AUTH", "PLAIN " + token)
            if code != 235:
                return f"auth {reply(code, text)}"
        if args.mail_from:
            step = "mail"
            code, text = client.docmd("MAIL FROM:", f"<{args.mail_from}>")
            if code != 250:
                return f"mail {reply(code, text)}"
        if args.rcpt_to:
            step = "rcpt"
            code, text = client.docmd("RCPT TO:", f"<{args.rcpt_to}>")
            if code != 250:
                return f"rcpt {reply(code, text)}"
        if args.subject:
            step = "data"
            message = (f"From: <{args.mail_from}>\r\nTo: <{args.rcpt_to}>\r\nSubject: {args.subject}\r\n"
                       "\r\nsent by netsim-mail-client.py\r\n")
            code, text = client.data(message)
            if code != 250:
                return f"data {reply(code, text)}"
            data_reply = reply(code, text)
        step = "quit"
        code, text = client.docmd("QUIT")
        if args.subject:
            client.close()
            return f"done {data_reply}"
        client.close()
        return f"done {reply(code, text)}"
    except ConnectionRefusedError:
        return f"{step} refused"
    except (socket.timeout, TimeoutError):
        return f"{step} timeout"
    except ssl.SSLCertVerificationError as e:
        return f"tls verify-failed {e.verify_message}"
    except smtplib.SMTPConnectError as e:
        return f"greeting {reply(e.smtp_code, e.smtp_error)}"
    except (smtplib.SMTPServerDisconnected, ConnectionResetError, BrokenPipeError, ssl.SSLEOFError):
        return f"{step} closed"
    except OSError as e:
        return f"{step} error {e.strerror or e}"


def imap(args):
    context = ssl.create_default_context(cafile=args.ca)
    with open(args.password_file, encoding="utf-8") as f:
        password = f.read().strip()
    step = "connect"
    try:
        client = imaplib.IMAP4_SSL(args.host, args.port, ssl_context=context, timeout=TIMEOUT)
        step = "login"
        try:
            client.login(args.user, password)
        except imaplib.IMAP4.error as e:
            return f"login NO {' '.join(str(e).split())}"
        step = "select"
        status, data = client.select("INBOX")
        if status != "OK":
            return f"select {status} {data}"
        step = "search"
        status, data = client.search(None, "SUBJECT", f'"{args.subject}"')
        client.logout()
        return f"messages {len(data[0].split())}"
    except ConnectionRefusedError:
        return f"{step} refused"
    except (socket.timeout, TimeoutError):
        return f"{step} timeout"
    except ssl.SSLCertVerificationError as e:
        return f"tls verify-failed {e.verify_message}"
    except OSError as e:
        return f"{step} error {e.strerror or e}"


def greet(host, port, pregreet):
    started = time.monotonic()
    lines = []
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT) as s, s.makefile("rb") as f:
            while True:
                line = f.readline()
                if not line:
                    return "greeting closed after " + " | ".join(lines) if lines else "greeting closed"
                lines.append(line.decode("utf-8", "replace").rstrip("\r\n"))
                if pregreet and len(lines) == 1:
                    s.sendall(b"EHLO vm.example.test\r\n")
                if len(lines[-1]) < 4 or lines[-1][3] != "-":
                    break
            seconds = time.monotonic() - started
            s.sendall(b"QUIT\r\n")
            f.readline()
    except ConnectionRefusedError:
        return "connect refused"
    except (socket.timeout, TimeoutError):
        return "greeting timeout after " + " | ".join(lines)
    except OSError as e:
        return f"greeting error {e.strerror or e}"
    return f"{' | '.join(lines)} after {seconds:.1f} s"


def query(name, rtype, server):
    """The answer records of type RTYPE for NAME from SERVER: (packet, offsets of their rdata), or an error line."""
    query_id = random.randrange(65536)
    question = b"".join(bytes([len(label)]) + label.encode("ascii") for label in name.rstrip(".").split("."))
    packet = struct.pack(">HHHHHH", query_id, 0x0100, 1, 0, 0, 0) + question + b"\0" + struct.pack(">HH", rtype, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(TIMEOUT)
        try:
            s.sendto(packet, (server, 53))
            data, _ = s.recvfrom(4096)
        except (socket.timeout, TimeoutError):
            return None, "error timeout"
        except OSError as e:
            return None, f"error {e.strerror or e}"
    answer_id, flags, qdcount, ancount = struct.unpack(">HHHH", data[:8])
    if answer_id != query_id:
        return None, "answer for another query"
    if flags & 0xF:
        return None, f"rcode {flags & 0xF}"
    offset = 12
    for _ in range(qdcount):
        offset = skip_name(data, offset) + 4
    records = []
    for _ in range(ancount):
        offset = skip_name(data, offset)
        answer_type, _, _, length = struct.unpack(">HHIH", data[offset:offset + 10])
        offset += 10
        if answer_type == rtype:
            records.append((offset, length))
        offset += length
    return data, records


def txt(name, server):
    data, records = query(name, 16, server)
    if data is None:
        return [records]
    lines = []
    for offset, length in records:
        rdata, i, strings = data[offset:offset + length], 0, []
        while i < len(rdata):
            strings.append(rdata[i + 1:i + 1 + rdata[i]].decode("utf-8", "replace"))
            i += 1 + rdata[i]
        lines.append("".join(strings))
    return lines


def mx(name, server):
    data, records = query(name, 15, server)
    if data is None:
        return [records]
    return [f"{struct.unpack('>H', data[offset:offset + 2])[0]} {read_name(data, offset + 2)}" for offset, _ in records]


def read_name(data, offset):
    labels = []
    while True:
        length = data[offset]
        if length == 0:
            return ".".join(labels) + "." if labels else "."
        if length & 0xC0 == 0xC0:
            offset = struct.unpack(">H", data[offset:offset + 2])[0] & 0x3FFF
            continue
        labels.append(data[offset + 1:offset + 1 + length].decode("ascii", "replace"))
        offset += 1 + length


def skip_name(data, offset):
    while True:
        length = data[offset]
        if length == 0:
            return offset + 1
        if length & 0xC0 == 0xC0:
            return offset + 2
        offset += 1 + length


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("smtp")
    s.add_argument("host")
    s.add_argument("port", type=int)
    s.add_argument("--tls", choices=["starttls", "implicit", "none"], default="none")
    s.add_argument("--ca")
    s.add_argument("--name")
    s.add_argument("--user")
    s.add_argument("--password-file")
    s.add_argument("--mail-from")
    s.add_argument("--rcpt-to")
    s.add_argument("--subject")
    i = sub.add_parser("imap")
    i.add_argument("host")
    i.add_argument("port", type=int)
    i.add_argument("--ca", required=True)
    i.add_argument("--user", required=True)
    i.add_argument("--password-file", required=True)
    i.add_argument("--subject", default="smtp-probe delivery")
    g = sub.add_parser("greet")
    g.add_argument("host")
    g.add_argument("port", type=int)
    g.add_argument("--pregreet", action="store_true")
    for command in ("txt", "mx"):
        t = sub.add_parser(command)
        t.add_argument("name")
        t.add_argument("server")
    args = parser.parse_args()
    if args.command == "smtp":
        if args.user and not args.password_file:
            parser.error("--user needs --password-file")
        if args.subject and not (args.mail_from and args.rcpt_to):
            parser.error("--subject needs --mail-from and --rcpt-to")
        print(smtp(args))
    elif args.command == "imap":
        print(imap(args))
    elif args.command == "greet":
        print(greet(args.host, args.port, args.pregreet))
    else:
        for line in (txt if args.command == "txt" else mx)(args.name, args.server):
            print(line)


if __name__ == "__main__":
    sys.exit(main())
