#!/bin/sh
# Installs smtp-probe without dpkg (RHEL, Fedora, SUSE, ...): the same files in the same places as
# the Debian package, from a source tree after `mvn package` or from the unpacked
# smtp-probe-<version>.tar.gz. Safe to run again (upgrade); --uninstall reverses it.
#
#   install.sh [--prefix DIR] [--destdir DIR] [--unitdir DIR] [--no-enable]
#   install.sh --uninstall [--purge] [--prefix DIR] [--destdir DIR] [--unitdir DIR]
#
# --prefix    where program files go (default /usr; /usr/local works too). The unit is rewritten
#             to call $prefix/bin/smtp-probe.
# --destdir   stage into this directory instead of / (for packaging and tests): nothing outside
#             it is touched and systemd is not called.
# --unitdir   where the unit goes (default /lib/systemd/system for /usr, /usr/local/lib/systemd/system
#             for /usr/local, else /etc/systemd/system).
# --no-enable do not enable the service (it is never started by this script).
# --uninstall stop, disable and remove the program files; /etc/smtp-probe and /etc/default/smtp-probe
#             stay unless --purge is given too. --purge removes only what install.sh wrote there (the
#             two configuration files and their .new); what you added (the relay password, a TLS key,
#             a web config, a CA file) and drop-ins of the unit stay, and are named.
#
# On the live system (no --destdir) it also makes the class data sharing archive that speeds up
# the JVM's start (share/smtp-probe/make-cds-archive, into /var/cache/smtp-probe); run that again
# after changing the Java runtime. --uninstall removes the archive.
set -eu

prefix=/usr
destdir=
unitdir=
enable=yes
action=install
purge=no

usage() {
    sed -n '2,25s/^# \{0,1\}//p' "$0" >&2
    exit 64
}

die() {
    printf 'install.sh: %s\n' "$*" >&2
    exit 1
}

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || usage; prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#*=}; shift ;;
        --destdir) [ $# -ge 2 ] || usage; destdir=$2; shift 2 ;;
        --destdir=*) destdir=${1#*=}; shift ;;
        --unitdir) [ $# -ge 2 ] || usage; unitdir=$2; shift 2 ;;
        --unitdir=*) unitdir=${1#*=}; shift ;;
        --no-enable) enable=no; shift ;;
        --uninstall) action=uninstall; shift ;;
        --purge) purge=yes; shift ;;
        -h|--help) usage ;;
        *) printf 'install.sh: unknown argument %s\n' "$1" >&2; usage ;;
    esac
