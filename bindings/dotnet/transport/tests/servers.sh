# Throw-away servers on 127.0.0.1 for the C# transport tests (sourced by scripts/test.d/72-dotnet-transport.sh and
# bindings/dotnet/transport/testdata/capture.sh): the transport double, rabbitmq-server and OpenSSH sshd, each with
# free ports and its own files under $EIK_SERVERS_DIR. Each start_* exports what the tests need (EIK_*);
# stop_servers stops what was started (by pid, never by name).
: "${EIK_SERVERS_DIR:?set EIK_SERVERS_DIR to a fresh temp dir}"
_eik_pids=()

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_port() {  # port pid what
  local i
  for i in $(seq 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "servers.sh: $3 exited" >&2; return 1; }
    sleep 0.2
  done
  echo "servers.sh: $3 did not listen on $1" >&2
  return 1
}

# The transport double (bindings/transport-double, built by its build.sh): certificates, ready line.
start_double() {
  local d="$EIK_SERVERS_DIR/double" root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
  mkdir -p "$d"
  bash "$root/bindings/transport-double/make-certs.sh" "$d/certs" >/dev/null 2>&1
  # Mono's BoringSSL reads PKCS#12 only with the legacy algorithms (3DES, SHA-1 MAC); OpenSSL 3 writes AES by default.
  local n
  for n in client stranger; do
    openssl pkcs12 -export -legacy -in "$d/certs/$n.crt" -inkey "$d/certs/$n.key" -name "$n" -out "$d/certs/$n-legacy.p12" -passout pass:changeit
  done
  java -Xmx128m -jar "$root/bindings/transport-double/target/transport-double.jar" --certs "$d/certs" \
    --ready-file "$d/ready.json" >"$d/stdout" 2>"$d/double.log" &
  local pid=$! i
  _eik_pids+=("$pid")
  for i in $(seq 600); do
    [ -s "$d/ready.json" ] && break
    kill -0 "$pid" 2>/dev/null || { echo "servers.sh: the transport double exited: $(tail -5 "$d/double.log")" >&2; return 1; }
    sleep 0.2
  done
  [ -s "$d/ready.json" ] || { echo "servers.sh: no ready line from the transport double" >&2; return 1; }
  export EIK_DOUBLE_READY="$d/ready.json" EIK_DOUBLE_CERTS="$d/certs" EIK_DOUBLE_LOG="$d/double.log"
}

# rabbitmq-server with its own node name, ports, data, log and config (distribution port on loopback too).
start_rabbit() {
  local d="$EIK_SERVERS_DIR/rabbit"
  mkdir -p "$d/home" "$d/mnesia" "$d/log"
  printf 'loopback_users = none\nlog.console = false\n' >"$d/rabbitmq.conf"
  echo '[].' >"$d/enabled_plugins"
  local port dist
  port=$(free_port)
  dist=$(free_port)
  export EIK_RABBIT_PORT="$port" EIK_RABBIT_NODE="eikdotnet-$$-$RANDOM@localhost"
  _eik_rabbit_env=(HOME="$d/home" RABBITMQ_NODENAME="$EIK_RABBIT_NODE" RABBITMQ_MNESIA_BASE="$d/mnesia" RABBITMQ_LOG_BASE="$d/log"
    RABBITMQ_CONFIG_FILE="$d/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins" ERL_EPMD_ADDRESS=127.0.0.1)
  # setsid: the broker's Erlang VM gets a process group of its own, stopped as a whole.
  env "${_eik_rabbit_env[@]}" RABBITMQ_NODE_PORT="$port" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_DIST_PORT="$dist" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}' \
    setsid /usr/lib/rabbitmq/bin/rabbitmq-server >"$d/server.out" 2>&1 &
  local pid=$!
  _eik_pids+=("-$pid")
  wait_port "$port" "$pid" rabbitmq-server
  # The port opens before the vhost is ready: wait for the node to report itself running.
  env "${_eik_rabbit_env[@]}" /usr/lib/rabbitmq/bin/rabbitmqctl -n "$EIK_RABBIT_NODE" await_startup >/dev/null 2>&1
}

# OpenSSH sshd -D on a free port: Ed25519 host and user keys, its own authorized_keys, internal-sftp rooted at a temp
# dir with IN/, no PAM, no passwords.
start_sshd() {
  local d="$EIK_SERVERS_DIR/sshd"
  mkdir -p "$d/root/IN"
  ssh-keygen -q -t ed25519 -N '' -f "$d/host_ed25519"
  ssh-keygen -q -t ed25519 -N '' -f "$d/user_ed25519"
  cp "$d/user_ed25519.pub" "$d/authorized_keys"
  local port user
  port=$(free_port)
  user=$(id -un)
  cat >"$d/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $d/host_ed25519
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AllowUsers $user
UsePAM no
StrictModes no
AllowTcpForwarding no
X11Forwarding no
Subsystem sftp internal-sftp -d $d/root
EOF
  echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$d/host_ed25519.pub")" >"$d/known_hosts"
  mkdir -p /run/sshd 2>/dev/null || true
  /usr/sbin/sshd -D -e -f "$d/sshd_config" >"$d/sshd.log" 2>&1 &
  local pid=$!
  _eik_pids+=("$pid")
  wait_port "$port" "$pid" sshd
  export EIK_SSHD_PORT="$port" EIK_SSHD_PID="$pid" EIK_SSHD_USER="$user" EIK_SSHD_ROOT="$d/root" EIK_SSHD_KEY="$d/user_ed25519" \
    EIK_SSHD_KNOWN_HOSTS="$d/known_hosts"
}

stop_servers() {
  local p
  for p in "${_eik_pids[@]}"; do
    kill -TERM -- "$p" 2>/dev/null || true
  done
  for p in "${_eik_pids[@]}"; do
    local i
    for i in $(seq 150); do kill -0 -- "$p" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "$p" 2>/dev/null || true
  done
  _eik_pids=()
}
