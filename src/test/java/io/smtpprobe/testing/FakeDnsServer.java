package io.smtpprobe.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A real DNS server on 127.0.0.1, UDP and TCP on the same random port, answering from a zone the
 * test writes. For resolver tests, and for daemon and network tests that need MX targets to resolve
 * without the internet.
 *
 * <pre>{@code
 * try (FakeDnsServer dns = FakeDnsServer.start()) {
 *     dns.mx("example.test", 10, "mx1.example.test").a("mx1.example.test", "127.0.0.1");
 *     DnsConfig config = new DnsConfig(List.of(dns.hostPort()), IpFamily.IPV4);
 *     ...
 * }
 * }</pre>
 *
 * <p>Answers: the records of the asked type at the name (following CNAMEs in the zone); NOERROR with
 * an empty answer when the name exists but has none of that type; NXDOMAIN when neither the name
 * nor anything below it is in the zone. Names set with {@link #servfail} get SERVFAIL, names set
 * with {@link #unanswered} get no reply at all (the client times out). Names are case-insensitive
 * and may be written with or without the trailing dot. The zone may be changed while running. TTLs
 * are 60 seconds; every query is logged in {@link #queries()}.
 */
public final class FakeDnsServer implements AutoCloseable {
    private static final long TTL = 60;

    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-dns");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Map<Name, List<Record>> zone = new ConcurrentHashMap<>();
    private final Set<Name> servfail = ConcurrentHashMap.newKeySet();
    private final Set<Name> unanswered = ConcurrentHashMap.newKeySet();
    private final Set<Name> tcpOnly = ConcurrentHashMap.newKeySet();
    private final List<String> queries = new CopyOnWriteArrayList<>();

    private FakeDnsServer(DatagramSocket udp, ServerSocket tcp) {
        this.udp = udp;
        this.tcp = tcp;
        threads.execute(this::serveUdp);
        threads.execute(this::serveTcp);
    }

    /** Binds UDP and TCP on one free port of 127.0.0.1 and starts answering. */
    public static FakeDnsServer start() throws IOException {
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
            ServerSocket tcp = new ServerSocket();
            try {
                tcp.bind(new InetSocketAddress(loopback, udp.getLocalPort()));
                return new FakeDnsServer(udp, tcp);
            } catch (BindException e) {
                // the TCP side of this UDP port is taken: try another port
                last = e;
                udp.close();
                tcp.close();
            }
        }
        throw last;
    }

    /** {@code 127.0.0.1:PORT}, the form a {@code dns.servers} entry takes. */
    public String hostPort() {
        return "127.0.0.1:" + udp.getLocalPort();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(udp.getLocalAddress(), udp.getLocalPort());
    }

    /** Adds an MX record: {@code domain} is served by {@code exchange} at {@code preference}. */
    public FakeDnsServer mx(String domain, int preference, String exchange) {
        return add(new MXRecord(name(domain), DClass.IN, TTL, preference, name(exchange)));
    }

    /** Publishes a null MX, {@code 0 .} (RFC 7505): the domain accepts no mail. */
    public FakeDnsServer nullMx(String domain) {
        return add(new MXRecord(name(domain), DClass.IN, TTL, 0, Name.root));
    }

    /** Adds an A record; {@code address} is a dotted quad. */
    public FakeDnsServer a(String name, String address) {
        return add(new ARecord(name(name), DClass.IN, TTL, literal(address)));
    }

    /** Adds an AAAA record; {@code address} is an IPv6 literal. */
    public FakeDnsServer aaaa(String name, String address) {
        return add(new AAAARecord(name(name), DClass.IN, TTL, literal(address)));
    }

    /** Adds a TXT record with one string, {@code v=STSv1; id=...} for an MTA-STS policy (RFC 8461 section 3.1). */
    public FakeDnsServer txt(String name, String text) {
        return add(new TXTRecord(name(name), DClass.IN, TTL, text));
    }

    /** Makes {@code alias} a CNAME of {@code target}. */
    public FakeDnsServer cname(String alias, String target) {
        return add(new CNAMERecord(name(alias), DClass.IN, TTL, name(target)));
    }

    /** Every query for {@code name}, of any type, is answered SERVFAIL. */
    public FakeDnsServer servfail(String name) {
        servfail.add(name(name));
        return this;
    }

    /** Queries for {@code name} are read and never answered, over UDP or TCP: the client times out. */
    public FakeDnsServer unanswered(String name) {
        unanswered.add(name(name));
        return this;
    }

    /** Over UDP, {@code name} gets an empty truncated (TC) answer, so the client must retry over TCP. */
    public FakeDnsServer tcpOnly(String name) {
        tcpOnly.add(name(name));
        return this;
    }

    /** Forgets every record and behaviour set for {@code name} (it becomes NXDOMAIN). */
    public FakeDnsServer clear(String name) {
        Name n = name(name);
        zone.remove(n);
        servfail.remove(n);
        unanswered.remove(n);
        tcpOnly.remove(n);
        return this;
    }

    /** Queries received so far, in order, as {@code name TYPE/transport}: {@code example.test MX/udp}. */
    public List<String> queries() {
        return List.copyOf(queries);
    }

    @Override
    public void close() {
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            // closing; nothing to do
        }
        for (Socket s : connections) {
            try {
                s.close();
            } catch (IOException e) {
                // closing; nothing to do
            }
        }
        threads.shutdownNow();
    }

    private FakeDnsServer add(Record record) {
        zone.computeIfAbsent(record.getName(), n -> new CopyOnWriteArrayList<>()).add(record);
        return this;
    }

    private void serveUdp() {
        byte[] buffer = new byte[65535];
        while (!udp.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
                Message query = new Message(Arrays.copyOf(packet.getData(), packet.getLength()));
                Message response = answer(query, false);
                if (response != null) {
                    byte[] out = response.toWire(udpLimit(query));
                    udp.send(new DatagramPacket(out, out.length, packet.getSocketAddress()));
                }
            } catch (SocketException e) {
                return; // closed
            } catch (IOException e) {
                // a malformed query: ignore it, as a real server would
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try {
                Socket socket = tcp.accept();
                connections.add(socket);
                threads.execute(() -> serveConnection(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** RFC 1035 section 4.2.2 (and RFC 7766): messages prefixed with a two-byte length. */
    private void serveConnection(Socket socket) {
        try (socket) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            while (true) {
                byte[] bytes = new byte[in.readUnsignedShort()];
                in.readFully(bytes);
                Message response = answer(new Message(bytes), true);
                if (response != null) {
                    byte[] wire = response.toWire();
                    out.writeShort(wire.length);
                    out.write(wire);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // client closed, server closing, or a malformed message: drop the connection
        } finally {
            connections.remove(socket);
        }
    }

    /** The response to {@code query}, or null for no response at all. */
    private Message answer(Message query, boolean overTcp) {
        Record question = query.getQuestion();
        Name qname = question.getName();
        int qtype = question.getType();
        queries.add(qname.toString(true).toLowerCase(Locale.ROOT) + " " + Type.string(qtype) + (overTcp ? "/tcp" : "/udp"));
        if (unanswered.contains(qname)) {
            return null;
        }
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        response.getHeader().setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        response.addRecord(question, Section.QUESTION);
        if (servfail.contains(qname)) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
            return response;
        }
        if (!overTcp && tcpOnly.contains(qname)) {
            response.getHeader().setFlag(Flags.TC);
            return response;
        }
        if (!exists(qname)) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
            return response;
        }
        for (Record r : chase(qname, qtype)) {
            response.addRecord(r, Section.ANSWER);
        }
        return response;
    }

    /** The records of {@code type} at {@code name}, after the CNAMEs leading there (RFC 1034 section 3.6.2). */
    private List<Record> chase(Name name, int type) {
        List<Record> answer = new ArrayList<>();
        Name current = name;
        for (int hops = 0; hops < 8; hops++) {
            List<Record> here = zone.getOrDefault(current, List.of());
            List<Record> wanted = here.stream().filter(r -> r.getType() == type).toList();
            if (!wanted.isEmpty() || type == Type.CNAME) {
                answer.addAll(wanted);
                return answer;
            }
            Record alias = here.stream().filter(r -> r.getType() == Type.CNAME).findFirst().orElse(null);
            if (alias == null) {
                return answer;
            }
            answer.add(alias);
            current = ((CNAMERecord) alias).getTarget();
        }
        return answer;
    }

    /** A name exists when it or a name below it has records (an empty non-terminal is not NXDOMAIN). */
    private boolean exists(Name name) {
        return zone.keySet().stream().anyMatch(n -> n.subdomain(name))
                || servfail.contains(name) || tcpOnly.contains(name);
    }

    private static int udpLimit(Message query) {
        OPTRecord opt = query.getOPT();
        return opt == null ? 512 : Math.max(512, opt.getPayloadSize());
    }

    private static Name name(String text) {
        try {
            return Name.fromString(text, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a domain name: " + text, e);
        }
    }

    private static InetAddress literal(String address) {
        try {
            // only literals reach here: a test that passes a host name gets a clear failure
            if (!address.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
                throw new IllegalArgumentException("not an IP address literal: " + address);
            }
            return InetAddress.getByName(address);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an IP address literal: " + address, e);
        }
    }
}