done
destdir=${destdir:-${DESTDIR:-}}
case "$prefix" in /*) ;; *) die "--prefix must be an absolute path, found $prefix" ;; esac
prefix=${prefix%/}
[ -n "$prefix" ] || prefix=/usr
if [ -z "$unitdir" ]; then
    case "$prefix" in
        /usr) unitdir=/lib/systemd/system ;;
        /usr/local) unitdir=/usr/local/lib/systemd/system ;;
        *) unitdir=/etc/systemd/system ;;
    esac
fi
if [ -z "$destdir" ] && [ "$(id -u)" -ne 0 ]; then
    die "run as root (or stage with --destdir DIR)"
fi

# The list of installed files, so that an upgrade drops files the new version no longer has and
# --uninstall removes exactly what was installed.
manifest=$prefix/share/smtp-probe/installed-files
unit=smtp-probe.service
# Where make-cds-archive writes and the launcher looks, whatever the prefix.
cds_archive=/var/cache/smtp-probe/smtp-probe.jsa

# systemd is only called on the live system, and only when it is the running init.
systemd_live() {
    [ -z "$destdir" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null
}

remove_listed() {
    # $1: manifest to read; $2: manifest whose entries must stay (may not exist)
    while IFS= read -r file; do
        [ -n "$file" ] || continue
        if [ -f "$2" ] && grep -qxF "$file" "$2"; then
            continue
        fi
        rm -f "$destdir$file"
    done < "$1"
}

# Only the directories smtp-probe owns; shared ones like share/man/man1 stay even when empty.
remove_own_directories() {
    # Deepest first: the doc tree's subdirectories (dashboards/alerts/tests, ...) before their parents.
    if [ -d "$destdir$prefix/share/doc/smtp-probe" ]; then
        find "$destdir$prefix/share/doc/smtp-probe" -depth -type d -empty -delete 2>/dev/null || true
    fi
    rmdir "$destdir$prefix/share/smtp-probe" 2>/dev/null || true
}

# Names the files (and links) left under directory $1 (under --destdir), if any: $2 says what they are,
# $3 how to remove them.
report_kept() {
    kept=$(cd "$destdir/" && find ".$1" ! -type d 2>/dev/null | sed 's/^\.//' | sort)
    [ -n "$kept" ] || return 0
    printf 'install.sh: --purge kept %s:\n' "$2"
    printf '%s\n' "$kept" | sed 's/^/  /'
    printf 'install.sh: remove them when no longer needed: %s\n' "$3"
}

uninstall() {
    if systemd_live; then
        systemctl disable --now "$unit" >/dev/null 2>&1 || true
    fi
    if [ -f "$destdir$manifest" ]; then
        remove_listed "$destdir$manifest" /nonexistent
        rm -f "$destdir$manifest"
        remove_own_directories
        rm -f "$destdir$cds_archive" "$destdir$cds_archive.stamp"
        rmdir "$destdir$(dirname "$cds_archive")" 2>/dev/null || true
    else
        printf 'install.sh: no %s; smtp-probe is not installed under %s\n' "$destdir$manifest" "$prefix" >&2
    fi
    if [ "$purge" = yes ]; then
        # What install_files wrote: the configuration files, and a shipped version beside an edited one.
        rm -f "$destdir/etc/smtp-probe/smtp-probe.yml" "$destdir/etc/smtp-probe/smtp-probe.yml.new" \
            "$destdir/etc/default/smtp-probe" "$destdir/etc/default/smtp-probe.new"
        rm -rf "$destdir/var/cache/smtp-probe"
        if [ -d "$destdir/etc/smtp-probe" ]; then
            find "$destdir/etc/smtp-probe" -depth -type d -empty -delete 2>/dev/null || true
        fi
        report_kept /etc/smtp-probe "what you added under /etc/smtp-probe (secrets among it stay as private as you made them)" \
            "sudo rm -r /etc/smtp-probe"
        report_kept "$unitdir/$unit.d" "your drop-ins of $unit" "sudo rm -r $unitdir/$unit.d && sudo systemctl daemon-reload"
        if [ "$unitdir" != /etc/systemd/system ]; then
            report_kept "/etc/systemd/system/$unit.d" "your drop-ins of $unit (systemctl edit writes them here)" \
                "sudo rm -r /etc/systemd/system/$unit.d && sudo systemctl daemon-reload"
        fi
    else
        printf 'install.sh: kept /etc/smtp-probe and /etc/default/smtp-probe (--purge removes the configuration install.sh wrote)\n'
    fi
    if systemd_live; then
        systemctl daemon-reload
    fi
}

# The artifacts, in the layout of the source tree (which the release tarball keeps).
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
jar=$top/target/smtp-probe.jar
launcher=$here/smtp-probe
make_cds=$here/make-cds-archive
cds_training=$here/cds-training.yml
service=$here/smtp-probe.service
defaults=$here/smtp-probe.default
config=$top/config/smtp-probe.yml
completion=$top/target/completion/smtp-probe
mandir=$top/target/deb-docs
copyright=$top/src/deb/doc/copyright
changelog=$top/target/deb-docs/changelog.gz
# README, examples and the dashboards/ tree, as the packages put them in share/doc/smtp-probe.
docs=$top/target/pkg-docs

install_files() {
    for f in "$jar" "$launcher" "$make_cds" "$cds_training" "$service" "$defaults" "$config" "$completion" "$copyright" \
        "$changelog" "$mandir/man1/smtp-probe.1.gz" "$mandir/man5/smtp-probe.yml.5.gz" "$docs/README.md"; do
        [ -r "$f" ] || die "missing $f; build first (mvn package) or unpack the release tarball whole"
    done
    new_manifest=$(mktemp)
    trap 'rm -f "$new_manifest"' EXIT
    # Without the record of an earlier installation, this is the first: the service is not started.
    first=yes
    [ ! -f "$destdir$manifest" ] || first=no

    put() {
        # $1 mode, $2 source, $3 installed path
        install -d -m 0755 "$destdir$(dirname "$3")"
        install -m "$1" "$2" "$destdir$3"
        printf '%s\n' "$3" >> "$new_manifest"
    }
    put 0644 "$jar" "$prefix/share/smtp-probe/smtp-probe.jar"
    put 0755 "$launcher" "$prefix/bin/smtp-probe"
    put 0755 "$make_cds" "$prefix/share/smtp-probe/make-cds-archive"
    put 0644 "$cds_training" "$prefix/share/smtp-probe/cds-training.yml"
    put 0644 "$completion" "$prefix/share/bash-completion/completions/smtp-probe"
    put 0644 "$copyright" "$prefix/share/doc/smtp-probe/copyright"
    put 0644 "$changelog" "$prefix/share/doc/smtp-probe/changelog.gz"
    for page in "$mandir"/man1/*.1.gz "$mandir"/man5/*.5.gz; do
        section=${page%.gz}
        section=${section##*.}
        put 0644 "$page" "$prefix/share/man/man$section/$(basename "$page")"
    done
    (cd "$docs" && find . -type f) | sort | while IFS= read -r doc; do
        put 0644 "$docs/${doc#./}" "$prefix/share/doc/smtp-probe/${doc#./}"
    done
    rewritten=$(mktemp)
    sed "s|/usr/bin/smtp-probe|$prefix/bin/smtp-probe|g" "$service" > "$rewritten"
    put 0644 "$rewritten" "$unitdir/$unit"
    rm -f "$rewritten"

    # Configuration is the administrator's: written only when absent, like a dpkg conffile.
    # A changed shipped default lands beside it as .new.
    install -d -m 0755 "$destdir/etc/smtp-probe" "$destdir/etc/default"
    for pair in "$config:/etc/smtp-probe/smtp-probe.yml" "$defaults:/etc/default/smtp-probe"; do
        src=${pair%%:*}
        dst=${pair#*:}
        if [ ! -e "$destdir$dst" ]; then
            install -m 0644 "$src" "$destdir$dst"
        elif ! cmp -s "$src" "$destdir$dst"; then
            install -m 0644 "$src" "$destdir$dst.new"
            printf 'install.sh: kept your %s; the shipped version is %s.new\n' "$dst" "$dst"
        fi
    done

    if [ -f "$destdir$manifest" ]; then
        remove_listed "$destdir$manifest" "$new_manifest"
    fi
    install -m 0644 "$new_manifest" "$destdir$manifest"

    if [ -z "$destdir" ] && command -v restorecon >/dev/null; then
        # SELinux: give the new files their policy's labels (bin_t, systemd_unit_file_t, ...).
        restorecon -R "$prefix/bin/smtp-probe" "$prefix/share/smtp-probe" "$unitdir/$unit" /etc/smtp-probe || true
    fi
    if [ -z "$destdir" ]; then
        # Before the restart below, so that a restarted agent starts from it. Never fails the
        # installation: without an archive the agent only starts slower.
        "$prefix/share/smtp-probe/make-cds-archive" "$cds_archive" || true
    fi
    if systemd_live; then
        systemctl daemon-reload
        [ "$enable" = no ] || systemctl enable "$unit"
        # An upgrade restarts a running agent on the new jar; a fresh install is not started.
        systemctl try-restart "$unit"
    fi
    if [ -z "$destdir" ] && ! "$prefix/bin/smtp-probe" --version >/dev/null 2>&1; then
        printf 'install.sh: installed, but %s/bin/smtp-probe --version fails: install a Java 17+ runtime (RHEL: dnf install java-17-openjdk-headless)\n' "$prefix" >&2
    fi
    if [ "$first" = no ]; then
        printf 'install.sh: installed smtp-probe under %s%s\n' "$destdir" "$prefix"
        return 0
    fi
    # What the packages' first installation says too (paths as installed, also when staged).
    cat <<EOF
install.sh: installed smtp-probe under $destdir$prefix, $([ "$enable" = yes ] && echo "enabled, ")not started: first give it your subscription's offer and targets.
  sudoedit /etc/smtp-probe/smtp-probe.yml                      # man smtp-probe.yml
  sudo smtp-probe check-config /etc/smtp-probe/smtp-probe.yml
  sudo systemctl start smtp-probe
  until curl -sf http://localhost:9925/-/ready; do sleep 2; done   # ready once every target was probed
  curl -s http://localhost:9925/metrics | grep smtp_probe_diagnosis
Relay password, TLS and JVM options: $prefix/share/doc/smtp-probe/systemd/README.md; all of it:
$prefix/share/doc/smtp-probe/README.md and man smtp-probe.
EOF
}

case "$action" in
    install) install_files ;;
    uninstall) uninstall ;;
esac
