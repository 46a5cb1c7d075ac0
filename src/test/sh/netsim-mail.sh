# Real Postfix and Dovecot for the simulated Azure network (sourced by azure-network-test.sh).
#
# One Postfix master (Debian package postfix, 3.7) serves every mail server of the internet
# namespace but Exim's: each is a master.cf service on an address of its own, with -o overrides for what makes
# it special. Dovecot (dovecot-core, 2.3) answers Postfix's SASL questions from a passwd-file: one
# instance for the submission server, and one started and stopped around each use of authgone. A third
# Dovecot (dovecot-imapd, dovecot-lmtpd) holds the delivery probe's mailboxes (issue 26): Postfix delivers
# to it over LMTP, the probe reads it over IMAPS. Nothing runs as a host service: each daemon is started inside the namespace with its
# own configuration, queue, data, state and socket directories under $WORK/mail, runs in the
# foreground as a child of the script (its pid in PIDS), and dies with the namespace in cleanup.
#
#   name (DNS, dnsmasq)         address          what it does
#   mx.valid.mail.test          203.0.113.60:25  MX, certificate from the test CA
#   mx.selfsigned.mail.test     203.0.113.61:25  MX, self-signed certificate
#   mx.wrongname.mail.test      203.0.113.62:25  MX, test-CA certificate for mx.elsewhere.test
#   submit.mail.test            203.0.113.63:587 submission, Dovecot SASL (MAIL_USER, its password file)
#   authgone.mail.test          203.0.113.64:587 submission whose Dovecot is stopped after Postfix met it:
#                                                the next AUTH is answered 454 (Temporary authentication
#                                                failure); Postfix answers so only once per loss, so
#                                                arm_authgone starts, introduces and stops that Dovecot
#                                                before each use
#   authdown.mail.test          203.0.113.65:587 submission whose Dovecot socket never existed: smtpd
#                               203.0.113.65:465 dies after TLS ("fatal: no SASL authentication
#                                                mechanisms"): on 587 at the EHLO after STARTTLS, on
#                                                465 right after the handshake, before its greeting
#   mx.busy.mail.test           203.0.113.66:25  MX with a one-connection-per-client limit that a held
#                                                connection from the vm uses up: 421 greeting
#   mx.reject.mail.test         203.0.113.67:25  MX rejecting the client at once: 554 greeting
#   mx.rcpt.mail.test           203.0.113.68:25  MX rejecting the client at RCPT (smtpd_delay_reject): 554
#   mx.grey.mail.test           203.0.113.69:25  MX deferring at RCPT, as greylisting does: 450
#   mx.stopped.mail.test        203.0.113.70:25  an address where nothing listens: RST
#   mx.sts.mail.test            203.0.113.71:25  MX with a self-signed certificate, for a domain whose
#   mta-sts.sts.mail.test       203.0.113.72:443 MTA-STS policy (openssl s_server -WWW) says enforce
#   smarthost.corp.test         10.20.30.26:25   a private smarthost, reached through the router,
#                                                which drops TCP/25 to it
#   mx.rbl.mail.test            203.0.113.73:25  MX with reject_rbl_client against zen.rbl.test, a DNSBL
#                                                zone dnsmasq serves listing the vm (127.0.0.2): 554
#                                                "Client host [198.51.100.10] blocked using zen.rbl.test"
#   mx.tls11.mail.test          203.0.113.74:25  MX whose STARTTLS allows only TLS 1.0 and 1.1, which the
#                                                JDK refuses: every handshake fails
#   submit-login.mail.test      203.0.113.75:587 submission with Dovecot SASL and reject_sender_login_mismatch:
#                                                the probe's mail_from belongs to another login: 553
#   implicit.mail.test          no MX record, an A record at the valid MX: its own implicit MX (RFC 5321 5.1)
#   twomx.mail.test             MX 10 at the stopped address (RST), MX 20 at the valid MX
#   v6.mail.test                MX 10 AAAA-only (2001:db8:25::25; the vm has no IPv6 route), MX 20 at the
#                                                valid MX
#   mx.exim.mail.test           203.0.113.76:25  Exim 4.96 (exim4-daemon-light, unpacked, not installed: it
#                                                conflicts with Postfix), STARTTLS with GnuTLS: takes RCPT for
#                                                exim.mail.test
#   mx.eximrbl.mail.test        203.0.113.77:25  the same Exim, whose RCPT ACL denies a client zen.rbl.test
#                                                lists (the vm) in the words of Exim's example ACL: 550 5.7.1
#                                                "Rejected because 198.51.100.10 is in a black list at ..."
#   mx.postscreen.mail.test     203.0.113.78:25  Postfix postscreen (pregreet test enforced) before smtpd: a
#                                                greeting of two lines, "220-" at once and "220 " 2 s later
#   mx.noptr.mail.test          203.0.113.79:25  reject_unknown_client_hostname (550); the vm reaches it from
#                                                198.51.100.20, which has no PTR: 550 5.7.25 at RCPT
#   mx.fcrdns.mail.test         203.0.113.80:25  reject_unknown_client_hostname (450); the vm reaches it from
#                                                198.51.100.21, whose PTR names a host at another address
#   mx.greylist.mail.test       203.0.113.81:25  check_recipient_access: 450 4.7.1 "Greylisted, try again later"
#   nullmx.mail.test            a null MX (RFC 7505, "MX 0 ."): accepts no mail
#   relay.inbox.mail.test       203.0.113.84:587 the delivery probe's relay: submission with Dovecot SASL that
#                                                delivers inbox.mail.test over LMTP to the mailbox Dovecot; a
#                                                sender listed in $MAIL/postfix/held-senders (held@ and late@
#                                                vm.example.test) goes to Postfix's hold queue: accepted, never
#                                                delivered until `postsuper -H` releases it
#   imap.mail.test              203.0.113.82:993 IMAPS of the mailbox Dovecot, certificate from the test CA;
#                                                users probe, held and late @inbox.mail.test (MAILBOX_PASSWORD_FILE)
#   imap-selfsigned.mail.test   203.0.113.83:993 the same Dovecot with a self-signed certificate
# DNS unreachable: 10.255.255.53 is an unreachable route in the vm.

readonly MAIL_VALID_ADDR=203.0.113.60 MAIL_SELFSIGNED_ADDR=203.0.113.61 MAIL_WRONGNAME_ADDR=203.0.113.62
readonly MAIL_SUBMIT_ADDR=203.0.113.63 MAIL_AUTHGONE_ADDR=203.0.113.64 MAIL_AUTHDOWN_ADDR=203.0.113.65
readonly MAIL_BUSY_ADDR=203.0.113.66 MAIL_REJECT_ADDR=203.0.113.67 MAIL_RCPT_ADDR=203.0.113.68
readonly MAIL_GREY_ADDR=203.0.113.69 MAIL_STOPPED_ADDR=203.0.113.70 MAIL_STS_ADDR=203.0.113.71
readonly MAIL_STS_POLICY_ADDR=203.0.113.72 MAIL_SMARTHOST_ADDR=10.20.30.26
readonly MAIL_DEAD_DNS=10.255.255.53
readonly MAIL_RBL_ADDR=203.0.113.73 MAIL_TLS11_ADDR=203.0.113.74 MAIL_V6_ONLY_ADDR=2001:db8:25::25
readonly MAIL_LOGIN_ADDR=203.0.113.75
readonly MAIL_EXIM_ADDR=203.0.113.76 MAIL_EXIM_RBL_ADDR=203.0.113.77 MAIL_POSTSCREEN_ADDR=203.0.113.78
readonly MAIL_NOPTR_ADDR=203.0.113.79 MAIL_FCRDNS_ADDR=203.0.113.80 MAIL_GREYLIST_ADDR=203.0.113.81
readonly MAIL_IMAP_ADDR=203.0.113.82 MAIL_IMAP_SELFSIGNED_ADDR=203.0.113.83 MAIL_INBOX_RELAY_ADDR=203.0.113.84
# The delivery probe's mailbox users (@inbox.mail.test): each case its own, so one case's messages never meet
# another's.
readonly MAILBOX_USERS="probe held late"
# The vm's second and third addresses: the source of its connections to the no-PTR and the unconfirmed-PTR
# MX (routes with src), as a VM with several public IPs (or behind several NAT addresses) has.
readonly VM_NOPTR_ADDR=198.51.100.20 VM_FCRDNS_ADDR=198.51.100.21
# Exim's daemon, unpacked from exim4-daemon-light by install-test-deps.sh (kept between runs).
readonly EXIM_ROOT=${SMTP_PROBE_TEST_CACHE:-/var/cache/smtp-probe-test}/exim4
readonly MAIL_USER=netsim-submitter
readonly POSTFIX_MASTER=/usr/lib/postfix/sbin/master
# The whole-probe deadline of the mail scenarios. It is a cap, not a wait, except for the dropped
# smarthost (mail-smarthost, mail-smarthost-beside and the daemon wait it out). Longer than
# PROBE_TIMEOUT because on a busy 2-core machine a JVM's first TLS handshake and AUTH took more than
# 3s, once more than 6s, and the JVM's own set-up alone once used up 3s ("error").
readonly MAIL_PROBE_TIMEOUT=${MAIL_PROBE_TIMEOUT:-10s}
# The delivery_timeout of the delivery targets whose message never comes in time (held, late): each of their
# probes waits it out. The others have 20s, a cap they end long before.
readonly MAIL_DELIVERY_TIMEOUT=4s

MAIL=""             # $WORK/mail
MAIL_CLIENT=""      # the independent client: netsim-mail-client.py
MAIL_HOLDER=""      # the pid holding the busy MX's one connection

mail_addresses() {
    echo "$MAIL_VALID_ADDR $MAIL_SELFSIGNED_ADDR $MAIL_WRONGNAME_ADDR $MAIL_SUBMIT_ADDR $MAIL_AUTHGONE_ADDR" \
        "$MAIL_AUTHDOWN_ADDR $MAIL_BUSY_ADDR $MAIL_REJECT_ADDR $MAIL_RCPT_ADDR $MAIL_GREY_ADDR" \
        "$MAIL_STOPPED_ADDR $MAIL_STS_ADDR $MAIL_STS_POLICY_ADDR $MAIL_RBL_ADDR $MAIL_TLS11_ADDR $MAIL_LOGIN_ADDR" \
        "$MAIL_EXIM_ADDR $MAIL_EXIM_RBL_ADDR $MAIL_POSTSCREEN_ADDR $MAIL_NOPTR_ADDR $MAIL_FCRDNS_ADDR $MAIL_GREYLIST_ADDR" \
        "$MAIL_IMAP_ADDR $MAIL_IMAP_SELFSIGNED_ADDR $MAIL_INBOX_RELAY_ADDR"
}

# Adds the mail servers' addresses to the internet namespace, routes the smarthost's private
# address through it, and has the router drop TCP/25 to the smarthost (an enterprise firewall).
# The vm gets an unreachable route for the dead DNS server.
mail_network() {
    local addr
    for addr in $(mail_addresses); do
        ip -n "$NS_NET" addr add "$addr/24" dev eth0
    done
    ip -n "$NS_NET" addr add "$MAIL_SMARTHOST_ADDR/32" dev eth0
    ip -n "$NS_RT" route add "$MAIL_SMARTHOST_ADDR/32" via "$MX_ADDR"
    ip -n "$NS_VM" route add unreachable "$MAIL_DEAD_DNS/32"
    ip -n "$NS_VM" addr add "$VM_NOPTR_ADDR/24" dev eth0
    ip -n "$NS_VM" addr add "$VM_FCRDNS_ADDR/24" dev eth0
    ip -n "$NS_VM" route add "$MAIL_NOPTR_ADDR/32" via "$RT_VM_ADDR" src "$VM_NOPTR_ADDR"
    ip -n "$NS_VM" route add "$MAIL_FCRDNS_ADDR/32" via "$RT_VM_ADDR" src "$VM_FCRDNS_ADDR"
    ip netns exec "$NS_RT" nft -f - <<EOF
table inet spnet_smarthost {
    chain forward {
        type filter hook forward priority 0; policy accept;
        ip daddr $MAIL_SMARTHOST_ADDR tcp dport 25 drop
    }
}
EOF
}

# dnsmasq lines for the mail servers (appended to the DNS config before dnsmasq starts).
mail_dns_records() {
    local zone
    for zone in valid:$MAIL_VALID_ADDR selfsigned:$MAIL_SELFSIGNED_ADDR wrongname:$MAIL_WRONGNAME_ADDR \
                busy:$MAIL_BUSY_ADDR reject:$MAIL_REJECT_ADDR rcpt:$MAIL_RCPT_ADDR grey:$MAIL_GREY_ADDR \
                stopped:$MAIL_STOPPED_ADDR sts:$MAIL_STS_ADDR rbl:$MAIL_RBL_ADDR tls11:$MAIL_TLS11_ADDR \
                exim:$MAIL_EXIM_ADDR eximrbl:$MAIL_EXIM_RBL_ADDR postscreen:$MAIL_POSTSCREEN_ADDR \
                noptr:$MAIL_NOPTR_ADDR fcrdns:$MAIL_FCRDNS_ADDR greylist:$MAIL_GREYLIST_ADDR; do
        echo "mx-host=${zone%%:*}.mail.test,mx.${zone%%:*}.mail.test,10"
        echo "host-record=mx.${zone%%:*}.mail.test,${zone#*:}"
    done
    cat <<EOF
host-record=submit.mail.test,$MAIL_SUBMIT_ADDR
host-record=authgone.mail.test,$MAIL_AUTHGONE_ADDR
host-record=authdown.mail.test,$MAIL_AUTHDOWN_ADDR
host-record=mta-sts.sts.mail.test,$MAIL_STS_POLICY_ADDR
txt-record=_mta-sts.sts.mail.test,"v=STSv1; id=20261204T000000;"
host-record=smarthost.corp.test,$MAIL_SMARTHOST_ADDR
host-record=10.100.51.198.zen.rbl.test,127.0.0.2
host-record=submit-login.mail.test,$MAIL_LOGIN_ADDR
host-record=relay.inbox.mail.test,$MAIL_INBOX_RELAY_ADDR
host-record=imap.mail.test,$MAIL_IMAP_ADDR
host-record=imap-selfsigned.mail.test,$MAIL_IMAP_SELFSIGNED_ADDR
host-record=implicit.mail.test,$MAIL_VALID_ADDR
mx-host=twomx.mail.test,mx10.twomx.mail.test,10
mx-host=twomx.mail.test,mx20.twomx.mail.test,20
host-record=mx10.twomx.mail.test,$MAIL_STOPPED_ADDR
host-record=mx20.twomx.mail.test,$MAIL_VALID_ADDR
mx-host=v6.mail.test,mx10.v6.mail.test,10
mx-host=v6.mail.test,mx20.v6.mail.test,20
host-record=mx10.v6.mail.test,$MAIL_V6_ONLY_ADDR
host-record=mx20.v6.mail.test,$MAIL_VALID_ADDR
mx-host=nullmx.mail.test,.,0
# The vm's reverse zone is answered here, so an address without a PTR gets "no such name" (the lasting
# answer reject_unknown_client_hostname reads), not a refusal for want of an upstream server.
local=/100.51.198.in-addr.arpa/
ptr-record=21.100.51.198.in-addr.arpa,unconfirmed.mail.test
host-record=unconfirmed.mail.test,198.51.100.99
log-queries
EOF
}

# The certificates: one from the test CA for every name that should verify, a self-signed one, one
# from the test CA for a name no server has, and a self-signed one for the MTA-STS domain's MX.
mail_certificates() {
    local d="$MAIL/tls" good_names="DNS:mx.valid.mail.test,DNS:submit.mail.test,DNS:authgone.mail.test"
    good_names+=",DNS:authdown.mail.test,DNS:mx.busy.mail.test,DNS:mx.reject.mail.test,DNS:mx.rcpt.mail.test"
    good_names+=",DNS:mx.grey.mail.test,DNS:smarthost.corp.test,DNS:mta-sts.sts.mail.test,DNS:submit-login.mail.test"
    good_names+=",DNS:mx.exim.mail.test,DNS:mx.eximrbl.mail.test,DNS:mx.postscreen.mail.test,DNS:mx.noptr.mail.test"
    good_names+=",DNS:mx.fcrdns.mail.test,DNS:mx.greylist.mail.test,DNS:relay.inbox.mail.test,DNS:imap.mail.test"
    mkdir -p "$d"
    {
        mail_ca_signed "$d/good" mx.valid.mail.test "$good_names" \
        && mail_ca_signed "$d/wrongname" mx.elsewhere.test DNS:mx.elsewhere.test \
        && mail_self_signed "$d/selfsigned" mx.selfsigned.mail.test \
        && mail_self_signed "$d/sts-mx" mx.sts.mail.test \
        && mail_self_signed "$d/imap-selfsigned" imap-selfsigned.mail.test
    } >"$MAIL/openssl.log" 2>&1 || { cat "$MAIL/openssl.log" >&2; die "openssl could not make the mail servers' certificates"; }
}

