# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_lightgate_global_optspecs
    string join \n h/help V/version
end

function __fish_lightgate_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_lightgate_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_lightgate_using_subcommand
    set -l cmd (__fish_lightgate_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c lightgate -n "__fish_lightgate_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lightgate -n "__fish_lightgate_needs_command" -s V -l version -d 'Print version'
complete -c lightgate -n "__fish_lightgate_needs_command" -f -a "run" -d 'Run the agent: poll the devices, evaluate readiness, serve /metrics and the API'
complete -c lightgate -n "__fish_lightgate_needs_command" -f -a "simulate" -d 'Serve a fleet of simulated routers over real SNMP on loopback (v1, v2c, v3; Cisco, Juniper and Arista MIBs), with a request meter and link traps'
complete -c lightgate -n "__fish_lightgate_needs_command" -f -a "check-config" -d 'Validate a config file: exit 0 when valid, else print every problem with its line and column and exit 78'
complete -c lightgate -n "__fish_lightgate_needs_command" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, elvish, powershell) to standard output, e.g. `lightgate completions bash > /etc/bash_completion.d/lightgate`'
complete -c lightgate -n "__fish_lightgate_needs_command" -f -a "man" -d 'Print the man page (roff) to standard output: `lightgate man | man -l -`'
complete -c lightgate -n "__fish_lightgate_needs_command" -f -a "status" -d 'Show the readiness, checks and light levels of every port, from a running agent'
complete -c lightgate -n "__fish_lightgate_needs_command" -f -a "gate" -d 'Gate an action on a port\'s readiness: ask the agent for a decision (which it records in its audit trail first), then run COMMAND only when the port is ready'
complete -c lightgate -n "__fish_lightgate_needs_command" -f -a "audit" -d 'Print the gate\'s audit trail, from the file or from a running agent'
complete -c lightgate -n "__fish_lightgate_needs_command" -f -a "workflow" -d 'Show a port\'s provisioning workflow: each step done, next, blocked or pending, with its evidence (from the agent, which reads Azure when configured)'
complete -c lightgate -n "__fish_lightgate_needs_command" -f -a "peering" -d 'Peering pre-flight: validate a planned private or Microsoft peering'
complete -c lightgate -n "__fish_lightgate_needs_command" -f -a "parse" -d 'Parse saved CLI output (show commands pasted from a terminal or a ticket) and print the readings per interface'
complete -c lightgate -n "__fish_lightgate_needs_command" -f -a "probe" -d 'Read a device once and print every interface that has an optic (or the named ones) with its light levels, lanes, DOM and thresholds'
complete -c lightgate -n "__fish_lightgate_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c lightgate -n "__fish_lightgate_using_subcommand run" -s c -l config.file -l config -d 'The config file (TOML). Without it, the embedded demo runs' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand run" -l web.listen-address -l listen -d 'Address to serve HTTP on, overriding the config\'s `listen`' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand run" -l traps.listen-address -d 'Address to listen for SNMP traps on, overriding the config\'s `[traps] listen` (which must exist: it holds the community), also after reloads. Agents of a sharded fleet on one host each need their own' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand run" -l log.format -l log-format -d 'Log format' -r -f -a "plain\t''
json\t''"
complete -c lightgate -n "__fish_lightgate_using_subcommand run" -l log.level -l log-level -d 'Log level or filter (RUST_LOG overrides it), e.g. "info" or "lightgate=debug"' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand run" -l web.config.file -d 'TLS and basic auth, in the web configuration file format of Prometheus exporters (tls_server_config, basic_auth_users)' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand run" -l shard -d 'Poll only this shard of the devices (I/N), for fleets spread over agents' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand run" -l web.max-connections -d 'HTTP connections open at once; more are closed at once and counted. Each open bring-up page holds one (keep the open-files limit well above it)' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l devices -d 'How many routers' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l ports -d 'Optical ports per router' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l flavours -d 'Vendor flavours, given to the routers in turn: cisco, juniper, arista, entity-sensor (plain ENTITY-SENSOR-MIB), huawei, nokia' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l optic -d 'The optic in every port: 100g-lr4 (4 lanes) or 10g-lr' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l mix -d 'Scenario weights, e.g. "healthy=90,dirty-connector=4,flapping=2,unplugged=2,degrading=2"' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l seed -d 'Seed of the scenario draw and the noise' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l first-address -d 'Router i listens on this address + i (127.0.0.0/8 is all loopback on Linux)' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l port -d 'The UDP port of every router (with --one-address: of the first; 0 picks free ones)' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l community -d 'The v1/v2c community the routers answer' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l v3-user -d 'Also accept SNMPv3 from this user (authNoPriv, or authPriv with --v3-priv-password; the routers\' engine IDs are "lightgate-" + their name)' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l v3-auth-protocol -d 'The v3 authentication protocol: md5, sha, sha224, sha256, sha384, sha512' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l v3-auth-password-env -d 'Environment variable holding the v3 authentication password (8+ characters)' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l v3-auth-password-file -d 'File holding the v3 authentication password' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l v3-priv-password-env -d 'Environment variable holding the v3 privacy password (AES-128), for authPriv' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l v3-priv-password-file -d 'File holding the v3 privacy password' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l max-response-size -d 'The largest response a router sends (bytes); bigger GETs get tooBig' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l trap-to -d 'Send linkDown/linkUp traps here (flapping ports, and links forced via /link). Repeat to send every trap to several agents (a sharded fleet\'s)' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l trap-community -d 'The community of the traps' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l bgp-peer -d 'A BGP neighbour every router has, served in BGP4-MIB and the flavour\'s BGP table (Cisco, Juniper): ADDR[,as=N][,state=up|down|flapping|idle|active|...] [,received=N][,advertised=N]. Repeat for more; change one with POST /bgp' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l control -d 'HTTP control endpoint: GET /meter, POST /meter/reset, GET /devices, POST /link, POST /bgp' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l meter-file -d 'Also write the meter (JSON) to this file every second' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l write-config -d 'Write a lightgate config for this fleet here, then serve' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l monitor -d 'In the written config: ports on the first N interfaces of each router (2: the ExpressRoute case), or "all": ports on the first two and every other optic monitored (the device\'s `monitor` list)' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l poll-interval -d 'In the written config: the poll interval' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l lightgate-listen -d 'In the written config: where lightgate listens' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l log-format -d 'Log format' -r -f -a "plain\t''
json\t''"
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l log-level -d 'Log level or filter (RUST_LOG overrides it)' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -l one-address -d 'All routers on --first-address, on consecutive ports from --port'
complete -c lightgate -n "__fish_lightgate_using_subcommand simulate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lightgate -n "__fish_lightgate_using_subcommand check-config" -s c -l config.file -l config -d 'The config file, as `run` takes it' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand check-config" -s h -l help -d 'Print help'
complete -c lightgate -n "__fish_lightgate_using_subcommand completions" -s h -l help -d 'Print help'
complete -c lightgate -n "__fish_lightgate_using_subcommand man" -s h -l help -d 'Print help'
complete -c lightgate -n "__fish_lightgate_using_subcommand status" -l url -d 'The agent\'s base URL' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand status" -l tls-ca -d 'CA certificate (PEM) that signed the agent\'s TLS certificate' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand status" -l tls-cert -d 'Client certificate (PEM), for agents that require one' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand status" -l tls-key -d 'Client certificate key (PEM)' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand status" -l username -d 'Basic auth user' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand status" -l basic-auth-password-env -d 'Name of an environment variable holding the basic auth password' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand status" -l basic-auth-password-file -d 'File holding the basic auth password' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand status" -l json -d 'Print the agent\'s JSON instead of the table'
complete -c lightgate -n "__fish_lightgate_using_subcommand status" -s h -l help -d 'Print help'
complete -c lightgate -n "__fish_lightgate_using_subcommand gate" -l url -d 'The agent\'s base URL' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand gate" -l action -d 'What is about to be done: create-circuit (a port\'s links), or for a circuit configure-peering, delete-circuit (its states in Azure) or enable-traffic (its peerings\' BGP sessions on both routers)' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand gate" -l wait -d 'Keep asking until the port is ready or this much time has passed' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand gate" -l interval -d 'How often to ask while waiting' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand gate" -l prometheus -d 'Ask Prometheus (or Thanos, Mimir, VictoriaMetrics) at this URL instead of an agent: for ports whose links are polled by different agents' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand gate" -l audit-log -d 'With --prometheus: record the decision in this local audit file' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand gate" -l max-age -d 'With --prometheus: the newest sample of each link may be at most this old' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand gate" -l tls-ca -d 'CA certificate (PEM) that signed the agent\'s TLS certificate' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand gate" -l tls-cert -d 'Client certificate (PEM), for agents that require one' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand gate" -l tls-key -d 'Client certificate key (PEM)' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand gate" -l username -d 'Basic auth user' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand gate" -l basic-auth-password-env -d 'Name of an environment variable holding the basic auth password' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand gate" -l basic-auth-password-file -d 'File holding the basic auth password' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand gate" -l json -d 'Print the decision as JSON'
complete -c lightgate -n "__fish_lightgate_using_subcommand gate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lightgate -n "__fish_lightgate_using_subcommand audit" -l file -d 'Read this audit file (JSON Lines) instead of asking an agent' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand audit" -l url -d 'The agent\'s base URL (default http://127.0.0.1:9750)' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand audit" -l port -d 'Only this port' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand audit" -l since -d 'Only decisions at or after this time (RFC 3339)' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand audit" -l tls-ca -d 'CA certificate (PEM) that signed the agent\'s TLS certificate' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand audit" -l tls-cert -d 'Client certificate (PEM), for agents that require one' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand audit" -l tls-key -d 'Client certificate key (PEM)' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand audit" -l username -d 'Basic auth user' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand audit" -l basic-auth-password-env -d 'Name of an environment variable holding the basic auth password' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand audit" -l basic-auth-password-file -d 'File holding the basic auth password' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand audit" -l json -d 'Print the records as JSON Lines'
complete -c lightgate -n "__fish_lightgate_using_subcommand audit" -s h -l help -d 'Print help'
complete -c lightgate -n "__fish_lightgate_using_subcommand workflow" -l url -d 'The agent\'s base URL' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand workflow" -l tls-ca -d 'CA certificate (PEM) that signed the agent\'s TLS certificate' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand workflow" -l tls-cert -d 'Client certificate (PEM), for agents that require one' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand workflow" -l tls-key -d 'Client certificate key (PEM)' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand workflow" -l username -d 'Basic auth user' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand workflow" -l basic-auth-password-env -d 'Name of an environment variable holding the basic auth password' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand workflow" -l basic-auth-password-file -d 'File holding the basic auth password' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand workflow" -l json -d 'Print the workflow as JSON'
complete -c lightgate -n "__fish_lightgate_using_subcommand workflow" -s h -l help -d 'Print help'
complete -c lightgate -n "__fish_lightgate_using_subcommand peering; and not __fish_seen_subcommand_from check help" -s h -l help -d 'Print help'
complete -c lightgate -n "__fish_lightgate_using_subcommand peering; and not __fish_seen_subcommand_from check help" -f -a "check" -d 'Check a peering plan (TOML): addresses, VLANs, AS numbers, MD5 key, prefix limits. Exit 0 clean, 65 errors (or warnings with --strict), 66 unreadable'
complete -c lightgate -n "__fish_lightgate_using_subcommand peering; and not __fish_seen_subcommand_from check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c lightgate -n "__fish_lightgate_using_subcommand peering; and __fish_seen_subcommand_from check" -l url -d 'Check the plan against the port as Azure gives it, read from this agent (its encapsulation: the plan may leave port_encapsulation out)' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand peering; and __fish_seen_subcommand_from check" -l port -d 'The agent\'s port (pair) the circuit is on (with --url)' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand peering; and __fish_seen_subcommand_from check" -l tls-ca -d 'CA certificate (PEM) that signed the agent\'s TLS certificate' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand peering; and __fish_seen_subcommand_from check" -l tls-cert -d 'Client certificate (PEM), for agents that require one' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand peering; and __fish_seen_subcommand_from check" -l tls-key -d 'Client certificate key (PEM)' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand peering; and __fish_seen_subcommand_from check" -l username -d 'Basic auth user' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand peering; and __fish_seen_subcommand_from check" -l basic-auth-password-env -d 'Name of an environment variable holding the basic auth password' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand peering; and __fish_seen_subcommand_from check" -l basic-auth-password-file -d 'File holding the basic auth password' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand peering; and __fish_seen_subcommand_from check" -l json -d 'Print the findings and addresses as JSON'
complete -c lightgate -n "__fish_lightgate_using_subcommand peering; and __fish_seen_subcommand_from check" -l strict -d 'Fail on warnings too'
complete -c lightgate -n "__fish_lightgate_using_subcommand peering; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c lightgate -n "__fish_lightgate_using_subcommand peering; and __fish_seen_subcommand_from help" -f -a "check" -d 'Check a peering plan (TOML): addresses, VLANs, AS numbers, MD5 key, prefix limits. Exit 0 clean, 65 errors (or warnings with --strict), 66 unreadable'
complete -c lightgate -n "__fish_lightgate_using_subcommand peering; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c lightgate -n "__fish_lightgate_using_subcommand parse" -l dialect -d 'cisco-ios, cisco-nxos, cisco-iosxr, arista-eos, junos or aruba-aoscx' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand parse" -l port -d 'The port, for IOS-XR `show controllers optics` output pasted without its command line' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand parse" -l vrf -d 'With --bgp: the VRF the command asked for, when the output does not say' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand parse" -l json -d 'Print a JSON list of readings (the agent\'s reading format)'
complete -c lightgate -n "__fish_lightgate_using_subcommand parse" -l strict -d 'Exit 65 when any line that looks like optical data was not read (with --bgp: any summary row)'
complete -c lightgate -n "__fish_lightgate_using_subcommand parse" -l bgp -d 'Read the file as a BGP summary (`show bgp summary` and its forms) and print each session: VRF, neighbour, state, AS, up time, prefixes'
complete -c lightgate -n "__fish_lightgate_using_subcommand parse" -s h -l help -d 'Print help'
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and not __fish_seen_subcommand_from snmp help" -s h -l help -d 'Print help'
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and not __fish_seen_subcommand_from snmp help" -f -a "snmp" -d 'Probe an SNMP agent given on the command line, or a configured SNMP device (`probe snmp --config FILE --device NAME`)'
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and not __fish_seen_subcommand_from snmp help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l address -d 'The agent, host:port' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -s c -l config.file -l config -d 'Read the device\'s settings from this config file instead' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l device -d 'The device\'s name in --config' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l snmp-version -d 'SNMP version: 1, 2c or 3' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l community -d 'v1/v2c community (default "public"); prefer --community-env or --community-file' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l community-env -d 'Name of an environment variable holding the community' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l community-file -d 'File holding the community' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l user -d 'v3 user' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l security-level -d 'v3 security level: noAuthNoPriv, authNoPriv, authPriv' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l auth-protocol -d 'v3 authentication protocol: md5, sha, sha224, sha256, sha384, sha512' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l v3-auth-password-env -d 'Name of an environment variable holding the v3 authentication password' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l v3-auth-password-file -d 'File holding the v3 authentication password' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l priv-protocol -d 'v3 privacy protocol: des, aes, aes192, aes256' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l v3-priv-password-env -d 'Name of an environment variable holding the v3 privacy password' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l v3-priv-password-file -d 'File holding the v3 privacy password' -r -F
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l context -d 'v3 context name' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l vendor -d 'Vendor profile instead of detection from sysObjectID: cisco, juniper, arista, entity-sensor, huawei, nokia, mikrotik, aruba-cx' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l interface -d 'Only these interfaces (repeatable)' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l timeout -d 'Per-request timeout' -r
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l json -d 'Print a JSON list of readings (the agent\'s reading format)'
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -l explain -d 'Explain what was found: the profile and the sysObjectID that chose it, each table walked and its rows, the interfaces with and without DOM, and for an empty result the likely reason and the next step (on stderr with --json)'
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from snmp" -s h -l help -d 'Print help'
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from help" -f -a "snmp" -d 'Probe an SNMP agent given on the command line, or a configured SNMP device (`probe snmp --config FILE --device NAME`)'
complete -c lightgate -n "__fish_lightgate_using_subcommand probe; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c lightgate -n "__fish_lightgate_using_subcommand help; and not __fish_seen_subcommand_from run simulate check-config completions man status gate audit workflow peering parse probe help" -f -a "run" -d 'Run the agent: poll the devices, evaluate readiness, serve /metrics and the API'
complete -c lightgate -n "__fish_lightgate_using_subcommand help; and not __fish_seen_subcommand_from run simulate check-config completions man status gate audit workflow peering parse probe help" -f -a "simulate" -d 'Serve a fleet of simulated routers over real SNMP on loopback (v1, v2c, v3; Cisco, Juniper and Arista MIBs), with a request meter and link traps'
complete -c lightgate -n "__fish_lightgate_using_subcommand help; and not __fish_seen_subcommand_from run simulate check-config completions man status gate audit workflow peering parse probe help" -f -a "check-config" -d 'Validate a config file: exit 0 when valid, else print every problem with its line and column and exit 78'
complete -c lightgate -n "__fish_lightgate_using_subcommand help; and not __fish_seen_subcommand_from run simulate check-config completions man status gate audit workflow peering parse probe help" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, elvish, powershell) to standard output, e.g. `lightgate completions bash > /etc/bash_completion.d/lightgate`'
complete -c lightgate -n "__fish_lightgate_using_subcommand help; and not __fish_seen_subcommand_from run simulate check-config completions man status gate audit workflow peering parse probe help" -f -a "man" -d 'Print the man page (roff) to standard output: `lightgate man | man -l -`'
complete -c lightgate -n "__fish_lightgate_using_subcommand help; and not __fish_seen_subcommand_from run simulate check-config completions man status gate audit workflow peering parse probe help" -f -a "status" -d 'Show the readiness, checks and light levels of every port, from a running agent'
complete -c lightgate -n "__fish_lightgate_using_subcommand help; and not __fish_seen_subcommand_from run simulate check-config completions man status gate audit workflow peering parse probe help" -f -a "gate" -d 'Gate an action on a port\'s readiness: ask the agent for a decision (which it records in its audit trail first), then run COMMAND only when the port is ready'
complete -c lightgate -n "__fish_lightgate_using_subcommand help; and not __fish_seen_subcommand_from run simulate check-config completions man status gate audit workflow peering parse probe help" -f -a "audit" -d 'Print the gate\'s audit trail, from the file or from a running agent'
complete -c lightgate -n "__fish_lightgate_using_subcommand help; and not __fish_seen_subcommand_from run simulate check-config completions man status gate audit workflow peering parse probe help" -f -a "workflow" -d 'Show a port\'s provisioning workflow: each step done, next, blocked or pending, with its evidence (from the agent, which reads Azure when configured)'
complete -c lightgate -n "__fish_lightgate_using_subcommand help; and not __fish_seen_subcommand_from run simulate check-config completions man status gate audit workflow peering parse probe help" -f -a "peering" -d 'Peering pre-flight: validate a planned private or Microsoft peering'
complete -c lightgate -n "__fish_lightgate_using_subcommand help; and not __fish_seen_subcommand_from run simulate check-config completions man status gate audit workflow peering parse probe help" -f -a "parse" -d 'Parse saved CLI output (show commands pasted from a terminal or a ticket) and print the readings per interface'
complete -c lightgate -n "__fish_lightgate_using_subcommand help; and not __fish_seen_subcommand_from run simulate check-config completions man status gate audit workflow peering parse probe help" -f -a "probe" -d 'Read a device once and print every interface that has an optic (or the named ones) with its light levels, lanes, DOM and thresholds'
complete -c lightgate -n "__fish_lightgate_using_subcommand help; and not __fish_seen_subcommand_from run simulate check-config completions man status gate audit workflow peering parse probe help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c lightgate -n "__fish_lightgate_using_subcommand help; and __fish_seen_subcommand_from peering" -f -a "check" -d 'Check a peering plan (TOML): addresses, VLANs, AS numbers, MD5 key, prefix limits. Exit 0 clean, 65 errors (or warnings with --strict), 66 unreadable'
complete -c lightgate -n "__fish_lightgate_using_subcommand help; and __fish_seen_subcommand_from probe" -f -a "snmp" -d 'Probe an SNMP agent given on the command line, or a configured SNMP device (`probe snmp --config FILE --device NAME`)'
