/// The files that make a flashed card join at first boot: the join settings, the first-boot unit,
/// and for cloud-init images the NoCloud seed on the boot partition.
public enum FirstBootFiles {
    public static let joinEnvPath = "/etc/edgectl/join.env"
    public static let binaryPath = "/usr/local/bin/edgectl"
    public static let unitName = "edgectl-firstboot.service"
    public static let unitPath = "/etc/systemd/system/" + unitName
    public static let wantsPath = "/etc/systemd/system/multi-user.target.wants/" + unitName

    public static func joinEnv(_ s: FlashSettings) -> String {
        """
        # Written by `edgectl flash`: read once by edgectl-firstboot.service, removed after the join.
        EDGECTL_SERVER=\(s.server)
        EDGECTL_TOKEN=\(s.token)
        EDGECTL_CA_CERT_HASH=\(s.caCertHash)
        EDGECTL_NODE_NAME=\(s.hostname)
        EDGECTL_BOARD=\(s.board.name)

        """
    }

    /// Joins after the network is up; on failure the reason goes to the console and the journal and
    /// systemd tries again every 30 s (no start limit): an unreachable server or a board that booted
    /// before the network is retried, not given up on.
    public static var unit: String {
        """
        # Written by `edgectl flash`: joins this board to its cluster on first boot, then disables itself.
        [Unit]
        Description=edgectl first boot: join the cluster
        Wants=network-online.target
        After=network-online.target time-sync.target
        ConditionPathExists=\(joinEnvPath)
        StartLimitIntervalSec=0

        [Service]
        Type=exec
        ExecStart=\(binaryPath) firstboot
        Restart=on-failure
        RestartSec=30s
        StandardOutput=journal+console
        StandardError=journal+console

        [Install]
        WantedBy=multi-user.target

        """
    }

    /// /etc/hosts with this host's 127.0.1.1 line (Debian's convention), others kept.
    public static func hosts(_ text: String?, hostname: String) -> String {
        var lines = (text ?? "127.0.0.1\tlocalhost\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        lines.removeAll { $0.hasPrefix("127.0.1.1") }
        lines.append("127.0.1.1\t\(hostname)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// cloud-init NoCloud user-data: the host name, the key, and the first-boot unit started once
    /// cloud-init has configured the system (its runcmd).
    public static func userData(_ s: FlashSettings) -> String {
        var text = """
            #cloud-config
            # Written by `edgectl flash` for board \(s.board.name).
            hostname: \(s.hostname)
            preserve_hostname: false
            manage_etc_hosts: true

            """
        if let key = s.sshKey {
            // The key is also in /root/.ssh/authorized_keys; cloud-init would otherwise rewrite that file to refuse root.
            text += """
                disable_root: false
                ssh_pwauth: false
                ssh_authorized_keys:
                  - \(key)

                """
        }
        text += """
            runcmd:
              - [systemctl, enable, --now, \(unitName)]

            """
        return text
    }

    public static func metaData(_ s: FlashSettings, instance: String) -> String {
        "instance-id: edgectl-\(s.hostname)-\(instance)\nlocal-hostname: \(s.hostname)\n"
    }

    /// netplan v2 as cloud-init takes it: wired DHCP, and the Wi-Fi network when given.
    public static func networkConfig(_ s: FlashSettings) -> String {
        var text = """
            network:
              version: 2
              ethernets:
                eth0:
                  dhcp4: true
                  optional: true

            """
        if let w = s.wifi {
            text += """
                  wifis:
                    wlan0:
                      dhcp4: true
                      optional: true
                      access-points:
                        "\(w.ssid)":
                          password: "\(w.psk)"

                """
        }
        return text
    }

    /// A NetworkManager keyfile (Raspberry Pi OS bookworm, Armbian), mode 0600 as NetworkManager requires.
    public static func networkManagerWifi(ssid: String, psk: String) -> String {
        """
        [connection]
        id=edgectl-wifi
        type=wifi
        autoconnect=true

        [wifi]
        mode=infrastructure
        ssid=\(ssid)

        [wifi-security]
        key-mgmt=wpa-psk
        psk=\(psk)

        [ipv4]
        method=auto

        [ipv6]
        method=auto

        """
    }
}