mail_ca_signed() {
    local base=$1 cn=$2 names=$3
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
        "subjectAltName=$names" >"$base.ext"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$cn" \
        -keyout "$base.key" -out "$base.csr" \
    && openssl x509 -req -in "$base.csr" -CA "$WORK/tls/ca.pem" -CAkey "$WORK/tls/ca.key" -CAcreateserial \
        -days 2 -extfile "$base.ext" -out "$base.pem"
}

mail_self_signed() {
    local base=$1 cn=$2
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=$cn" \
        -addext "subjectAltName=DNS:$cn" -keyout "$base.key" -out "$base.pem"
}

# start_dovecot NAME: a Dovecot that only authenticates (no protocols), for Postfix's SASL, from a
# passwd-file with MAIL_USER; its Postfix socket is $MAIL/dovecot-NAME/auth-postfix. Sets DOVECOT_PID.
start_dovecot() {
    local name=$1 d="$MAIL/dovecot-$1"
    mkdir -p "$d/run" "$d/state"
    printf '%s:{PLAIN}%s\n' "$MAIL_USER" "$(tr -d '\n' <"$MAIL_PASSWORD_FILE")" >"$d/users"
    chown dovecot "$d/users"
    chmod 600 "$d/users"
    cat >"$d/dovecot.conf" <<EOF
base_dir = $d/run
state_dir = $d/state
instance_name = $PREFIX-dovecot-$name
protocols =
listen = 127.0.0.1
ssl = no
log_path = $d/dovecot.log
auth_mechanisms = plain login
disable_plaintext_auth = no
# A wrong password is answered at once (the default waits 2s, and the anvil penalty doubles it per
# failure from one address), so the probes stay within their 3s deadline.
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = $d/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service auth {
  unix_listener $d/auth-postfix {
    mode = 0666
  }
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
EOF
    rm -f "$d/auth-postfix"
    ip netns exec "$NS_NET" dovecot -c "$d/dovecot.conf" -F >>"$d/dovecot.out" 2>&1 &
    DOVECOT_PID=$!
    PIDS+=("$DOVECOT_PID")
    local deadline=$((SECONDS + 10))
    until [[ -S $d/auth-postfix ]]; do
        kill -0 "$DOVECOT_PID" 2>/dev/null || { cat "$d/dovecot.out" "$d/dovecot.log" >&2; die "Dovecot $name exited"; }
        ((SECONDS < deadline)) || die "Dovecot $name did not open $d/auth-postfix in 10s"
        sleep 0.1
    done
}

# Stops a Dovecot and every process it started, by pid, and waits until they are gone.
stop_dovecot() {
    local master=$1 pids pid
    pids="$master $(ps -o pid= --ppid "$master" || true)"
    for pid in $pids; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    local deadline=$((SECONDS + 10))
    for pid in $pids; do
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    done
    wait "$master" 2>/dev/null || true
}

# The authgone smtpd (one process, kept) meets a Dovecot of its own: EHLO after STARTTLS has it
# connect and list the SASL mechanisms. That Dovecot is then stopped, so the next AUTH finds nobody
# listening: "454 4.7.0 Temporary authentication failure". After that one answer smtpd forgets the
# connection, and its next session would die at EHLO (as authdown's do): call this before each use.
arm_authgone() {
    start_dovecot gone
    local got
    got=$(mail_talk smtp authgone.mail.test 587 --tls starttls) || true
    [[ $got == "done 221"* ]] || fail "harness: the authgone submission server did not answer while its Dovecot ran: $got"
    stop_dovecot "$DOVECOT_PID"
}

# The delivery probe's mailboxes: a Dovecot with IMAPS on imap.mail.test (test-CA certificate) and on
# imap-selfsigned.mail.test (a self-signed one, a `local` block), and LMTP on $MAIL/dovecot-box/lmtp, which
# Postfix delivers inbox.mail.test to. Users MAILBOX_USERS @inbox.mail.test, one password
# (MAILBOX_PASSWORD_FILE), maildirs under $MAIL/dovecot-box/home as nobody.
start_mailbox() {
    local d="$MAIL/dovecot-box" t="$MAIL/tls" user password
    mkdir -p "$d/run" "$d/state" "$d/home"
    chown nobody:nogroup "$d/home"
    password=$(tr -d '\n' <"$MAILBOX_PASSWORD_FILE")
    for user in $MAILBOX_USERS; do
        printf '%s@inbox.mail.test:{PLAIN}%s\n' "$user" "$password"
    done >"$d/users"
    chown dovecot "$d/users"
    chmod 600 "$d/users"
    cat >"$d/dovecot.conf" <<EOF
base_dir = $d/run
state_dir = $d/state
instance_name = $PREFIX-dovecot-box
protocols = imap lmtp
listen = $MAIL_IMAP_ADDR, $MAIL_IMAP_SELFSIGNED_ADDR
log_path = $d/dovecot.log
ssl = required
ssl_cert = <$t/good.pem
ssl_key = <$t/good.key
local $MAIL_IMAP_SELFSIGNED_ADDR {
  ssl_cert = <$t/imap-selfsigned.pem
  ssl_key = <$t/imap-selfsigned.key
}
auth_mechanisms = plain login
# A wrong password is answered at once, as in the SASL instances.
auth_failure_delay = 0
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = $d/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$d/home/%u
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = 993
    ssl = yes
  }
}
service lmtp {
  unix_listener $d/lmtp {
    mode = 0666
  }
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
EOF
    rm -f "$d/lmtp"
    ip netns exec "$NS_NET" dovecot -c "$d/dovecot.conf" -F >>"$d/dovecot.out" 2>&1 &
    local master=$!
    PIDS+=("$master")
    local deadline=$((SECONDS + 10)) listening
    while :; do
        listening=$(ip netns exec "$NS_NET" ss -Hltn | awk '{print $4}')
        [[ -S $d/lmtp ]] && grep -qxF "$MAIL_IMAP_ADDR:993" <<<"$listening" \
            && grep -qxF "$MAIL_IMAP_SELFSIGNED_ADDR:993" <<<"$listening" && break
        kill -0 "$master" 2>/dev/null || { cat "$d/dovecot.out" "$d/dovecot.log" >&2; die "the mailbox Dovecot exited"; }
        ((SECONDS < deadline)) || { cat "$d/dovecot.out" >&2; die "the mailbox Dovecot did not open IMAPS and LMTP in 10s"; }
        sleep 0.1
    done
}

# mail_hold_senders ADDRESS...: the senders the delivery relay puts on hold (its held-senders map). Each smtpd of
# that service serves one connection (max_use=1), so the next connection reads the new list.
mail_hold_senders() {
    local sender
    for sender in "$@"; do
        printf '%s HOLD the netsim holds mail from %s\n' "$sender" "$sender"
    done >"$MAIL/postfix/held-senders.new"
    mv "$MAIL/postfix/held-senders.new" "$MAIL/postfix/held-senders"
}

# One Postfix master with a service per mail server (master.cf), chroot off, its queue and data
# under $MAIL/postfix, logging to $MAIL/postfix.log.
start_postfix() {
    local p="$MAIL/postfix" t="$MAIL/tls"
    mkdir -p "$p/queue/pid" "$p/queue/private" "$p/queue/public" "$p/data"
    chown postfix "$p/queue/private" "$p/queue/public" "$p/data"
    # The queues a message passes through on the delivery relay (created by `postfix start`, not by the master).
    local queue
    for queue in incoming active deferred hold bounce defer trace flush corrupt saved maildrop; do
        mkdir -p "$p/queue/$queue"
        chown postfix "$p/queue/$queue"
        chmod 700 "$p/queue/$queue"
    done
    chgrp postdrop "$p/queue/maildrop"
    chmod 730 "$p/queue/maildrop"
    chgrp postdrop "$p/queue/public"
    chmod 700 "$p/queue/private" "$p/data"
    chmod 710 "$p/queue/public"
    cat >"$p/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $p/queue
data_directory = $p/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.test
mydomain = mail.test
mydestination =
# The greylisting MX's domain: RCPT TO reaches smtpd_recipient_restrictions (trivial-rewrite reads
# this from main.cf, so it cannot be a -o of that one service).
relay_domains = grey.mail.test greylist.mail.test
local_recipient_maps =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
inet_interfaces = all
inet_protocols = ipv4
biff = no
maillog_file = /dev/stdout
# A service whose smtpd dies at once (authdown) is paused this long, not the default minute.
service_throttle_time = 1s
smtpd_banner = \$myhostname ESMTP
smtpd_tls_security_level = may
smtpd_tls_chain_files = $t/good.key, $t/good.pem
# The delivery relay's mail for inbox.mail.test goes by LMTP to the mailbox Dovecot; a message released from the
# hold queue is delivered within a second or two, not at the default queue run (5 minutes).
transport_maps = texthash:$p/transport
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
EOF
    printf 'inbox.mail.test lmtp:unix:%s\n' "$MAIL/dovecot-box/lmtp" >"$p/transport"
    mail_hold_senders held@vm.example.test late@vm.example.test
    printf 'postmaster@greylist.mail.test 450 4.7.1 Greylisted, try again later\n' >"$p/greylist-access"
    local submission="-o smtpd_tls_security_level=encrypt -o smtpd_tls_auth_only=yes -o smtpd_sasl_auth_enable=yes"
    submission+=" -o smtpd_sasl_type=dovecot -o smtpd_relay_restrictions=permit_sasl_authenticated,reject"
    cat >"$p/master.cf" <<EOF
# service                   type  private unpriv chroot wakeup maxproc command
$MAIL_VALID_ADDR:25         inet  n       -      n      -      -       smtpd -o myhostname=mx.valid.mail.test
$MAIL_SELFSIGNED_ADDR:25    inet  n       -      n      -      -       smtpd -o myhostname=mx.selfsigned.mail.test
  -o smtpd_tls_chain_files=$t/selfsigned.key,$t/selfsigned.pem
$MAIL_WRONGNAME_ADDR:25     inet  n       -      n      -      -       smtpd -o myhostname=mx.wrongname.mail.test
  -o smtpd_tls_chain_files=$t/wrongname.key,$t/wrongname.pem
$MAIL_SUBMIT_ADDR:587       inet  n       -      n      -      -       smtpd -o myhostname=submit.mail.test
  $submission -o smtpd_sasl_path=$MAIL/dovecot-main/auth-postfix
# One process, kept for 15 minutes, so the smtpd that met this Dovecot is the one the probes meet.
$MAIL_AUTHGONE_ADDR:587     inet  n       -      n      -      1       smtpd -o myhostname=authgone.mail.test
  $submission -o smtpd_sasl_path=$MAIL/dovecot-gone/auth-postfix -o max_idle=900s
$MAIL_AUTHDOWN_ADDR:587     inet  n       -      n      -      -       smtpd -o myhostname=authdown.mail.test
  $submission -o smtpd_sasl_path=$MAIL/no-dovecot/auth-postfix
$MAIL_AUTHDOWN_ADDR:465     inet  n       -      n      -      -       smtpd -o myhostname=authdown.mail.test
  $submission -o smtpd_sasl_path=$MAIL/no-dovecot/auth-postfix -o smtpd_tls_wrappermode=yes
$MAIL_BUSY_ADDR:25          inet  n       -      n      -      -       smtpd -o myhostname=mx.busy.mail.test
  -o smtpd_client_connection_count_limit=1 -o smtpd_client_event_limit_exceptions=
$MAIL_REJECT_ADDR:25        inet  n       -      n      -      -       smtpd -o myhostname=mx.reject.mail.test
  -o smtpd_delay_reject=no -o smtpd_client_restrictions=reject
$MAIL_RCPT_ADDR:25          inet  n       -      n      -      -       smtpd -o myhostname=mx.rcpt.mail.test
  -o smtpd_delay_reject=yes -o smtpd_client_restrictions=reject
$MAIL_GREY_ADDR:25          inet  n       -      n      -      -       smtpd -o myhostname=mx.grey.mail.test
  -o smtpd_recipient_restrictions=defer
$MAIL_STS_ADDR:25           inet  n       -      n      -      -       smtpd -o myhostname=mx.sts.mail.test
  -o smtpd_tls_chain_files=$t/sts-mx.key,$t/sts-mx.pem
$MAIL_SMARTHOST_ADDR:25     inet  n       -      n      -      -       smtpd -o myhostname=smarthost.corp.test
$MAIL_LOGIN_ADDR:587        inet  n       -      n      -      -       smtpd -o myhostname=submit-login.mail.test
  $submission -o smtpd_sasl_path=$MAIL/dovecot-main/auth-postfix
  -o smtpd_sender_login_maps=inline:{probe@vm.example.test=someone-else}
  -o smtpd_sender_restrictions=reject_sender_login_mismatch
$MAIL_RBL_ADDR:25           inet  n       -      n      -      -       smtpd -o myhostname=mx.rbl.mail.test
  -o smtpd_delay_reject=no -o smtpd_client_restrictions=reject_rbl_client,zen.rbl.test
$MAIL_TLS11_ADDR:25         inet  n       -      n      -      -       smtpd -o myhostname=mx.tls11.mail.test
  -o smtpd_tls_protocols=!SSLv2,!SSLv3,!TLSv1.2,!TLSv1.3 -o smtpd_tls_ciphers=low -o tls_low_cipherlist=ALL:@SECLEVEL=0
# postscreen's pregreet test: "220-" with its banner at once, then it waits postscreen_greet_wait for a client
# that talks before its turn (logged PREGREET; enforce rejects it later); a client that waits is logged PASS
# NEW (PASS OLD once the address is known) and handed to the smtpd below, whose "220 " ends the greeting. A pass is remembered for 1s only, so each
# check meets the test.
$MAIL_POSTSCREEN_ADDR:25    inet  n       -      n      -      1       postscreen
  -o { postscreen_greet_banner = mx.postscreen.mail.test ESMTP: wait for the last line of this greeting }
  -o postscreen_greet_action=enforce -o postscreen_greet_wait=2s -o postscreen_greet_ttl=1s
smtpd                       pass  -       -      n      -      -       smtpd -o myhostname=mx.postscreen.mail.test
tlsproxy                    unix  -       -      n      -      0       tlsproxy
$MAIL_NOPTR_ADDR:25         inet  n       -      n      -      -       smtpd -o myhostname=mx.noptr.mail.test
  -o smtpd_client_restrictions=reject_unknown_client_hostname -o unknown_client_reject_code=550
$MAIL_FCRDNS_ADDR:25        inet  n       -      n      -      -       smtpd -o myhostname=mx.fcrdns.mail.test
  -o smtpd_client_restrictions=reject_unknown_client_hostname
$MAIL_GREYLIST_ADDR:25      inet  n       -      n      -      -       smtpd -o myhostname=mx.greylist.mail.test
  -o smtpd_recipient_restrictions=check_recipient_access,texthash:$p/greylist-access
# The delivery probe's relay: it delivers (cleanup, qmgr, lmtp and their helpers below; postqueue -f wants
# pickup too, though nothing is posted locally). syslog_name tells its lines in the log.
$MAIL_INBOX_RELAY_ADDR:587   inet  n       -      n      -      -       smtpd -o myhostname=relay.inbox.mail.test
  $submission -o smtpd_sasl_path=$MAIL/dovecot-main/auth-postfix -o max_use=1 -o syslog_name=postfix/relay-inbox
  -o smtpd_sender_restrictions=check_sender_access,texthash:$p/held-senders
cleanup   unix  n       -       n       -       0       cleanup
qmgr      fifo  n       -       n       300     1       qmgr
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
scache    unix  -       -       n       -       1       scache
showq     unix  n       -       n       -       -       showq
pickup    unix  n       -       n       60      1       pickup
lmtp      unix  -       -       n       -       -       lmtp
postlog   unix-dgram n  -       n       -       1       postlogd
anvil     unix  -       -       n       -       1       anvil
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
proxymap  unix  -       -       n       -       -       proxymap
EOF
    ip netns exec "$NS_NET" "$POSTFIX_MASTER" -c "$p" -d >"$MAIL/postfix.log" 2>&1 &
    local master=$!
    PIDS+=("$master")
    local deadline=$((SECONDS + 10))
    until postfix_listening "$p/master.cf"; do
        kill -0 "$master" 2>/dev/null || { cat "$MAIL/postfix.log" >&2; die "the Postfix master exited"; }
        ((SECONDS < deadline)) || { cat "$MAIL/postfix.log" >&2; die "Postfix did not open every listener of $p/master.cf in 10s"; }
        sleep 0.1
    done
}

