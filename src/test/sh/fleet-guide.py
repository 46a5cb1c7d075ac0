#!/usr/bin/env python3
"""Pieces of dashboards/FLEET.md, as the boot test follows the guide: it takes each setting from the
guide's own text, so that a guide that changes is tested as changed, and one that no longer has a
piece fails here, naming it.

    fleet-guide.py GUIDE web-yml HASH        the web.yml block, the bcrypt hash in place of $2y$10$...
    fleet-guide.py GUIDE drop-in             the [Service] drop-in block (LoadCredential= for the key)
    fleet-guide.py GUIDE args                the ARGS= line for /etc/default/smtp-probe
    fleet-guide.py GUIDE credential-key-file the key_file line that reads the key as a credential
    fleet-guide.py GUIDE listen-address      the address the agent binds to (web.listen_address)
    fleet-guide.py GUIDE server-name         the name Prometheus verifies (tls_config.server_name)
    fleet-guide.py GUIDE prometheus-yml ADDRESS
        the prometheus.yml of the scrape job. A test has no Azure to discover VMs in, so
        azure_sd_configs becomes static_configs with what Azure service discovery sets for a VM
        tagged smtp-probe=enabled (its private ADDRESS and the tag labels the relabeling reads), and
        the job scrapes every 5s instead of 60s so that the test need not wait a minute. Nothing else
        changes: scheme, tls_config, basic_auth, relabel_configs, rule_files and alerting are the
        guide's, paths included.
"""
import re
import sys


def fail(message):
    sys.stderr.write("fleet-guide.py: %s\n" % message)
    sys.exit(1)


def block(text, language, first_line):
    """The fenced block of LANGUAGE whose first line starts with FIRST_LINE."""
    for match in re.finditer(r"```%s\n(.*?)```" % re.escape(language), text, re.DOTALL):
        if match.group(1).startswith(first_line):
            return match.group(1)
    fail("no ```%s block starting with %r" % (language, first_line))


def one(pattern, text, what):
    found = re.findall(pattern, text, re.MULTILINE)
    if len(found) != 1:
        fail("expected one %s (%s), found %d" % (what, pattern, len(found)))
    return found[0]


def replace_once(pattern, replacement, text, what):
    result, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    if count != 1:
        fail("expected one %s to replace (%s), found %d" % (what, pattern, count))
    return result


def prometheus_yml(text, address):
    config = None
    for match in re.finditer(r"```yaml\n(# prometheus\.yml\n.*?)```", text, re.DOTALL):
        if "job_name: smtp-probe" in match.group(1):
            config = match.group(1)
    if config is None:
        fail("no ```yaml block of prometheus.yml with job_name: smtp-probe")
    static = (
        "    static_configs:    # (boot test) what azure_sd_configs finds for a tagged VM\n"
        '      - targets: ["%s"]\n'
        "        labels:\n"
        "          __meta_azure_machine_tag_smtp_probe: enabled\n"
        "          __meta_azure_machine_tag_environment: boot-test\n"
        "          __meta_azure_machine_tag_team: smtp-probe\n" % address)
    config = replace_once(r"^    azure_sd_configs:\n(?:^      .*\n)+", static, config, "azure_sd_configs block")
    config = replace_once(r"^(    scrape_interval:) 60s", r"\1 5s    # (boot test) 60s in the guide", config,
                          "job scrape_interval")
    config = replace_once(r"^(    scrape_timeout:) 10s", r"\1 4s", config, "job scrape_timeout")
    return config


def main():
    if len(sys.argv) < 3:
        fail("usage: fleet-guide.py GUIDE PIECE [ARGUMENT]")
    with open(sys.argv[1], encoding="utf-8") as guide:
        text = guide.read()
    piece, arguments = sys.argv[2], sys.argv[3:]
    if piece == "web-yml" and len(arguments) == 1:
        web = block(text, "yaml", "# /etc/smtp-probe/web.yml")
        sys.stdout.write(replace_once(r"\$2y\$10\$\.\.\.", arguments[0].replace("\\", "\\\\"), web, "bcrypt hash"))
    elif piece == "drop-in":
        sys.stdout.write(block(text, "ini", "[Service]"))
    elif piece == "args":
        print(one(r'`(ARGS="--web\.config\.file [^"`]+")`', text, "ARGS= line"))
    elif piece == "credential-key-file":
        print(one(r"`(key_file: \$\{CREDENTIALS_DIRECTORY\}/[^`]+)`", text, "key_file credential line"))
    elif piece == "listen-address":
        print(one(r"`web\.listen_address: ([0-9.]+:[0-9]+)`", text, "web.listen_address"))
    elif piece == "server-name":
        print(one(r"^\s+server_name: (\S+)", prometheus_yml(text, "0.0.0.0:0"), "server_name"))
    elif piece == "prometheus-yml" and len(arguments) == 1:
        sys.stdout.write(prometheus_yml(text, arguments[0]))
    else:
        fail("unknown piece or wrong arguments: %s" % " ".join(sys.argv[2:]))


if __name__ == "__main__":
    main()
