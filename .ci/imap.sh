#!/usr/bin/env bash
# Starts a throwaway Dovecot IMAP server on loopback for the inbound-email tests (plain
# IMAP on 127.0.0.1:${IMAP_PORT:-1143}, one test user, mail kept under a temp dir) and
# prints the TEST_IMAP_* variables the tests read. Needs Debian's dovecot-imapd, run as root.
set -euo pipefail
port="${IMAP_PORT:-1143}"
dir="${IMAP_DIR:-/tmp/rapport-test-imap}"
user=rapport-test
password=rapport-test-imap

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
# A Dovecot left by an earlier run of this script is stopped first, and its port waited for.
if [ -f "$dir/run/master.pid" ]; then
  kill "$(cat "$dir/run/master.pid")" 2>/dev/null || true
fi
for _ in $(seq 1 40); do
  port_open || break
  sleep 0.25
done
if port_open; then
  echo "port $port is taken by something else; set IMAP_PORT" >&2
  exit 1
fi
rm -rf "$dir"
mkdir -p "$dir/run" "$dir/state" "$dir/home"
chown -R dovecot:dovecot "$dir/home"
echo "$user:{PLAIN}$password" > "$dir/users"
cat > "$dir/dovecot.conf" <<CONF
protocols = imap
listen = 127.0.0.1
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=$dir/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
CONF
dovecot -c "$dir/dovecot.conf"
for _ in $(seq 1 40); do
  port_open && break
  sleep 0.25
done
if ! port_open; then
  echo "Dovecot did not start; see $dir/dovecot.log" >&2
  exit 1
fi
echo "export TEST_IMAP_ADDR=127.0.0.1:$port TEST_IMAP_USER=$user TEST_IMAP_PASSWORD=$password"
