package io.smtpprobe.probe.dns;

import java.util.List;
import org.xbill.DNS.Record;

/**
 * What the name servers said about one name and type.
 *
 * @param records the records of the asked type (empty unless {@code status} is {@link Status#RECORDS})
 * @param reason for {@link Status#FAILED}, each server's failure, for a person to read
 */
record DnsAnswer(Status status, List<Record> records, String reason) {
    enum Status {
        /** At least one record of the type. */
        RECORDS,
        /** The name exists but has no record of the type (NOERROR with an empty answer, "NODATA"). */
        NO_RECORDS,
        /** The name does not exist (RFC 8020: nor does anything below it). */
        NXDOMAIN,
        /** No server gave a usable answer: SERVFAIL, REFUSED, timeout, network error, malformed answer. */
        FAILED
    }

    DnsAnswer {
        records = List.copyOf(records);
    }

    static DnsAnswer of(List<Record> records) {
        return new DnsAnswer(records.isEmpty() ? Status.NO_RECORDS : Status.RECORDS, records, "");
    }

    static DnsAnswer nxdomain() {
        return new DnsAnswer(Status.NXDOMAIN, List.of(), "NXDOMAIN (the domain does not exist)");
    }

    static DnsAnswer failed(String reason) {
        return new DnsAnswer(Status.FAILED, List.of(), reason);
    }
}