# True when every inet service of master.cf has its listening socket.
postfix_listening() {
    local listening service
    listening=$(ip netns exec "$NS_NET" ss -Hltn | awk '{print $4}')
    for service in $(awk '/^[0-9].* inet /{print $1}' "$1"); do
        grep -qxF -- "$service" <<<"$listening" || return 1
    done
}

# The MTA-STS policy host: HTTPS with the test CA's certificate, serving the enforce policy.
start_sts_policy_host() {
    local www="$MAIL/sts-www"
    mkdir -p "$www/.well-known"
    printf 'version: STSv1\r\nmode: enforce\r\nmx: mx.sts.mail.test\r\nmax_age: 86400\r\n' \
        >"$www/.well-known/mta-sts.txt"
    (cd "$www" && exec ip netns exec "$NS_NET" openssl s_server -WWW -accept "$MAIL_STS_POLICY_ADDR:443" \
        -cert "$MAIL/tls/good.pem" -key "$MAIL/tls/good.key" >"$MAIL/sts-policy.log" 2>&1) &
    PIDS+=($!)
}

# Exim 4.96, Debian's exim4-daemon-light as install-test-deps.sh unpacked it, as two MX on two addresses: one
# takes RCPT for exim.mail.test; the other's RCPT ACL denies a client the DNSBL zone lists, with the message of
# Exim's own example ACL (its configure.default) behind an enhanced status code. Its config, spool and logs are
# under $MAIL/exim.
start_exim() {
    local e="$MAIL/exim" exim="$EXIM_ROOT/usr/sbin/exim4"
    [[ -x $exim ]] || die "no Exim at $exim: run src/test/sh/install-test-deps.sh (as root) to unpack exim4-daemon-light"
    mkdir -p "$e/spool" "$e/log"
    # The binary looks its compiled-in user, Debian-exim, up before it reads any config. The package's
    # postinst would create that user; here a passwd and group of the daemon's own name it (as nobody and
    # nogroup), bind-mounted over /etc/passwd and /etc/group in the mount namespace `ip netns exec` makes for
    # it alone: the host's files are not touched.
    { cat /etc/passwd; echo "Debian-exim:x:65534:65534:Exim of the smtp-probe netsim:/nonexistent:/usr/sbin/nologin"; } >"$e/passwd"
    { cat /etc/group; echo "Debian-exim:x:65534:"; } >"$e/group"
    # The connection's process, no longer root, reads the key at STARTTLS.
    cp "$MAIL/tls/good.pem" "$MAIL/tls/good.key" "$e/"
    chown -R 65534:65534 "$e/spool" "$e/log" "$e/good.key"
    chmod 600 "$e/good.key"
    cat >"$e/exim.conf" <<EOF
keep_environment =
primary_hostname = mx.exim.mail.test
spool_directory = $e/spool
log_file_path = $e/log/%slog
pid_file_path = $e/exim.pid
daemon_smtp_ports = 25
local_interfaces = <; $MAIL_EXIM_ADDR ; $MAIL_EXIM_RBL_ADDR
# No reverse or ident lookups of the client: the test's DNS answers only its own zones.
host_lookup =
rfc1413_hosts =
smtp_banner = \${if eq{\$received_ip_address}{$MAIL_EXIM_RBL_ADDR}{mx.eximrbl.mail.test}{mx.exim.mail.test}} ESMTP Exim \$version_number
tls_advertise_hosts = *
tls_certificate = $e/good.pem
tls_privatekey = $e/good.key
domainlist local_domains = exim.mail.test : eximrbl.mail.test
acl_smtp_rcpt = acl_check_rcpt

begin acl

acl_check_rcpt:
  deny    condition = \${if eq{\$received_ip_address}{$MAIL_EXIM_RBL_ADDR}}
          dnslists = zen.rbl.test
          message = 5.7.1 Rejected because \$sender_host_address is in a black list at \$dnslist_domain\n\$dnslist_text
  accept  domains = +local_domains
  deny    message = 5.7.1 relay not permitted
EOF
    chmod 644 "$e/exim.conf"
    ip netns exec "$NS_NET" sh -c 'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && exec "$3" -C "$4" -bdf' \
        netsim-exim "$e/passwd" "$e/group" "$exim" "$e/exim.conf" >"$e/exim.out" 2>&1 &
    local daemon=$!
    PIDS+=("$daemon")
    local deadline=$((SECONDS + 10)) listening
    while :; do
        listening=$(ip netns exec "$NS_NET" ss -Hltn | awk '{print $4}')
        grep -qxF "$MAIL_EXIM_ADDR:25" <<<"$listening" && grep -qxF "$MAIL_EXIM_RBL_ADDR:25" <<<"$listening" && break
        kill -0 "$daemon" 2>/dev/null || { cat "$e/exim.out" "$e"/log/* >&2 2>/dev/null; die "Exim exited"; }
        ((SECONDS < deadline)) || { cat "$e/exim.out" >&2; die "Exim did not listen on $MAIL_EXIM_ADDR:25 and $MAIL_EXIM_RBL_ADDR:25 in 10s"; }
        sleep 0.1
    done
}

# Everything above, in order. Runs after make_network and make_certificates, before start_dns.
start_mail() {
    MAIL="$WORK/mail"
    MAIL_CLIENT="$ROOT/src/test/sh/netsim-mail-client.py"
    MAIL_PASSWORD_FILE="$WORK/mail-password"
    MAIL_WRONG_PASSWORD_FILE="$WORK/mail-wrong-password"
    MAILBOX_PASSWORD_FILE="$WORK/mailbox-password"
    mkdir -p "$MAIL"
    # Postfix (user postfix) and Dovecot (user dovecot) reach their files under WORK by name.
    chmod 711 "$WORK"
    (umask 077 && printf 'mail-%s-%s\n' "$$" "$RANDOM$RANDOM" >"$MAIL_PASSWORD_FILE" \
        && printf 'not-the-password-%s\n' "$RANDOM" >"$MAIL_WRONG_PASSWORD_FILE" \
        && printf 'mailbox-%s-%s\n' "$$" "$RANDOM$RANDOM" >"$MAILBOX_PASSWORD_FILE")
    mail_network
    mail_certificates
    start_dovecot main
    start_mailbox
    start_postfix
    start_sts_policy_host
    start_exim
}

# ---------------------------------------------------------------- the harness facts

# mail_talk ARGS...: the independent client's one-line answer, from the vm.
mail_talk() { in_vm timeout 15 python3 "$MAIL_CLIENT" "$@" 2>&1; }

# harness_fact WHAT WANT-REGEX GOT: one harness step.
harness_fact() {
    expect_fact harness "$@"
}

# expect_fact NAME WHAT WANT-REGEX GOT: one step about the servers themselves, in the harness or a scenario.
expect_fact() {
    local name=$1 what=$2 want=$3 got=$4
    if [[ $got =~ $want ]]; then pass "$name: $what ($got)"; else fail "$name: $what: got \"$got\", expected /$want/"; fi
}

# What each server does, seen by clients that are not smtp-probe: Python's smtplib
# (netsim-mail-client.py), openssl s_client, Postfix's own posttls-finger. Also puts the servers
# into the state the scenarios need: the busy MX's one connection taken, the authgone smtpd having
# met its Dovecot before that Dovecot is stopped.
check_mail_harness() {
    say "harness: the real Postfix and Dovecot servers, as other clients see them from the vm"
    rule_none
    local ca="$WORK/tls/ca.pem" pw="$MAIL_PASSWORD_FILE" got
    got=$(in_vm timeout 10 openssl s_client -starttls smtp -connect "$MAIL_VALID_ADDR:25" -CAfile "$ca" \
        -verify_hostname mx.valid.mail.test </dev/null 2>&1 | grep -m1 'Verify return code') || true
    harness_fact "the valid MX's certificate verifies against the test CA" 'Verify return code: 0 \(ok\)' "$got"
    got=$(in_vm timeout 10 openssl s_client -starttls smtp -connect "$MAIL_SELFSIGNED_ADDR:25" -CAfile "$ca" \
        -verify_hostname mx.selfsigned.mail.test </dev/null 2>&1 | grep -m1 'Verify return code') || true
    harness_fact "the self-signed MX's certificate does not verify" 'Verify return code: 18 \(self-signed' "$got"
    # posttls-finger reads a main.cf at start: an empty one of its own (Postfix's defaults), since the
    # host's /etc/postfix/main.cf exists only where Postfix was configured (not after a noninteractive
    # install, as on a fresh CI machine).
    mkdir -p "$WORK/posttls-finger" && : > "$WORK/posttls-finger/main.cf"
    got=$(in_vm env MAIL_CONFIG="$WORK/posttls-finger" timeout 10 posttls-finger -c -l may \
        "[$MAIL_SELFSIGNED_ADDR]:25" 2>&1 | grep -m1 'TLS connection established') || true
    harness_fact "Postfix's client at level may would deliver to the self-signed MX" '^posttls-finger: Untrusted TLS connection established' "$got"
    got=$(in_vm timeout 10 openssl s_client -starttls smtp -connect "$MAIL_WRONGNAME_ADDR:25" -CAfile "$ca" \
        -verify_hostname mx.wrongname.mail.test </dev/null 2>&1 | grep -m1 'Verify return code') || true
    harness_fact "the wrong-name MX's certificate is trusted but names another host" 'Verify return code: 62 \(hostname mismatch' "$got"
    got=$(in_vm timeout 10 openssl s_client -starttls smtp -connect "$MAIL_STS_ADDR:25" -CAfile "$ca" \
        -verify_hostname mx.sts.mail.test </dev/null 2>&1 | grep -m1 'Verify return code') || true
    harness_fact "the MTA-STS domain's MX has a self-signed certificate" 'Verify return code: 18 \(self-signed' "$got"
    got=$(mail_talk txt _mta-sts.sts.mail.test "$DNS_ADDR") || true
    harness_fact "the _mta-sts TXT record is published" '^v=STSv1; id=20261204T000000;$' "$got"
    got=$(in_vm timeout 10 curl -s --cacert "$ca" "https://mta-sts.sts.mail.test/.well-known/mta-sts.txt" | tr -d '\r' | tr '\n' ' ') || true
    harness_fact "the MTA-STS policy is served over HTTPS (test CA) in enforce mode for mx.sts.mail.test" \
        '^version: STSv1 mode: enforce mx: mx.sts.mail.test max_age: 86400 $' "$got"

    got=$(mail_talk smtp submit.mail.test 587 --tls starttls --ca "$ca" --name submit.mail.test --user "$MAIL_USER" --password-file "$pw") || true
    harness_fact "submission with Dovecot SASL takes the right password" '^done 221' "$got"
    got=$(mail_talk smtp submit.mail.test 587 --tls starttls --user "$MAIL_USER" --password-file "$MAIL_WRONG_PASSWORD_FILE") || true
    harness_fact "submission refuses a wrong password with 535" '^auth 535 5\.7\.8 ' "$got"
    arm_authgone
    got=$(mail_talk smtp authgone.mail.test 587 --tls starttls --user "$MAIL_USER" --password-file "$pw") || true
    harness_fact "with its Dovecot stopped after smtpd met it, AUTH is answered 454" '^auth 454 4\.7\.0 Temporary authentication failure' "$got"
    got=$(mail_talk smtp authdown.mail.test 587 --tls starttls --user "$MAIL_USER" --password-file "$pw") || true
    harness_fact "with no Dovecot at all, the 587 smtpd dies after STARTTLS" '^ehlo-after-tls closed' "$got"
    got=$(mail_talk smtp authdown.mail.test 465 --tls implicit --user "$MAIL_USER" --password-file "$pw") || true
    harness_fact "with no Dovecot at all, the 465 smtpd dies right after the TLS handshake, before its greeting" \
        '^greeting closed' "$got"
    if grep -q 'fatal: no SASL authentication mechanisms' "$MAIL/postfix.log"; then
        pass "harness: Postfix logged smtpd's death: fatal: no SASL authentication mechanisms"
    else
        fail "harness: no 'fatal: no SASL authentication mechanisms' in the Postfix log"
    fi

    # The busy MX allows one connection per client; a connection from the vm takes it and holds it.
    ip netns exec "$NS_VM" bash -c "exec 3<>/dev/tcp/$MAIL_BUSY_ADDR/25 && exec sleep 600" &
    MAIL_HOLDER=$!
    PIDS+=("$MAIL_HOLDER")
    local deadline=$((SECONDS + 10))
    until got=$(mail_talk smtp mx.busy.mail.test 25) && [[ $got == greeting\ 421* ]] || ((SECONDS >= deadline)); do
        sleep 0.2
    done
    harness_fact "the busy MX, its one connection held, greets the next with 421" '^greeting 421 4\.7\.0 ' "$got"
    got=$(mail_talk smtp mx.reject.mail.test 25) || true
    harness_fact "the rejecting MX greets with 554" '^greeting 554 5\.7\.1 ' "$got"
    got=$(mail_talk smtp mx.rcpt.mail.test 25 --tls starttls --mail-from probe@vm.example.test --rcpt-to postmaster@rcpt.mail.test) || true
    harness_fact "the RCPT-rejecting MX greets, takes EHLO and MAIL FROM, refuses RCPT TO with 554" '^rcpt 554 5\.7\.1 ' "$got"
    got=$(mail_talk smtp mx.rcpt.mail.test 25 --tls starttls) || true
    harness_fact "without RCPT TO the RCPT-rejecting MX looks fine" '^done 221' "$got"
    got=$(mail_talk smtp mx.grey.mail.test 25 --tls starttls --mail-from probe@vm.example.test --rcpt-to postmaster@grey.mail.test) || true
    harness_fact "the greylisting MX defers RCPT TO with 450" '^rcpt 450 4\.3\.2 ' "$got"
    got=$(mail_talk smtp mx.stopped.mail.test 25) || true
    harness_fact "the stopped MX's address answers SYN with RST" '^greeting refused' "$got"
    got=$(ip netns exec "$NS_RT" timeout 10 python3 "$MAIL_CLIENT" smtp "$MAIL_SMARTHOST_ADDR" 25 2>&1) || true
    harness_fact "the smarthost answers on 25 behind the router" '^done 221' "$got"
    local rc=0
    in_vm timeout 2 bash -c "exec 3<>/dev/tcp/$MAIL_SMARTHOST_ADDR/25" 2>/dev/null || rc=$?
    if [[ $rc == 124 ]]; then
        pass "harness: TCP/25 from the vm to the smarthost is silently dropped by the router (still pending after 2s)"
    else
        fail "harness: TCP/25 to the smarthost ended with $rc, expected a hang (timeout exit 124)"
    fi
    got=$(in_vm timeout 5 python3 "$MAIL_CLIENT" txt example.test "$MAIL_DEAD_DNS" 2>&1 | tail -1) || true
    harness_fact "the dead DNS server $MAIL_DEAD_DNS cannot be reached from the vm" 'No route to host' "$got"
    check_mail_harness_r3
    check_mail_harness_delivery
}

# Revision 3's servers, as other clients see them.
check_mail_harness_r3() {
    local got
    got=$(mail_talk smtp mx.rbl.mail.test 25) || true
    harness_fact "the RBL MX looks the vm up in the DNSBL zone and greets it with 554" \
        '^greeting 554 5\.7\.1 Service unavailable; Client host \[198\.51\.100\.10\] blocked using zen\.rbl\.test' "$got"
    got=$(in_vm timeout 10 openssl s_client -starttls smtp -connect "$MAIL_TLS11_ADDR:25" -tls1_2 </dev/null 2>&1 \
        | grep -m1 -E 'alert|no protocols|handshake failure|wrong version|unsupported protocol') || true
    harness_fact "the TLS-1.1 MX fails a TLS 1.2 handshake" '.+' "$got"
    got=$(mail_talk smtp mx.tls11.mail.test 25) || true
    harness_fact "the TLS-1.1 MX takes a session without STARTTLS" '^done 221' "$got"
    got=$(ip -n "$NS_VM" -6 route show default)
    harness_fact "the vm has no IPv6 default route" '^$' "$got"
    got=$(mail_talk smtp submit-login.mail.test 587 --tls starttls --user "$MAIL_USER" --password-file "$MAIL_PASSWORD_FILE" \
        --mail-from probe@vm.example.test --rcpt-to postmaster@elsewhere.test) || true
    harness_fact "the login-checking submission refuses a mail_from owned by another login" \
        '^(mail|rcpt) 553 5\.7\.1 <probe@vm\.example\.test>: Sender address rejected: not owned by user' "$got"
    check_mail_harness_issue22
}

# The servers of issue 22's last situations (Exim, postscreen, reverse DNS, greylisting, a null MX), as other
# clients see them.
check_mail_harness_issue22() {
    local got ca="$WORK/tls/ca.pem"
    got=$(mail_talk greet mx.exim.mail.test 25) || true
    harness_fact "Exim greets as Exim 4.96" '^220 mx\.exim\.mail\.test ESMTP Exim 4\.96 after' "$got"
    got=$(mail_talk smtp mx.exim.mail.test 25 --tls starttls --ca "$ca" --name mx.exim.mail.test \
        --mail-from probe@vm.example.test --rcpt-to postmaster@exim.mail.test) || true
    harness_fact "Exim takes STARTTLS (test-CA certificate) and RCPT for exim.mail.test" '^done 221' "$got"
    got=$(mail_talk smtp mx.eximrbl.mail.test 25 --tls starttls --mail-from probe@vm.example.test \
        --rcpt-to postmaster@eximrbl.mail.test) || true
    harness_fact "Exim's RCPT ACL finds the vm in zen.rbl.test and denies it" \
        '^rcpt 550 5\.7\.1 Rejected because 198\.51\.100\.10 is in a black list at zen\.rbl\.test' "$got"

    # postscreen: a client that talks before the greeting's last line is caught (PREGREET); one that waits
    # gets both lines.
    local pregreets
    pregreets=$(mail_pregreets)
    mail_talk greet mx.postscreen.mail.test 25 --pregreet >/dev/null || true
    mail_log_grows mail_pregreets "$pregreets"
    harness_fact "postscreen logs a client that sends EHLO after \"220-\" as a pregreet talker" "^$((pregreets + 1))\$" \
        "$(mail_pregreets)"
    got=$(mail_talk greet mx.postscreen.mail.test 25) || true
    harness_fact "postscreen greets with \"220-\" at once and smtpd's \"220 \" after its 2 s wait" \
        '^220-mx\.postscreen\.mail\.test ESMTP: wait for the last line of this greeting \| 220 mx\.postscreen\.mail\.test ESMTP after ([2-9]|[1-9][0-9])\.[0-9] s$' \
        "$got"

    got=$(mail_talk smtp mx.noptr.mail.test 25 --mail-from probe@vm.example.test --rcpt-to postmaster@noptr.mail.test) || true
    harness_fact "the no-PTR MX, reached from $VM_NOPTR_ADDR, refuses RCPT for the missing PTR" \
        '^rcpt 550 5\.7\.25 Client host rejected: cannot find your hostname, \[198\.51\.100\.20\]' "$got"
    if grep -qF "connect from unknown[$VM_NOPTR_ADDR]" "$MAIL/postfix.log"; then
        pass "harness: Postfix found no name for $VM_NOPTR_ADDR (connect from unknown[$VM_NOPTR_ADDR])"
    else
        fail "harness: no 'connect from unknown[$VM_NOPTR_ADDR]' in the Postfix log"
    fi
    got=$(mail_talk smtp mx.fcrdns.mail.test 25 --mail-from probe@vm.example.test --rcpt-to postmaster@fcrdns.mail.test) || true
    harness_fact "the unconfirmed-PTR MX, reached from $VM_FCRDNS_ADDR, defers RCPT for the PTR that does not resolve back" \
        '^rcpt 450 4\.7\.25 Client host rejected: cannot find your hostname, \[198\.51\.100\.21\]' "$got"
    if grep -q "hostname unconfirmed\.mail\.test does not resolve to address $VM_FCRDNS_ADDR" "$MAIL/postfix.log"; then
        pass "harness: Postfix logged that the PTR name unconfirmed.mail.test does not resolve to $VM_FCRDNS_ADDR"
    else
        fail "harness: no 'hostname unconfirmed.mail.test does not resolve to address $VM_FCRDNS_ADDR' in the Postfix log"
    fi

    got=$(mail_talk smtp mx.greylist.mail.test 25 --mail-from probe@vm.example.test --rcpt-to postmaster@greylist.mail.test) || true
    harness_fact "the greylisting MX answers RCPT with 450 Greylisted" \
        '^rcpt 450 4\.7\.1 <postmaster@greylist\.mail\.test>: Recipient address rejected: Greylisted, try again later$' "$got"
    got=$(mail_talk mx nullmx.mail.test "$DNS_ADDR" | tr '\n' ' ') || true
    harness_fact "nullmx.mail.test publishes one MX, the null MX \"0 .\"" '^0 \. $' "$got"
}

# How many pregreet talkers postscreen has logged so far (from any client).
mail_pregreets() {
    grep -c 'postscreen.*PREGREET .* from \[' "$MAIL/postfix.log" || true
}

# mail_log_grows COUNTER BEFORE: waits (at most 5s) until the COUNTER function says more than BEFORE; Postfix's
# daemons log through postlogd, a moment after they act.
mail_log_grows() {
    local counter=$1 before=$2 deadline=$((SECONDS + 5))
    until (($($counter) > before)) || ((SECONDS >= deadline)); do
        sleep 0.1
    done
}

# ---------------------------------------------------------------- smtp-probe against them
#
# Every assertion below is the revision-2 answer of README.md "Reading the verdicts". Those whose name carries
# "[r2]" hold only once revision 2 is implemented (roles, receiver_unavailable, dns_unavailable,
# receivers_rejecting, opportunistic TLS with tls.verified, MTA-STS, mail_from/rcpt_to on smtp
# targets, the new metrics); the others were already the contract before it.

# write_mail_config FILE OFFER TARGETS...; DNS_SERVERS as for write_config.
write_mail_config() {
    local file=$1 offer=$2 target servers=${DNS_SERVERS:-"[\"$DNS_ADDR\"]"}
    shift 2
    cat >"$file" <<EOF
subscription:
  offer: $offer
azure:
  metadata: "off"
probe:
  interval: 30s
  jitter: 0s
  timeout: $MAIL_PROBE_TIMEOUT
dns:
  servers: $servers
  ip_family: ${IP_FAMILY:-ipv4}
targets:
EOF
    for target in "$@"; do
        case $target in
            mx-valid | mx-selfsigned | mx-wrongname | mx-busy | mx-reject | mx-stopped | mx-sts | mx-postscreen | mx-nullmx)
                mail_target "$target" "mx: ${target#mx-}.mail.test" smtp ;;
            mx-selfsigned-required | mx-wrongname-required)
                local domain=${target#mx-}
                mail_target "$target" "mx: ${domain%-required}.mail.test" smtp 'starttls: required' ;;
            mx-rbl | mx-tls11 | mx-v6) mail_target "$target" "mx: ${target#mx-}.mail.test" smtp 'mx_hosts: 2' ;;
            mx-twomx) mail_target "$target" "mx: twomx.mail.test" smtp 'mx_hosts: 2' ;;
            mx-example) mail_target "$target" "mx: example.test" smtp ;;
            mx-implicit) mail_target "$target" "mx: implicit.mail.test" smtp ;;
            relay-login) mail_relay "$target" submit-login.mail.test 587 submission "$MAIL_PASSWORD_FILE"
                printf '    mail_from: probe@vm.example.test\n    rcpt_to: postmaster@elsewhere.test\n' ;;
            mx-rcpt | mx-grey | mx-greylist | mx-exim | mx-eximrbl | mx-noptr | mx-fcrdns)
                mail_target "$target" "mx: ${target#mx-}.mail.test" smtp "mail_from: probe@vm.example.test" \
                    "rcpt_to: postmaster@${target#mx-}.mail.test" ;;
            relay) mail_relay relay submit.mail.test 587 submission "$MAIL_PASSWORD_FILE" ;;
            relay-wrong-password) mail_relay "$target" submit.mail.test 587 submission "$MAIL_WRONG_PASSWORD_FILE" ;;
            relay-authgone) mail_relay "$target" authgone.mail.test 587 submission "$MAIL_PASSWORD_FILE" ;;
            relay-authdown) mail_relay "$target" authdown.mail.test 587 submission "$MAIL_PASSWORD_FILE" ;;
            relay-authdown-465) mail_relay "$target" authdown.mail.test 465 smtps "$MAIL_PASSWORD_FILE" ;;
            smarthost) mail_target smarthost "host: smarthost.corp.test" smtp "port: 25" ;;
            control) cat <<EOF
  - name: control
    host: control.example.test
    mode: tcp
    port: 443
EOF
            ;;
            relay-inbox) mail_relay "$target" relay.inbox.mail.test 587 submission "$MAIL_PASSWORD_FILE" ;;
            delivery) mail_delivery "$target" probe imap.mail.test "$MAILBOX_PASSWORD_FILE" 20s ;;
            delivery-held | delivery-late)
                mail_delivery "$target" "${target#delivery-}" imap.mail.test "$MAILBOX_PASSWORD_FILE" "$MAIL_DELIVERY_TIMEOUT" ;;
            delivery-wrong-password) mail_delivery "$target" probe imap.mail.test "$MAIL_WRONG_PASSWORD_FILE" 20s ;;
            delivery-untrusted) mail_delivery "$target" probe imap-selfsigned.mail.test "$MAILBOX_PASSWORD_FILE" 20s ;;
            *) die "write_mail_config: unknown target $target" ;;
        esac
    done >>"$file"
}

# mail_target NAME "host: X"|"mx: X" MODE [LINE...]: a target trusting the test CA.
mail_target() {
    local name=$1 where=$2 mode=$3 line
    shift 3
    printf '  - name: %s\n    %s\n    mode: %s\n' "$name" "$where" "$mode"
    for line in "$@"; do
        printf '    %s\n' "$line"
    done
    printf '    tls:\n      ca_file: %s\n' "$CA_FILE"
}

mail_relay() {
    local name=$1 host=$2 port=$3 mode=$4 password_file=$5
    mail_target "$name" "host: $host" "$mode" "port: $port" "auth:" "  username: $MAIL_USER" \
        "  password_file: $password_file"
}

# mail_delivery NAME USER IMAP-HOST PASSWORD-FILE DELIVERY-TIMEOUT: a delivery target (issue 26) through relay-inbox,
# from and to USER (USER@vm.example.test to USER@inbox.mail.test, so a held sender holds that mailbox's mail), read
# over IMAPS at IMAP-HOST trusting the test CA. Its state file is in DELIVERY_STATE ($WORK/delivery-state when
# unset); DELIVERY_STATE= (empty) leaves state_file out, for the daemon's $STATE_DIRECTORY.
mail_delivery() {
    local name=$1 user=$2 host=$3 password_file=$4 timeout=$5 state=${DELIVERY_STATE-$WORK/delivery-state}
    cat <<EOF
  - name: $name
    mode: delivery
    relay: relay-inbox
    mail_from: $user@vm.example.test
    rcpt_to: $user@inbox.mail.test
    mailbox:
      host: $host
      port: 993
      username: $user@inbox.mail.test
      password_file: $password_file
      tls:
        ca_file: $CA_FILE
    interval: 1m
    delivery_timeout: $timeout
EOF
    [[ -z $state ]] || printf '    state_file: %s/%s.last-sent\n' "$state" "$name"
}

# mail_check NAME ARGS...: `smtp-probe check` from the vm, --output json and text, at once (or one
# after the other with MAIL_CHECK_SERIAL=1, or with MAIL_CHECK_BEFORE=FUNCTION run before each). Sets CHECK_JSON and CHECK_RC (as check does), TEXT_OUT
# and TEXT_RC. NAME is the step label; its first word names the files. MAIL_CHECK_SHAPE (jq) is what a JSON
# report must have: results and a diagnosis unless set (`check --only DELIVERY-TARGET` prints deliveries).
mail_check() {
    local name=$1 file=${1%% *}
    shift
    CHECK_JSON="$WORK/$file.json"
    TEXT_OUT="$WORK/$file.txt"
    [[ -z ${MAIL_CHECK_BEFORE:-} ]] || $MAIL_CHECK_BEFORE
    in_vm timeout 60 java -jar "$JAR" check --output json "$@" >"$CHECK_JSON" 2>"$WORK/$file.err" &
    local json=$!
    if [[ ${MAIL_CHECK_SERIAL:-0} == 1 || -n ${MAIL_CHECK_BEFORE:-} ]]; then
        wait "$json" || true
        [[ -z ${MAIL_CHECK_BEFORE:-} ]] || $MAIL_CHECK_BEFORE
    fi
    in_vm env COLUMNS=250 timeout 60 java -jar "$JAR" check --output text "$@" >"$TEXT_OUT" 2>"$WORK/$file.text.err" &
    local text=$!
    CHECK_RC=0 TEXT_RC=0
    wait "$json" || CHECK_RC=$?
    wait "$text" || TEXT_RC=$?
    if [[ $CHECK_RC == 124 || $TEXT_RC == 124 ]]; then
        fail "$name: check did not finish within 60s"
        return 1
    fi
    if [[ ! -s $CHECK_JSON ]] || ! jq -e "${MAIL_CHECK_SHAPE:-.results and .diagnosis}" "$CHECK_JSON" >/dev/null 2>&1; then
        fail "$name: check printed no JSON report (exit $CHECK_RC): $(head -c 600 "$WORK/$file.err")"
        return 1
    fi
    if [[ $TEXT_RC == "$CHECK_RC" ]]; then pass "$name: the text run exits like the JSON run ($CHECK_RC)"; else
        fail "$name: the text run exits $TEXT_RC, the JSON run $CHECK_RC"; fi
}

# expect_text NAME TARGET OUTCOME VERDICT: the text table's row for TARGET shows both.
expect_text() {
    local name=$1 target=$2 outcome=$3 verdict=$4 row
    # The columns are found by the header's names, so a column added to the table moves nothing here.
    row=$(awk -v t="$target" '
        $1 == "TARGET" { for (i = 1; i <= NF; i++) { if ($i == "OUTCOME") o = i; if ($i == "VERDICT") v = i } }
        o && $1 == t { print $o, $v; exit }' "$TEXT_OUT")
    if [[ $row == "$outcome $verdict" ]]; then pass "$name: text: $target $outcome $verdict"; else
        fail "$name: text: $target shows \"$row\", expected \"$outcome $verdict\""; fi
}

expect_text_diagnosis() {
    local name=$1 want=$2
    if grep -qx "Diagnosis: $want" "$TEXT_OUT"; then pass "$name: text: Diagnosis: $want"; else
        fail "$name: text: $(grep -m1 '^Diagnosis:' "$TEXT_OUT" || echo 'no Diagnosis line'), expected Diagnosis: $want"; fi
}

# expect_target NAME TARGET OUTCOME VERDICT: JSON and text agree on both.
expect_target() {
    expect_result "$1" "$2" outcome "$3"
    expect_result "$1" "$2" verdict "$4"
    expect_text "$1" "$2" "$3" "$4"
}

expect_both_diagnosis() {
    expect_diagnosis "$1" "$2"
    expect_text_diagnosis "$1" "$2"
}

expect_reply() {
    local name=$1 target=$2 prefix=$3
    expect_jq "$name" "$target's reply starts with \"$prefix\"" \
        "[.results[] | select(.target == \"$target\")][0].reply | startswith(\"$prefix\")"
}

# expect_no_mail_secret NAME [FILE [WHAT]]: the password in FILE (the submission password unless given) is in
# neither run's output.
expect_no_mail_secret() {
    local name=$1 file=${2:-$MAIL_PASSWORD_FILE} what=${3:-the submission password} secret
    secret=$(tr -d '\n' <"$file")
    if grep -qF -- "$secret" "$CHECK_JSON" "$TEXT_OUT" "$WORK/${name%% *}.err" "$WORK/${name%% *}.text.err"; then
        fail "$name: $what appears in the output"
    else
        pass "$name: $what appears nowhere in the output"
    fi
}

# tls.verified as recorded: VALUE true or false; false also needs a verify_error saying why.
expect_tls_verified() {
    local name=$1 target=$2 value=$3
    if [[ $value == true ]]; then
        expect_jq "$name" "$target: tls.verified true, no verify_error" \
            "[.results[] | select(.target == \"$target\")][0].tls | .verified == true and .verify_error == null"
    else
        expect_jq "$name" "$target: TLS negotiated, tls.verified false with a verify_error" \
            "[.results[] | select(.target == \"$target\")][0].tls | (.version | startswith(\"TLS\")) and .verified == false and (.verify_error | type == \"string\" and length > 0)"
    fi
}

scenario_mail_mx_valid() {
    local n=mail-mx-valid cfg="$WORK/mail-mx-valid.yml"
    say "scenario $n: enterprise agreement, an MX (Postfix) with a certificate from the test CA"
    write_mail_config "$cfg" enterprise-agreement mx-valid
    mail_check "$n" --config "$cfg" || return 0
    expect_target "$n" mx-valid ok as_expected
    expect_result "$n" mx-valid address "$MAIL_VALID_ADDR"
    expect_jq "$n" "the conversation upgraded with STARTTLS" '.results[0].tls.version | startswith("TLS")'
    expect_both_diagnosis "$n" port25_open_as_expected
    expect_exit "$n" 0
    expect_result "$n [r2]" mx-valid role mx
    expect_tls_verified "$n [r2]" mx-valid true
}

# An MX whose certificate does not verify is one MTAs deliver to (RFC 7435): the probe says ok,
# and records that verification failed.
scenario_mail_mx_unverified() {
    local n=mail-mx-$1 cfg="$WORK/mail-mx-$1.yml" target=mx-$1
    say "scenario $n: enterprise agreement, an MX (Postfix) with a $2 certificate, starttls: opportunistic"
    write_mail_config "$cfg" enterprise-agreement "$target"
    mail_check "$n" --config "$cfg" || return 0
    expect_target "$n [r2]" "$target" ok as_expected
    expect_tls_verified "$n [r2]" "$target" false
    expect_both_diagnosis "$n [r2]" port25_open_as_expected
    expect_exit "$n [r2]" 0
}

scenario_mail_mx_required() {
    local n=mail-mx-required cfg="$WORK/mail-mx-required.yml"
    say "scenario $n: enterprise agreement, the self-signed and the wrong-name MX with starttls: required"
    write_mail_config "$cfg" enterprise-agreement mx-selfsigned-required mx-wrongname-required
    mail_check "$n" --config "$cfg" || return 0
    expect_target "$n" mx-selfsigned-required tls_certificate_invalid session_failed
    expect_target "$n" mx-wrongname-required tls_certificate_invalid session_failed
    expect_exit "$n" 1
}

scenario_mail_submission() {
    local n=mail-submission cfg="$WORK/mail-submission.yml"
    say "scenario $n: enterprise agreement, submission to Postfix with Dovecot SASL, the right password"
    write_mail_config "$cfg" enterprise-agreement mx-valid relay
    mail_check "$n" --config "$cfg" || return 0
    expect_target "$n" relay ok as_expected
    expect_reply "$n" relay 235
    expect_target "$n" mx-valid ok as_expected
    expect_both_diagnosis "$n" port25_open_as_expected
    expect_exit "$n" 0
    expect_no_mail_secret "$n"
    expect_result "$n [r2]" relay role relay
    expect_tls_verified "$n [r2]" relay true
}

scenario_mail_wrong_password() {
    local n=mail-wrong-password cfg="$WORK/mail-wrong-password.yml"
    say "scenario $n: enterprise agreement, submission with a wrong password"
    write_mail_config "$cfg" enterprise-agreement mx-valid relay-wrong-password
    mail_check "$n" --config "$cfg" || return 0
    expect_target "$n" relay-wrong-password auth_rejected session_failed
    expect_reply "$n" relay-wrong-password "535 5.7.8"
    expect_both_diagnosis "$n" relay_failing
    expect_exit "$n" 1
    expect_result "$n [r2]" relay-wrong-password role relay
}

scenario_mail_auth_tempfail() {
    local n=mail-auth-tempfail cfg="$WORK/mail-auth-tempfail.yml"
    say "scenario $n: enterprise agreement, submission whose Dovecot was stopped under Postfix"
    write_mail_config "$cfg" enterprise-agreement mx-valid relay-authgone
    MAIL_CHECK_BEFORE=arm_authgone mail_check "$n" --config "$cfg" || return 0
    expect_target "$n" relay-authgone auth_tempfail session_failed
    expect_reply "$n" relay-authgone "454 4.7.0"
    expect_both_diagnosis "$n" relay_failing
    expect_exit "$n" 1
}

# The smtpd dies once TLS is up (it cannot list SASL mechanisms): a session failure of the relay,
# and nothing in the detail may blame the port's TLS mode, since the handshake completed.
scenario_mail_auth_down() {
    local n=mail-auth-down cfg="$WORK/mail-auth-down.yml"
    say "scenario $n: enterprise agreement, submission (587) and smtps (465) with no Dovecot behind Postfix"
    write_mail_config "$cfg" enterprise-agreement mx-valid relay-authdown relay-authdown-465
    # Each probe kills an smtpd, after which Postfix holds the service back for a second
    # (service_throttle_time): two checks at once would wait for each other.
    MAIL_CHECK_SERIAL=1 mail_check "$n" --config "$cfg" || return 0
    expect_target "$n" relay-authdown protocol_error session_failed
    expect_target "$n" relay-authdown-465 protocol_error session_failed
    expect_both_diagnosis "$n" relay_failing
    expect_exit "$n" 1
    expect_jq "$n [r2]" "relay-authdown-465's detail does not ask whether 465 is an implicit-TLS port" \
        '[.results[] | select(.target == "relay-authdown-465")][0].detail | test("implicit-TLS|smtps\\) port") | not'
    expect_jq "$n" "both record the TLS session that was established before the server closed" \
        '[.results[] | select(.target | startswith("relay-authdown")) | .tls.version | startswith("TLS")] == [true, true]'
}

scenario_mail_busy() {
    local n=mail-busy cfg="$WORK/mail-busy.yml"
    say "scenario $n: enterprise agreement, an MX at its connection limit (421 greeting)"
    write_mail_config "$cfg" enterprise-agreement mx-busy
    mail_check "$n" --config "$cfg" || return 0
    expect_result "$n" mx-busy outcome greeting_rejected
    expect_reply "$n" mx-busy "421 4.7.0"
    expect_exit "$n" 1
    expect_target "$n [r2]" mx-busy greeting_rejected receiver_unavailable
    expect_both_diagnosis "$n [r2]" receivers_rejecting
    expect_jq "$n [r2]" "the explanation names the MX and its 421" \
        '.diagnosis.explanation | test("mx\\.busy\\.mail\\.test|mx-busy") and test("421")'
}

scenario_mail_reject() {
    local n=mail-reject cfg="$WORK/mail-reject.yml"
    say "scenario $n: enterprise agreement, an MX that rejects the client at the greeting (554)"
    write_mail_config "$cfg" enterprise-agreement mx-reject
    mail_check "$n" --config "$cfg" || return 0
    expect_target "$n" mx-reject greeting_rejected receiver_rejected
    expect_reply "$n" mx-reject "554 5.7.1"
    expect_exit "$n" 1
    expect_both_diagnosis "$n [r2]" receivers_rejecting
}

# Needs mail_from/rcpt_to on smtp targets: the whole config is revision 2.
# Revision 3 reads each refusal's cause: Postfix's "defer" (450 4.3.2 "Try again later") and a greylisting
# access map (450 4.7.1 "Greylisted, try again later") are greylisting, passing; the 554 is a policy, lasting.
scenario_mail_rcpt() {
    local n="mail-rcpt [r2]" cfg="$WORK/mail-rcpt.yml"
    say "scenario mail-rcpt: enterprise agreement, MX hosts that refuse (554) or defer (450, 450 greylisted) at RCPT TO"
    write_mail_config "$cfg" enterprise-agreement mx-rcpt mx-grey mx-greylist
    mail_check "$n" --config "$cfg" || return 0
    expect_target "$n" mx-rcpt recipient_rejected receiver_rejected
    expect_reply "$n" mx-rcpt "554 5.7.1"
    expect_target "$n" mx-grey recipient_rejected receiver_unavailable
    expect_reply "$n" mx-grey "450 4.3.2"
    expect_both_diagnosis "$n" receivers_rejecting
    expect_exit "$n" 1
    n="mail-rcpt [r3]"
    expect_cause "$n" mx-rcpt policy
    expect_cause "$n" mx-grey greylisted
    expect_target "$n" mx-greylist recipient_rejected receiver_unavailable
    expect_reply "$n" mx-greylist "450 4.7.1 <postmaster@greylist.mail.test>: Recipient address rejected: Greylisted"
    expect_cause "$n" mx-greylist greylisted
    expect_deliverable "$n" mx-grey false receiver_unavailable
    expect_deliverable "$n" mx-greylist false receiver_unavailable
    expect_jq "$n" "the explanation calls both greylisting refusals passing, a retry delivers" \
        '.diagnosis.explanation | test("mx-grey [^;]* \\(passing\\), cause greylisted: the receiver greylists new senders: a retry delivers") and test("mx-greylist [^;]* \\(passing\\), cause greylisted")'
    expect_jq "$n" "the action is the lasting 554's (a policy), not a retry" \
        '.diagnosis.action | startswith("Read the reply")'
}

scenario_mail_stopped() {
    local n=mail-stopped cfg="$WORK/mail-stopped.yml"
    say "scenario $n: enterprise agreement, an MX whose server is stopped (RST), a control that connects"
    write_mail_config "$cfg" enterprise-agreement mx-stopped control
    mail_check "$n" --config "$cfg" || return 0
    expect_result "$n" mx-stopped outcome tcp_refused
    expect_result "$n" control outcome ok
    expect_exit "$n" 1
    expect_target "$n [r2]" mx-stopped tcp_refused receiver_unavailable
    expect_both_diagnosis "$n [r2]" receivers_rejecting
}

scenario_mail_smarthost() {
    local n=mail-smarthost cfg="$WORK/mail-smarthost.yml"
    say "scenario $n: pay-as-you-go, only a private smarthost on 25, dropped on the way"
    rule_azure_port25
    write_mail_config "$cfg" pay-as-you-go smarthost
    mail_check "$n" --config "$cfg" || return 0
    expect_result "$n" smarthost expected reachable
    expect_target "$n" smarthost tcp_timeout unexpectedly_blocked
    expect_exit "$n" 1
    expect_result "$n [r2]" smarthost role relay
    expect_both_diagnosis "$n [r2]" relay_failing

    n=mail-smarthost-beside cfg="$WORK/mail-smarthost-beside.yml"
    say "scenario $n: enterprise agreement, the dropped smarthost beside a working MX and control"
    rule_none
    write_mail_config "$cfg" enterprise-agreement mx-valid smarthost control
    mail_check "$n" --config "$cfg" || return 0
    expect_target "$n" smarthost tcp_timeout unexpectedly_blocked
    expect_target "$n" mx-valid ok as_expected
    expect_exit "$n" 1
    expect_both_diagnosis "$n [r2]" relay_failing
}

scenario_mail_dns_down() {
    local n=mail-dns-down cfg="$WORK/mail-dns-down.yml"
    say "scenario $n: enterprise agreement, dns.servers names a resolver the vm has no route to"
    DNS_SERVERS="[\"$MAIL_DEAD_DNS\"]" write_mail_config "$cfg" enterprise-agreement mx-valid relay control
    mail_check "$n" --config "$cfg" || return 0
    expect_target "$n" mx-valid dns_failure inconclusive
    expect_target "$n" relay dns_failure inconclusive
    expect_target "$n" control dns_failure inconclusive
    expect_exit "$n" 2
    expect_both_diagnosis "$n [r2]" dns_unavailable
    expect_jq "$n [r2]" "the explanation names the resolver" ".diagnosis.explanation | contains(\"$MAIL_DEAD_DNS\")"
}

# The same kind of certificate as mx-selfsigned, but the domain publishes an MTA-STS policy in
# enforce mode: senders that honour it do not deliver, so the probe fails it.
scenario_mail_mta_sts() {
    local n=mail-mta-sts cfg="$WORK/mail-mta-sts.yml"
    say "scenario $n: enterprise agreement, an MX with a self-signed certificate under an MTA-STS enforce policy"
    write_mail_config "$cfg" enterprise-agreement mx-sts mx-valid
    local fetched_before asked_before
    fetched_before=$(grep -c 'mta-sts.txt' "$MAIL/sts-policy.log") || true
    asked_before=$(mail_sts_queries)
    mail_check "$n" --config "$cfg" || return 0
    expect_target "$n" mx-sts tls_certificate_invalid session_failed
    expect_target "$n" mx-valid ok as_expected
    expect_exit "$n" 1
    if (($(mail_sts_queries) > asked_before)); then
        pass "$n [r2]: the probe asked DNS for _mta-sts.sts.mail.test TXT"
    else
        fail "$n [r2]: no TXT query for _mta-sts.sts.mail.test from the vm in the dnsmasq log"
    fi
    if (($(grep -c 'mta-sts.txt' "$MAIL/sts-policy.log") > fetched_before)); then
        pass "$n [r2]: the probe fetched https://mta-sts.sts.mail.test/.well-known/mta-sts.txt"
    else
        fail "$n [r2]: the policy host served no /.well-known/mta-sts.txt during the check"
    fi
}

# How many TXT queries for _mta-sts.sts.mail.test dnsmasq has answered the vm so far.
mail_sts_queries() {
    grep -c "query\[TXT\] _mta-sts\.sts\.mail\.test from $VM_ADDR" "$WORK/dnsmasq.log" || true
}

# The daemon against some of the same servers: /metrics and /status carry the revision-2 answer, and revision
# 3's causes and deliverable domains (Exim taking RCPT and denying by DNSBL, greylisting, no PTR). One daemon
# for both: its round lasts as long as the dropped smarthost's deadline anyway.
scenario_mail_daemon() {
    local n=mail-daemon cfg="$WORK/mail-daemon.yml" metrics="$WORK/mail-metrics.txt" port=$((DAEMON_PORT + 1))
    local targets="mx-valid mx-selfsigned relay smarthost mx-stopped mx-exim mx-eximrbl mx-greylist mx-noptr"
    say "scenario $n: smtp-probe run, enterprise agreement: valid and self-signed MX, submission, dropped smarthost, stopped MX;" \
        "Exim taking RCPT and denying by DNSBL, greylisting, no PTR"
    rule_none
    # shellcheck disable=SC2086
    write_mail_config "$cfg" enterprise-agreement $targets
    ip netns exec "$NS_VM" java -jar "$JAR" run --config "$cfg" --web.listen-address "127.0.0.1:$port" \
        >"$WORK/mail-daemon.log" 2>&1 &
    local daemon=$!
    PIDS+=("$daemon")
    # The first round is complete when every target has a verdict.
    local deadline=$((SECONDS + 40)) scraped=0 target
    while ((SECONDS < deadline)) && kill -0 "$daemon" 2>/dev/null; do
        if in_vm curl -sf --max-time 2 "http://127.0.0.1:$port/metrics" -o "$metrics"; then
            scraped=1
            for target in $targets; do
                grep -q "^smtp_probe_verdict{.*target=\"$target\".* 1" "$metrics" || scraped=0
            done
            ((scraped)) && break
        fi
        sleep 0.5
    done
    if ((scraped)); then pass "$n: every target has a verdict in /metrics"; else
        fail "$n: no complete round in /metrics within 40s: $(tail -3 "$WORK/mail-daemon.log")"
        kill -TERM "$daemon" 2>/dev/null || true
        return 0
    fi
    mail_metric "$n" smtp_probe_verdict 1 target=mx-valid verdict=as_expected
    mail_metric "$n" smtp_probe_verdict 1 target=relay verdict=as_expected
    mail_metric "$n" smtp_probe_verdict 1 target=smarthost verdict=unexpectedly_blocked
    mail_metric "$n [r2]" smtp_probe_success 1 target=mx-valid port=25 mode=smtp role=mx
    mail_metric "$n [r2]" smtp_probe_success 1 target=mx-selfsigned port=25 mode=smtp role=mx
    mail_metric "$n [r2]" smtp_probe_success 1 target=relay port=587 mode=submission role=relay
    mail_metric "$n [r2]" smtp_probe_success 0 target=smarthost port=25 mode=smtp role=relay
    mail_metric "$n [r2]" smtp_probe_success 0 target=mx-stopped port=25 mode=smtp role=mx
    mail_metric "$n [r2]" smtp_probe_tls_verified 1 target=mx-valid
    mail_metric "$n [r2]" smtp_probe_tls_verified 0 target=mx-selfsigned
    mail_metric "$n [r2]" smtp_probe_tls_verified 1 target=relay
    mail_metric "$n [r2]" smtp_probe_verdict 1 target=mx-selfsigned verdict=as_expected
    mail_metric "$n [r2]" smtp_probe_verdict 1 target=mx-stopped verdict=receiver_unavailable
    mail_metric "$n [r2]" smtp_probe_diagnosis 1 diagnosis=relay_failing
    if grep -qE '^smtp_probe_tls_verified\{[^}]*target="(smarthost|mx-stopped)"' "$metrics"; then
        fail "$n [r2]: smtp_probe_tls_verified is exported for a target that negotiated no TLS"
    else
        pass "$n [r2]: no smtp_probe_tls_verified for the targets without TLS (smarthost, mx-stopped)"
    fi
    CHECK_JSON="$WORK/mail-status.json"
    if in_vm curl -sf --max-time 2 "http://127.0.0.1:$port/status" -o "$CHECK_JSON"; then
        expect_result "$n" mx-valid verdict as_expected
        expect_result "$n [r2]" mx-selfsigned outcome ok
        expect_tls_verified "$n [r2]" mx-selfsigned false
        expect_result "$n [r2]" smarthost role relay
        expect_result "$n [r2]" mx-stopped verdict receiver_unavailable
        expect_diagnosis "$n [r2]" relay_failing
        mail_daemon_r3 "$n [r3]"
    else
        fail "$n: GET /status failed"
    fi
    if grep -qF -- "$(tr -d '\n' <"$MAIL_PASSWORD_FILE")" "$metrics" "$CHECK_JSON" "$WORK/mail-daemon.log"; then
        fail "$n: the submission password appears in the metrics, /status or the daemon's log"
    else
        pass "$n: the submission password appears nowhere in the metrics, /status or the daemon's log"
    fi
    mail_daemon_stop "$daemon"
}

mail_metric() {
    local name=$1 metric=$2 value=$3
    shift 3
    local first="${1%%=*}=\"${1#*=}\""
    if metric_is "$metrics" "$metric" "$value" "$@"; then pass "$name: $metric{$*} $value"; else
        fail "$name: no $metric{$*} $value; found: $(grep "^$metric{" "$metrics" | grep -F -- "$first" | head -3 | tr '\n' ' ')"
    fi
}

# Every mail scenario, in an order that keeps rule changes few.
# ---------------------------------------------------------------- revision 3, against real servers

scenario_mail_two_mx() {
    local n="mail-two-mx [r3]" cfg="$WORK/mail-two-mx.yml"
    say "scenario mail-two-mx: enterprise agreement, MX 10 resets (nothing listens), MX 20 takes the session"
    write_mail_config "$cfg" enterprise-agreement mx-twomx control
    mail_check "$n" --config "$cfg" || return 0
    expect_jq "$n" "MX 10 tcp_refused, MX 20 ok, each with its own result" \
        '[.results[] | select(.target == "mx-twomx") | .host + " " + .outcome] == ["mx10.twomx.mail.test tcp_refused", "mx20.twomx.mail.test ok"]'
    expect_jq "$n" "the domain is deliverable and as expected" \
        '.targets[] | select(.name == "mx-twomx") | .deliverable == true and .verdict == "as_expected"'
    expect_both_diagnosis "$n" port25_open_as_expected
    expect_jq "$n" "the explanation warns that MX 10 refused and mail goes to MX 20" \
        '.diagnosis.explanation | test("mx10.twomx.mail.test of mx-twomx refused at connect \\(RST\\); mail goes to mx20.twomx.mail.test")'
    expect_exit "$n" 0
}

scenario_mail_v6_only() {
    local n="mail-v6-only [r3]" cfg="$WORK/mail-v6-only.yml"
    say "scenario mail-v6-only: enterprise agreement, ip_family any, MX 10 AAAA-only on a vm without IPv6, MX 20 works"
    IP_FAMILY=any write_mail_config "$cfg" enterprise-agreement mx-v6 control
    mail_check "$n" --config "$cfg" || return 0
    expect_jq "$n" "MX 10 no_route (no packet left), MX 20 ok" \
        '[.results[] | select(.target == "mx-v6") | .host + " " + .outcome] == ["mx10.v6.mail.test no_route", "mx20.v6.mail.test ok"]'
    expect_jq "$n" "no_route is inconclusive, never unexpectedly_blocked" \
        '[.results[] | select(.outcome == "no_route")][0].verdict == "inconclusive"'
    expect_jq "$n" "the domain is deliverable" '.targets[] | select(.name == "mx-v6") | .deliverable == true'
    expect_both_diagnosis "$n" port25_open_as_expected
    expect_exit "$n" 0
}

scenario_mail_tls_fallback() {
    local n="mail-tls-fallback [r3]" cfg="$WORK/mail-tls-fallback.yml"
    say "scenario mail-tls-fallback: enterprise agreement, an MX whose STARTTLS offers only TLS 1.0/1.1"
    write_mail_config "$cfg" enterprise-agreement mx-tls11
    mail_check "$n" --config "$cfg" || return 0
    expect_target "$n" mx-tls11 ok as_expected
    expect_jq "$n" "tls records the plaintext fallback and the handshake error, unverified" \
        '.results[0].tls | .fallback == "plaintext" and .verified == false and (.handshake_error | length > 0)'
    expect_both_diagnosis "$n" port25_open_as_expected
    expect_exit "$n" 0
}

scenario_mail_rbl() {
    local n="mail-rbl [r3]" cfg="$WORK/mail-rbl.yml"
    say "scenario mail-rbl: enterprise agreement, an MX that finds the vm on its DNSBL (reject_rbl_client)"
    write_mail_config "$cfg" enterprise-agreement mx-rbl control
    mail_check "$n" --config "$cfg" || return 0
    expect_target "$n" mx-rbl greeting_rejected receiver_rejected
    expect_result "$n" mx-rbl cause ip_blocklisted
    expect_both_diagnosis "$n" receivers_rejecting
    expect_jq "$n" "the explanation names the VM's public IP the reply quotes" \
        '.diagnosis.explanation | test("cause ip_blocklisted: this VM.s public IP \\(198\\.51\\.100\\.10\\)")'
    expect_jq "$n" "the action is the blocklist's, naming the address" '.diagnosis.action | startswith("Look 198.51.100.10 up")'
    if grep -q '\[cause: ip_blocklisted\]' "$TEXT_OUT"; then pass "$n: text: REASON leads with the cause"; else
        fail "$n: text: no [cause: ip_blocklisted] in the table"; fi
    expect_exit "$n" 1
}

# The vm's own firewall rejects TCP/25: with an RST (nftables "reject with tcp reset", as ufw and firewalld
# do), or with ICMP administratively prohibited.
rule_vm_rejects_port25() {
    in_vm nft -f - <<EOF
table inet spnet_azure
delete table inet spnet_azure
table inet spnet_azure {
    chain output {
        type filter hook output priority 0; policy accept;
        meta l4proto tcp tcp dport 25 $1
    }
}
EOF
}

scenario_mail_vm_firewall() {
    local n="mail-vm-firewall-rst [r3]" cfg="$WORK/mail-vm-firewall.yml"
    say "scenario mail-vm-firewall-rst: enterprise agreement, the vm's nftables rejects TCP/25 with an RST"
    rule_vm_rejects_port25 "reject with tcp reset"
    write_mail_config "$cfg" enterprise-agreement mx-valid mx-example control
    mail_check "$n" --config "$cfg" || { rule_none; return 0; }
    expect_result "$n" mx-valid outcome tcp_refused
    expect_result "$n" mx-example outcome tcp_refused
    expect_result "$n" control outcome ok
    expect_both_diagnosis "$n" port25_blocked_unexpectedly
    expect_jq "$n" "the explanation says a firewall rejects, on the VM or its path, not the receivers" \
        '.diagnosis.explanation | test("firewall that rejects port 25: on this VM \\(nftables") and (test("receiving side") | not)'
    expect_exit "$n" 1

    n="mail-vm-firewall-icmp [r3]"
    say "scenario mail-vm-firewall-icmp: enterprise agreement, the vm's nftables rejects TCP/25 with ICMP admin-prohibited"
    rule_vm_rejects_port25 "reject with icmpx admin-prohibited"
    mail_check "$n" --config "$cfg" || { rule_none; return 0; }
    expect_target "$n" mx-valid unreachable unexpectedly_blocked
    expect_jq "$n" "the detail says an ICMP reject came back, not that nothing answered" \
        '[.results[] | select(.target == "mx-valid")][0].detail | test("ICMP unreachable came back") and (test("no answer") | not)'
    expect_both_diagnosis "$n" port25_blocked_unexpectedly
    expect_exit "$n" 1
    rule_none
}

scenario_mail_sender_login() {
    local n="mail-sender-login [r3]" cfg="$WORK/mail-sender-login.yml"
    say "scenario mail-sender-login: pay-as-you-go, a relay whose login may not send as the probe's mail_from"
    write_mail_config "$cfg" pay-as-you-go relay-login
    mail_check "$n" --config "$cfg" || return 0
    # Postfix delays restrictions to RCPT TO (smtpd_delay_reject=yes): the refusal of the sender comes there.
    expect_target "$n" relay-login recipient_rejected receiver_rejected
    expect_jq "$n" "the detail says the sender was refused, at RCPT TO" \
        '.results[0].detail | startswith("the server refused the sender at RCPT TO")'
    expect_result "$n" relay-login cause sender_not_allowed
    expect_both_diagnosis "$n" relay_failing
    expect_jq "$n" "the action names mail_from" '.diagnosis.action | startswith("Set mail_from of target relay-login")'
    expect_exit "$n" 1
}

scenario_mail_implicit_mx() {
    local n="mail-implicit-mx [r3]" cfg="$WORK/mail-implicit-mx.yml"
    say "scenario mail-implicit-mx: enterprise agreement, a domain with no MX record, only an address"
    write_mail_config "$cfg" enterprise-agreement mx-implicit
    mail_check "$n" --config "$cfg" || return 0
    expect_target "$n" mx-implicit ok as_expected
    expect_result "$n" mx-implicit host implicit.mail.test
    expect_jq "$n" "the domain is deliverable" '.targets[0].deliverable == true'
    expect_exit "$n" 0
}

# Issue 23: POST /-/reload from another machine is refused without authentication; from the VM itself (its
# own address, not only loopback) it reloads. The router namespace is the other machine.
scenario_remote_reload() {
    local n="daemon-remote-reload [issue 23]" cfg="$WORK/remote-reload.yml" port=9927 code
    say "scenario daemon-remote-reload: the agent listens on the vm's address; the router posts /-/reload"
    write_mail_config "$cfg" enterprise-agreement control
    ip netns exec "$NS_VM" java -jar "$JAR" run --config "$cfg" --web.listen-address "$VM_ADDR:$port" \
        >"$WORK/remote-reload.log" 2>&1 &
    local pid=$! deadline=$((SECONDS + 60))
    PIDS+=("$pid")
    until in_vm curl -sf --max-time 2 "http://$VM_ADDR:$port/-/healthy" >/dev/null 2>&1 || ((SECONDS >= deadline)); do
        sleep 0.5
    done
    code=$(ip netns exec "$NS_RT" curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST \
        "http://$VM_ADDR:$port/-/reload") || true
    if [[ $code == 403 ]]; then pass "$n: from the router: 403"; else fail "$n: from the router: $code, expected 403"; fi
    code=$(ip netns exec "$NS_RT" curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://$VM_ADDR:$port/metrics") || true
    if [[ $code == 200 ]]; then pass "$n: /metrics from the router: 200"; else fail "$n: /metrics from the router: $code"; fi
    code=$(in_vm curl -s -o /dev/null -w '%{http_code}' --max-time 30 -X POST "http://$VM_ADDR:$port/-/reload") || true
    if [[ $code == 200 ]]; then pass "$n: from the vm itself: 200"; else fail "$n: from the vm itself: $code, expected 200"; fi
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
}

# ---------------------------------------------------------------- issue 22's last servers, revision 3

# expect_cause NAME TARGET CAUSE: the cause of TARGET's first result (JSON), of the target as a whole
# (targets[]), and at the head of its REASON in the text table.
expect_cause() {
    local name=$1 target=$2 cause=$3
    expect_result "$name" "$target" cause "$cause"
    expect_jq "$name" "targets[] $target: cause $cause" \
        "[.targets[] | select(.name == \"$target\")][0].cause == \"$cause\""
    if awk -v t="$target" -v c="[cause: $cause]" '$1 == t && index($0, c) { found = 1 } END { exit !found }' "$TEXT_OUT"
    then pass "$name: text: $target's REASON leads with [cause: $cause]"; else
        fail "$name: text: no [cause: $cause] in $target's row: $(awk -v t="$target" '$1 == t' "$TEXT_OUT")"; fi
}

# expect_deliverable NAME TARGET true|false VERDICT: the mx: target judged as a domain (targets[]).
expect_deliverable() {
    local name=$1 target=$2 deliverable=$3 verdict=$4
    expect_jq "$name" "targets[] $target: deliverable $deliverable, verdict $verdict" \
        "[.targets[] | select(.name == \"$target\")][0] | .deliverable == $deliverable and .verdict == \"$verdict\""
}

scenario_mail_exim() {
    local n="mail-exim [r3]" cfg="$WORK/mail-exim.yml"
    say "scenario mail-exim: enterprise agreement, Exim 4.96 as two MX: one takes RCPT, one's ACL denies the vm (DNSBL)"
    write_mail_config "$cfg" enterprise-agreement mx-exim mx-eximrbl
    mail_check "$n" --config "$cfg" || return 0
    expect_target "$n" mx-exim ok as_expected
    expect_tls_verified "$n" mx-exim true
    expect_reply "$n" mx-exim "250 Accepted"
    expect_deliverable "$n" mx-exim true as_expected
    expect_target "$n" mx-eximrbl recipient_rejected receiver_rejected
    expect_reply "$n" mx-eximrbl "550 5.7.1 Rejected because 198.51.100.10 is in a black list at zen.rbl.test"
    expect_cause "$n" mx-eximrbl ip_blocklisted
    expect_deliverable "$n" mx-eximrbl false receiver_rejected
    expect_both_diagnosis "$n" receivers_rejecting
    expect_jq "$n" "the explanation names the VM's public IP the reply quotes" \
        '.diagnosis.explanation | test("mx-eximrbl .*cause ip_blocklisted: this VM.s public IP \\(198\\.51\\.100\\.10\\)")'
    expect_jq "$n" "the action is the blocklist's, naming the address" '.diagnosis.action | startswith("Look 198.51.100.10 up")'
    expect_exit "$n" 1
}

# postscreen says "220-" at once and lets smtpd say "220 " after its wait: a client that sends EHLO before the
# last line is a pregreet talker (enforce: refused later). The probe must wait for the whole greeting.
scenario_mail_postscreen() {
    local n="mail-postscreen [r3]" cfg="$WORK/mail-postscreen.yml"
    say "scenario mail-postscreen: enterprise agreement, an MX behind postscreen with a two-line greeting"
    write_mail_config "$cfg" enterprise-agreement mx-postscreen
    local pregreets passes
    pregreets=$(mail_pregreets)
    passes=$(mail_postscreen_passes)
    mail_check "$n" --config "$cfg" || return 0
    expect_target "$n" mx-postscreen ok as_expected
    expect_tls_verified "$n" mx-postscreen true
    expect_jq "$n" "the greeting phase lasted postscreen's 2 s wait: the probe waited for the last line" \
        '.results[0].phases.greeting >= 1.9'
    expect_deliverable "$n" mx-postscreen true as_expected
    expect_both_diagnosis "$n" port25_open_as_expected
    expect_exit "$n" 0
    # Both checks (JSON and text) passed postscreen's test, and neither talked before its turn.
    mail_log_grows mail_postscreen_passes $((passes + 1))
    if (($(mail_postscreen_passes) >= passes + 2)); then
        pass "$n: postscreen passed both checks' connections from $VM_ADDR"
    else
        fail "$n: postscreen passed $(($(mail_postscreen_passes) - passes)) connections from $VM_ADDR, expected 2"
    fi
    if (($(mail_pregreets) == pregreets)); then pass "$n: postscreen logged no PREGREET for the probe"; else
        fail "$n: postscreen logged the probe as a pregreet talker: $(grep 'PREGREET' "$MAIL/postfix.log" | tail -1)"; fi
}

# How many connections from the vm's main address postscreen has passed: PASS NEW the first time, PASS OLD
# once the address is known (its pregreet test expires after 1s and is made again, as the greeting's wait shows).
mail_postscreen_passes() {
    grep -cE "postscreen.*PASS (NEW|OLD) \[$VM_ADDR\]" "$MAIL/postfix.log" || true
}

# reject_unknown_client_hostname, as Postfix answers a VM address without a PTR (550, set so) and one whose
# PTR names a host at another address (450, Postfix's default).
scenario_mail_no_ptr() {
    local n="mail-no-ptr [r3]" cfg="$WORK/mail-no-ptr.yml"
    say "scenario mail-no-ptr: enterprise agreement, MX hosts with reject_unknown_client_hostname: no PTR, unconfirmed PTR"
    write_mail_config "$cfg" enterprise-agreement mx-noptr mx-fcrdns
    mail_check "$n" --config "$cfg" || return 0
    expect_target "$n" mx-noptr recipient_rejected receiver_rejected
    expect_reply "$n" mx-noptr "550 5.7.25 Client host rejected: cannot find your hostname, [$VM_NOPTR_ADDR]"
    expect_cause "$n" mx-noptr no_reverse_dns
    expect_deliverable "$n" mx-noptr false receiver_rejected
    expect_target "$n" mx-fcrdns recipient_rejected receiver_unavailable
    expect_reply "$n" mx-fcrdns "450 4.7.25 Client host rejected: cannot find your hostname, [$VM_FCRDNS_ADDR]"
    expect_cause "$n" mx-fcrdns no_reverse_dns
    expect_deliverable "$n" mx-fcrdns false receiver_unavailable
    expect_both_diagnosis "$n" receivers_rejecting
    expect_jq "$n" "the explanation names each VM address the replies quote, with no matching PTR" \
        '.diagnosis.explanation | test("this VM.s public IP \\(198\\.51\\.100\\.20\\) has no reverse DNS") and test("this VM.s public IP \\(198\\.51\\.100\\.21\\) has no reverse DNS")'
    expect_jq "$n" "the explanation tells the lasting 550 from the passing 450" \
        '.diagnosis.explanation | test("mx-noptr [^;]* \\(lasting\\)") and test("mx-fcrdns [^;]* \\(passing\\)")'
    expect_jq "$n" "the action is the PTR's, for the address of the lasting refusal" \
        '.diagnosis.action | startswith("Give 198.51.100.20 a PTR name that resolves back to it")'
    expect_exit "$n" 1
}

# RFC 7505: a domain that publishes "MX 0 ." accepts no mail. That is a DNS answer about the domain, not a
# block and not a missing domain.
scenario_mail_null_mx() {
    local n="mail-null-mx [r3]" cfg="$WORK/mail-null-mx.yml"
    say "scenario mail-null-mx: enterprise agreement, a domain with a null MX beside a control"
    write_mail_config "$cfg" enterprise-agreement mx-nullmx control
    mail_check "$n" --config "$cfg" || return 0
    expect_target "$n" mx-nullmx dns_failure inconclusive
    expect_jq "$n" "the detail names the null MX" \
        '.results[0].detail == "domain nullmx.mail.test publishes a null MX (RFC 7505): it accepts no mail"'
    expect_result "$n" mx-nullmx cause "<absent>"
    expect_deliverable "$n" mx-nullmx false inconclusive
    expect_result "$n" control outcome ok
    expect_both_diagnosis "$n" insufficient_data
    expect_jq "$n" "the diagnosis names the null MX, says nothing of a block or a missing domain" \
        '(.diagnosis.explanation + .diagnosis.action) | test("nullmx.mail.test publishes a null MX \\(RFC 7505\\): it accepts no mail") and (test("blocked|do not exist") | not)'
    expect_exit "$n" 2
}

# The revision-3 part of mail-daemon: each refusal's cause and each domain's deliverability, in /metrics ($metrics)
# and /status ($CHECK_JSON).
mail_daemon_r3() {
    local n=$1
    mail_metric "$n" smtp_probe_verdict 1 target=mx-exim verdict=as_expected
    mail_metric "$n" smtp_probe_deliverable 1 target=mx-exim
    if grep -q '^smtp_probe_refusal{[^}]*target="mx-exim"' "$metrics"; then
        fail "$n: smtp_probe_refusal is exported for mx-exim, which took the session"
    else
        pass "$n: no smtp_probe_refusal for mx-exim, which took the session"
    fi
    mail_metric "$n" smtp_probe_verdict 1 target=mx-eximrbl verdict=receiver_rejected
    mail_metric "$n" smtp_probe_deliverable 0 target=mx-eximrbl
    mail_metric "$n" smtp_probe_refusal 1 target=mx-eximrbl host=mx.eximrbl.mail.test cause=ip_blocklisted
    mail_metric "$n" smtp_probe_verdict 1 target=mx-greylist verdict=receiver_unavailable
    mail_metric "$n" smtp_probe_deliverable 0 target=mx-greylist
    mail_metric "$n" smtp_probe_refusal 1 target=mx-greylist host=mx.greylist.mail.test cause=greylisted
    mail_metric "$n" smtp_probe_verdict 1 target=mx-noptr verdict=receiver_rejected
    mail_metric "$n" smtp_probe_refusal 1 target=mx-noptr host=mx.noptr.mail.test cause=no_reverse_dns
    expect_result "$n" mx-exim outcome ok
    expect_deliverable "$n" mx-exim true as_expected
    expect_result "$n" mx-eximrbl cause ip_blocklisted
    expect_deliverable "$n" mx-eximrbl false receiver_rejected
    expect_result "$n" mx-greylist cause greylisted
    expect_deliverable "$n" mx-greylist false receiver_unavailable
    expect_result "$n" mx-noptr cause no_reverse_dns
    expect_jq "$n" "/status: targets[] carry the causes" \
        '[.targets[] | select(.name | test("^mx-(eximrbl|greylist|noptr)$")) | .cause] == ["ip_blocklisted", "greylisted", "no_reverse_dns"]'
}

# ---------------------------------------------------------------- issue 26: the delivery probe, real Postfix and Dovecot
#
# A delivery target sends one message through relay.inbox.mail.test and looks for it over IMAPS in the mailbox
# Dovecot. Each case has its own mailbox user; every check starts from a fresh state file (delivery_fresh_state),
# so each run is a first probe that sends, except where a case says otherwise.

# The mailbox Dovecot and the delivery relay, as other clients see them: IMAPS (openssl s_client, Python's
# imaplib) and a message sent through the relay with Python's smtplib, delivered by LMTP or held.
check_mail_harness_delivery() {
    local got ca="$WORK/tls/ca.pem" held deadline
    got=$(in_vm timeout 10 openssl s_client -connect "$MAIL_IMAP_ADDR:993" -CAfile "$ca" \
        -verify_hostname imap.mail.test </dev/null 2>&1 | grep -m1 'Verify return code') || true
    harness_fact "the mailbox's IMAPS certificate verifies against the test CA" 'Verify return code: 0 \(ok\)' "$got"
    got=$(in_vm timeout 10 openssl s_client -connect "$MAIL_IMAP_SELFSIGNED_ADDR:993" -CAfile "$ca" \
        -verify_hostname imap-selfsigned.mail.test </dev/null 2>&1 | grep -m1 'Verify return code') || true
    harness_fact "the same mailbox at imap-selfsigned.mail.test has a self-signed certificate" \
        'Verify return code: 18 \(self-signed' "$got"
    got=$(mailbox_count probe) || true
    harness_fact "the probe mailbox takes its password over IMAPS and holds no probe message" '^messages 0$' "$got"
    got=$(mail_talk imap imap.mail.test 993 --ca "$ca" --user probe@inbox.mail.test \
        --password-file "$MAIL_WRONG_PASSWORD_FILE") || true
    harness_fact "the mailbox refuses a wrong password" '^login NO .*AUTHENTICATIONFAILED' "$got"
    got=$(mail_talk smtp relay.inbox.mail.test 587 --tls starttls --ca "$ca" --name relay.inbox.mail.test \
        --user "$MAIL_USER" --password-file "$MAIL_PASSWORD_FILE" --mail-from someone@vm.example.test \
        --rcpt-to probe@inbox.mail.test --subject "netsim harness") || true
    harness_fact "the delivery relay takes a message for probe@inbox.mail.test" '^done 250 ' "$got"
    deadline=$((SECONDS + 15))
    until got=$(mailbox_count probe "netsim harness") && [[ $got == "messages 1" ]] || ((SECONDS >= deadline)); do
        sleep 0.2
    done
    harness_fact "Postfix delivered it over LMTP into the mailbox, where IMAPS finds it (it stays: it is not the probe's)" \
        '^messages 1$' "$got"
    held=$(mail_held held@vm.example.test)
    got=$(mail_talk smtp relay.inbox.mail.test 587 --tls starttls --user "$MAIL_USER" --password-file "$MAIL_PASSWORD_FILE" \
        --mail-from held@vm.example.test --rcpt-to held@inbox.mail.test --subject "netsim harness held") || true
    harness_fact "the delivery relay takes a message from a held sender" '^done 250 ' "$got"
    harness_fact "Postfix put it on its hold queue" "^$((held + 1))\$" "$(mail_held held@vm.example.test)"
}

# mailbox_count USER [SUBJECT]: the independent client's "messages N" for USER@inbox.mail.test's INBOX: those whose
# Subject has SUBJECT, the probe's ("smtp-probe delivery") unless given.
mailbox_count() {
    local args=()
    [[ -z ${2:-} ]] || args=(--subject "$2")
    mail_talk imap imap.mail.test 993 --ca "$WORK/tls/ca.pem" --user "$1@inbox.mail.test" \
        --password-file "$MAILBOX_PASSWORD_FILE" "${args[@]}"
}

# How many messages Postfix has taken in, from any client: cleanup logs one message-id line for each.
mail_relay_accepted() {
    grep -cE 'postfix/cleanup\[[0-9]+\]: [0-9A-F]+: message-id=' "$MAIL/postfix.log" || true
}

# mail_held SENDER: how many messages from SENDER are in Postfix's hold queue (postqueue -j, through showq).
mail_held() {
    ip netns exec "$NS_NET" postqueue -c "$MAIL/postfix" -j \
        | jq -s --arg s "$1" '[.[] | select(.queue_name == "hold" and .sender == $s)] | length'
}

# mail_release SENDER: releases SENDER's held messages (postsuper -H) and has Postfix deliver them now (postqueue -f);
# fails when either command does.
mail_release() {
    local id
    for id in $(ip netns exec "$NS_NET" postqueue -c "$MAIL/postfix" -j \
            | jq -r --arg s "$1" 'select(.queue_name == "hold" and .sender == $s) | .queue_id'); do
        ip netns exec "$NS_NET" postsuper -c "$MAIL/postfix" -H "$id" >>"$MAIL/postsuper.log" 2>&1 || return 1
    done
    ip netns exec "$NS_NET" postqueue -c "$MAIL/postfix" -f >>"$MAIL/postsuper.log" 2>&1
}

# Before each run of a delivery check: no state file, so the run is its target's first and sends.
delivery_fresh_state() {
    rm -f "$WORK/delivery-state"/*.last-sent
}

# delivery_check NAME ARGS...: mail_check for `check --only DELIVERY-TARGET`: the JSON run, then the text run, each
# from a fresh state file.
delivery_check() {
    MAIL_CHECK_SHAPE='.deliveries | length == 1' MAIL_CHECK_BEFORE=delivery_fresh_state mail_check "$@"
}

# expect_delivery NAME TARGET OUTCOME TEXT: TARGET's entry in the JSON deliveries has OUTCOME, and the text's line
# for it reads "TARGET: " and then matches the regex TEXT to its end.
expect_delivery() {
    local name=$1 target=$2 outcome=$3 text=$4 got line
    got=$(jq -r --arg t "$target" '[.deliveries[] | select(.target == $t)][0].outcome // "<absent>"' "$CHECK_JSON")
    if [[ $got == "$outcome" ]]; then pass "$name: $target outcome $outcome"; else
        fail "$name: $target outcome is $got, expected $outcome: $(jq -c '.deliveries' "$CHECK_JSON")"; fi
    line=$(grep -m1 -- "^$target: " "$TEXT_OUT" || true)
    if [[ $line =~ ^$target:\ $text$ ]]; then pass "$name: text: $line"; else
        fail "$name: text: \"$line\", expected /^$target: $text\$/"; fi
}

scenario_mail_delivered() {
    local n="mail-delivered [issue 26]" cfg="$WORK/mail-delivered.yml" accepted
    say "scenario mail-delivered: a delivery target through relay.inbox.mail.test (Postfix, LMTP into Dovecot), found over IMAPS"
    write_mail_config "$cfg" enterprise-agreement relay-inbox delivery
    accepted=$(mail_relay_accepted)
    delivery_check "$n" --config "$cfg" --only delivery || return 0
    expect_delivery "$n" delivery delivered 'delivered in [0-9]+\.[0-9] s, relay relay-inbox: ok'
    expect_jq "$n" "arrival_seconds is a submission-to-arrival time under delivery_timeout, the relay ok" \
        '.deliveries[0] | .arrival_seconds > 0 and .arrival_seconds < 20 and .relay_outcome == "ok"'
    expect_jq "$n" "the detail says where it was found, and that it was deleted" \
        '.deliveries[0].detail == "found in INBOX of probe@inbox.mail.test and deleted"'
    expect_exit "$n" 0
    expect_fact "$n" "Postfix took one message from each run" "^$((accepted + 2))\$" "$(mail_relay_accepted)"
    expect_fact "$n" "the mailbox holds no probe message afterwards" '^messages 0$' "$(mailbox_count probe)"
    expect_fact "$n" "the mailbox's other mail (the harness's message) is untouched" '^messages 1$' \
        "$(mailbox_count probe "netsim harness")"
    expect_no_mail_secret "$n"
    expect_no_mail_secret "$n" "$MAILBOX_PASSWORD_FILE" "the mailbox password"

    # The state file the JSON run wrote: within the interval a second check sends nothing.
    n="mail-delivered-again [issue 26]"
    say "scenario mail-delivered-again: the same target checked again within its interval (1m)"
    MAIL_CHECK_SHAPE='.deliveries | length == 1' mail_check "$n" --config "$cfg" --only delivery || return 0
    expect_delivery "$n" delivery not_due 'not_due'
    expect_jq "$n" "the detail names the state file and says nothing was sent" \
        ".deliveries[0].detail | contains(\"$WORK/delivery-state/delivery.last-sent\") and endswith(\"nothing was sent\")"
    expect_exit "$n" 2
    expect_fact "$n" "Postfix took no further message" "^$((accepted + 2))\$" "$(mail_relay_accepted)"
}

scenario_mail_delivery_held() {
    local n="mail-delivery-held [issue 26]" cfg="$WORK/mail-delivery-held.yml" held
    say "scenario mail-delivery-held: the relay takes the message and holds it (Postfix's hold queue), delivery_timeout $MAIL_DELIVERY_TIMEOUT"
    write_mail_config "$cfg" enterprise-agreement relay-inbox delivery-held
    held=$(mail_held held@vm.example.test)
    delivery_check "$n" --config "$cfg" --only delivery-held || return 0
    expect_delivery "$n" delivery-held not_delivered 'not_delivered, relay relay-inbox: ok'
    expect_jq "$n" "the detail says the relay took it and it was not in the mailbox in time; no arrival time" \
        ".deliveries[0] | (.detail == \"the relay relay-inbox accepted the message, but it was not in INBOX of held@inbox.mail.test after $MAIL_DELIVERY_TIMEOUT (delivery_timeout)\") and .arrival_seconds == null"
    expect_exit "$n" 1
    expect_fact "$n" "Postfix holds both runs' messages" "^$((held + 2))\$" "$(mail_held held@vm.example.test)"
    expect_fact "$n" "the held mailbox got no probe message" '^messages 0$' "$(mailbox_count held)"
}

# Both fail at the mailbox, before anything is sent: a wrong password, and a certificate the probe does not trust.
scenario_mail_delivery_mailbox_failed() {
    local n="mail-delivery-wrong-password [issue 26]" cfg="$WORK/mail-delivery-wrong-password.yml" accepted
    say "scenario mail-delivery-wrong-password: the mailbox refuses the probe's IMAP login"
    write_mail_config "$cfg" enterprise-agreement relay-inbox delivery-wrong-password
    accepted=$(mail_relay_accepted)
    delivery_check "$n" --config "$cfg" --only delivery-wrong-password || return 0
    expect_delivery "$n" delivery-wrong-password mailbox_failed 'mailbox_failed'
    expect_jq "$n" "the detail names the login failure, the user and the password's file; nothing was sent" \
        ".deliveries[0].detail | startswith(\"IMAP login failed: imap.mail.test:993 refused the login of probe@inbox.mail.test\") and contains(\"$MAIL_WRONG_PASSWORD_FILE\") and endswith(\"nothing was sent\")"
    expect_exit "$n" 1
    expect_no_mail_secret "$n" "$MAIL_WRONG_PASSWORD_FILE" "the (wrong) mailbox password"
    expect_no_mail_secret "$n" "$MAILBOX_PASSWORD_FILE" "the mailbox password"
    expect_fact "$n" "Postfix took no message" "^$accepted\$" "$(mail_relay_accepted)"

    n="mail-delivery-untrusted [issue 26]" cfg="$WORK/mail-delivery-untrusted.yml"
    say "scenario mail-delivery-untrusted: the mailbox's IMAPS certificate is self-signed, the probe trusts the test CA"
    write_mail_config "$cfg" enterprise-agreement relay-inbox delivery-untrusted
    delivery_check "$n" --config "$cfg" --only delivery-untrusted || return 0
    expect_delivery "$n" delivery-untrusted mailbox_failed 'mailbox_failed'
    expect_jq "$n" "the detail names the certificate problem and where to give the CA; nothing was sent" \
        '.deliveries[0].detail | startswith("IMAP TLS failed with imap-selfsigned.mail.test:993: the server'"'"'s certificate is not trusted") and contains("mailbox.tls.ca_file") and endswith("nothing was sent")'
    expect_exit "$n" 1
    expect_no_mail_secret "$n" "$MAILBOX_PASSWORD_FILE" "the mailbox password"
    expect_fact "$n" "Postfix took no message" "^$accepted\$" "$(mail_relay_accepted)"
}

# The message comes after the probe gave up: held, then released. The next probe of that mailbox deletes it.
scenario_mail_delivery_late() {
    local n="mail-delivery-late [issue 26]" cfg="$WORK/mail-delivery-late.yml" held got deadline
    say "scenario mail-delivery-late: the message is held past delivery_timeout ($MAIL_DELIVERY_TIMEOUT), then released"
    mail_hold_senders held@vm.example.test late@vm.example.test
    write_mail_config "$cfg" enterprise-agreement relay-inbox delivery-late
    held=$(mail_held late@vm.example.test)
    delivery_check "$n" --config "$cfg" --only delivery-late || return 0
    expect_delivery "$n" delivery-late not_delivered 'not_delivered, relay relay-inbox: ok'
    expect_exit "$n" 1
    expect_fact "$n" "Postfix holds both runs' messages" "^$((held + 2))\$" "$(mail_held late@vm.example.test)"
    mail_release late@vm.example.test || fail "$n: postsuper -H or postqueue -f failed: $(tail -2 "$MAIL/postsuper.log")"
    deadline=$((SECONDS + 20))
    until got=$(mailbox_count late) && [[ $got == "messages $((held + 2))" ]] || ((SECONDS >= deadline)); do
        sleep 0.2
    done
    expect_fact "$n" "released, both arrive in the mailbox after the probes gave up" "^messages $((held + 2))\$" "$got"

    n="mail-delivery-late-next [issue 26]"
    say "scenario mail-delivery-late-next: the next probe of delivery-late, its sender no longer held"
    mail_hold_senders held@vm.example.test
    delivery_check "$n" --config "$cfg" --only delivery-late || return 0
    expect_delivery "$n" delivery-late delivered 'delivered in [0-9]+\.[0-9] s, relay relay-inbox: ok'
    # Its first look deletes the late messages while its own is landing: the arrival time is still the message's,
    # not the wait's bound (it was, before the look kept the count its search covered).
    expect_jq "$n" "arrival_seconds is under delivery_timeout ($MAIL_DELIVERY_TIMEOUT)" \
        ".deliveries[0].arrival_seconds < ${MAIL_DELIVERY_TIMEOUT%s}"
    expect_exit "$n" 0
    expect_fact "$n" "the late messages are gone with the probe's own: the mailbox holds no probe message" '^messages 0$' \
        "$(mailbox_count late)"
    mail_hold_senders held@vm.example.test late@vm.example.test
}

# mail_delivery_daemon_start PORT STATE-DIRECTORY CONFIG LOG: `smtp-probe run` in the vm, its delivery targets' state
# files in STATE-DIRECTORY (as systemd's StateDirectory= gives it); waits (at most 60s) for /-/ready. Sets DAEMON_PID.
mail_delivery_daemon_start() {
    local port=$1 state=$2 cfg=$3 log=$4 deadline=$((SECONDS + 60))
    ip netns exec "$NS_VM" env STATE_DIRECTORY="$state" java -jar "$JAR" run --config "$cfg" \
        --web.listen-address "127.0.0.1:$port" >>"$log" 2>&1 &
    DAEMON_PID=$!
    PIDS+=("$DAEMON_PID")
    until in_vm curl -sf --max-time 2 "http://127.0.0.1:$port/-/ready" -o /dev/null; do
        kill -0 "$DAEMON_PID" 2>/dev/null && ((SECONDS < deadline)) || return 1
        sleep 0.5
    done
}

# mail_daemon_stop PID: SIGTERM, at most 15s, then SIGKILL; waits for it.
mail_daemon_stop() {
    local pid=$1 stop_by=$((SECONDS + 15))
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < stop_by)); do
        sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# mail_delivery_status PORT JQ SECONDS: polls /status into CHECK_JSON until JQ holds, at most SECONDS.
mail_delivery_status() {
    local port=$1 filter=$2 deadline=$((SECONDS + $3))
    while ((SECONDS < deadline)); do
        if in_vm curl -sf --max-time 2 "http://127.0.0.1:$port/status" -o "$CHECK_JSON" \
            && jq -e "$filter" "$CHECK_JSON" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.5
    done
    return 1
}

# expect_delivery_series NAME TARGET: TARGET's smtp_probe_delivery_duration_seconds and _last_success_timestamp_seconds
# are exported with a value (a delivered target) or not at all (one whose message did not arrive).
expect_delivery_series() {
    local name=$1 target=$2 want=$3 metric found
    for metric in smtp_probe_delivery_duration_seconds smtp_probe_delivery_last_success_timestamp_seconds; do
        found=absent
        grep -qE "^$metric\\{[^}]*target=\"$target\"[^}]*\\} [0-9]" "$metrics" && found=present
        if [[ $found == "$want" ]]; then pass "$name: $metric{target=$target} $want"; else
            fail "$name: $metric{target=$target} is $found, expected $want: $(grep "^$metric" "$metrics" | tr '\n' ' ')"; fi
    done
}

# The daemon with all five delivery targets: /status's deliveries and the three metrics carry each case's outcome.
# Then a restart with the same state directory: no target that sent a message sends another within its interval.
scenario_mail_delivery_daemon() {
    local n="mail-delivery-daemon [issue 26]" cfg="$WORK/mail-delivery-daemon.yml" metrics="$WORK/mail-delivery-metrics.txt"
    local port=$((DAEMON_PORT + 3)) state="$WORK/delivery-daemon-state" log="$WORK/mail-delivery-daemon.log"
    local targets="delivery delivery-held delivery-wrong-password delivery-untrusted delivery-late" accepted target file
    local outcome success
    say "scenario mail-delivery-daemon: smtp-probe run with the five delivery targets, their state in \$STATE_DIRECTORY"
    mail_hold_senders held@vm.example.test late@vm.example.test
    mkdir -p "$state"
    # shellcheck disable=SC2086
    DELIVERY_STATE= write_mail_config "$cfg" enterprise-agreement relay-inbox $targets
    accepted=$(mail_relay_accepted)
    if mail_delivery_daemon_start "$port" "$state" "$cfg" "$log"; then pass "$n: /-/ready"; else
        fail "$n: not ready within 60s: $(tail -3 "$log")"
        mail_daemon_stop "$DAEMON_PID"
        return 0
    fi
    # The delivery targets run one after another on their own thread, after readiness: two wait out 4s.
    CHECK_JSON="$WORK/mail-delivery-status.json"
    if mail_delivery_status "$port" '.deliveries | length == 5' 60; then pass "$n: /status lists all five deliveries"; else
        fail "$n: /status has not all five deliveries within 60s: $(jq -c '.deliveries' "$CHECK_JSON" 2>/dev/null)"
        mail_daemon_stop "$DAEMON_PID"
        return 0
    fi
    in_vm curl -sf --max-time 2 "http://127.0.0.1:$port/metrics" -o "$metrics" || fail "$n: GET /metrics failed"
    for target in delivery:delivered:1 delivery-held:not_delivered:0 delivery-wrong-password:mailbox_failed:0 \
                  delivery-untrusted:mailbox_failed:0 delivery-late:not_delivered:0; do
        IFS=: read -r target outcome success <<<"$target"
        expect_jq "$n" "/status: $target $outcome" "[.deliveries[] | select(.target == \"$target\")][0].outcome == \"$outcome\""
        mail_metric "$n" smtp_probe_delivery_success "$success" "target=$target"
        expect_delivery_series "$n" "$target" "$([[ $success == 1 ]] && echo present || echo absent)"
    done
    expect_jq "$n" "/status: the delivered one has its arrival time" \
        '[.deliveries[] | select(.target == "delivery")][0].arrival_seconds > 0'
    expect_jq "$n" "/status: delivery-wrong-password's detail names the login failure" \
        '[.deliveries[] | select(.target == "delivery-wrong-password")][0].detail | startswith("IMAP login failed")'
    expect_jq "$n" "/status: delivery-untrusted's detail names the TLS failure" \
        '[.deliveries[] | select(.target == "delivery-untrusted")][0].detail | startswith("IMAP TLS failed")'
    expect_fact "$n" "Postfix took three messages (delivery, delivery-held, delivery-late)" "^$((accepted + 3))\$" \
        "$(mail_relay_accepted)"
    expect_fact "$n" "the probe mailbox holds no probe message" '^messages 0$' "$(mailbox_count probe)"
    for file in "$MAIL_PASSWORD_FILE" "$MAILBOX_PASSWORD_FILE" "$MAIL_WRONG_PASSWORD_FILE"; do
        if grep -qF -- "$(tr -d '\n' <"$file")" "$metrics" "$CHECK_JSON" "$log"; then
            fail "$n: the password of $(basename "$file") appears in the metrics, /status or the daemon's log"
        else
            pass "$n: the password of $(basename "$file") appears nowhere in the metrics, /status or the daemon's log"
        fi
    done

    n="mail-delivery-restart [issue 26]"
    say "scenario mail-delivery-restart: the daemon stopped and started again with the same state directory"
    accepted=$(mail_relay_accepted)
    mail_daemon_stop "$DAEMON_PID"
    for target in delivery delivery-held delivery-late; do
        if [[ -s $state/delivery-$target.last-sent ]]; then pass "$n: $target's send is recorded in \$STATE_DIRECTORY"; else
            fail "$n: no $state/delivery-$target.last-sent"; fi
    done
    local restarted=$SECONDS
    if mail_delivery_daemon_start "$port" "$state" "$cfg" "$log"; then pass "$n: /-/ready again"; else
        fail "$n: not ready again within 60s: $(tail -3 "$log")"
        mail_daemon_stop "$DAEMON_PID"
        return 0
    fi
    # The two that sent nothing run at once again; the three that sent are due one interval after their send. A
    # second message would go out within a second or two of the start: watch for 10s.
    if mail_delivery_status "$port" '.deliveries | length == 2' 40; then
        pass "$n: /status lists the two targets that send nothing again"
    else
        fail "$n: /status: $(jq -c '[.deliveries[] | {target, outcome}]' "$CHECK_JSON" 2>/dev/null)"
    fi
    while ((SECONDS < restarted + 10)); do
        sleep 0.5
    done
    in_vm curl -sf --max-time 2 "http://127.0.0.1:$port/status" -o "$CHECK_JSON" || fail "$n: GET /status failed"
    expect_jq "$n" "10s after the restart only delivery-untrusted and delivery-wrong-password ran (mailbox_failed)" \
        '[.deliveries[] | .target + " " + .outcome] | sort == ["delivery-untrusted mailbox_failed", "delivery-wrong-password mailbox_failed"]'
    expect_fact "$n" "Postfix took no message after the restart" "^$accepted\$" "$(mail_relay_accepted)"
    mail_daemon_stop "$DAEMON_PID"
}

scenarios_mail() {
    local began=$SECONDS
    rule_none
    scenario_mail_mx_valid
    scenario_mail_mx_unverified selfsigned self-signed
    scenario_mail_mx_unverified wrongname wrong-name
    scenario_mail_mx_required
    scenario_mail_mta_sts
    scenario_mail_submission
    scenario_mail_wrong_password
    scenario_mail_auth_tempfail
    scenario_mail_auth_down
    scenario_mail_busy
    scenario_mail_reject
    scenario_mail_rcpt
    scenario_mail_stopped
    scenario_mail_dns_down
    scenario_mail_smarthost
    scenario_mail_daemon
    scenario_mail_two_mx
    scenario_mail_v6_only
    scenario_mail_tls_fallback
    scenario_mail_rbl
    scenario_mail_vm_firewall
    scenario_mail_sender_login
    scenario_mail_implicit_mx
    scenario_mail_exim
    scenario_mail_postscreen
    scenario_mail_no_ptr
    scenario_mail_null_mx
    scenario_mail_delivered
    scenario_mail_delivery_held
    scenario_mail_delivery_mailbox_failed
    scenario_mail_delivery_late
    scenario_mail_delivery_daemon
    scenario_remote_reload
    say "mail scenarios took $((SECONDS - began))s"
}

# Copies the mail servers' logs (no keys, no password files) to DIR.
mail_artifacts() {
    local dir=$1 f
    [[ -n $MAIL && -d $MAIL ]] || return 0
    for f in "$MAIL/postfix.log" "$MAIL/sts-policy.log" "$MAIL"/dovecot-*/dovecot.log; do
        [[ -f $f ]] && cp "$f" "$dir/mail-$(basename "$(dirname "$f")")-$(basename "$f")"
    done
    return 0
}
