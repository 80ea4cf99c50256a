/// What `edgectl flash` puts on a card, checked before anything is written.
public struct FlashSettings: Sendable {
    public var board: BoardProfile
    public var server: String
    public var token: String
    public var caCertHash: String
    public var hostname: String
    public var sshKey: String?
    public var wifi: (ssid: String, psk: String)?
    /// The edgectl binary for the board.
    public var binary: String

    public init(board: BoardProfile, server: String, token: String, caCertHash: String, hostname: String, sshKey: String?,
                wifi: (ssid: String, psk: String)?, binary: String) {
        self.board = board
        self.server = server
        self.token = token
        self.caCertHash = caCertHash
        self.hostname = hostname
        self.sshKey = sshKey
        self.wifi = wifi
        self.binary = binary
    }

    public struct Failure: Error, CustomStringConvertible { public var description: String }

    /// RFC 1123 host name label: what a Node name and /etc/hostname both accept.
    public static func validHostname(_ h: String) -> Bool {
        !h.isEmpty && h.count <= 63 && h.first != "-" && h.last != "-"
            && h.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }

    /// `SSID:PSK`; WPA2 passphrases are 8-63 characters (or 64 hex digits), SSIDs 1-32 bytes.
    public static func parseWifi(_ text: String) throws -> (ssid: String, psk: String) {
        guard let colon = text.firstIndex(of: ":") else { throw Failure(description: "--wifi must be SSID:PSK") }
        let ssid = String(text[..<colon]), psk = String(text[text.index(after: colon)...])
        guard (1...32).contains(ssid.utf8.count), !ssid.contains("\n"), !ssid.contains("\"") else {
            throw Failure(description: "--wifi: the SSID must be 1-32 bytes without quotes or newlines")
        }
        guard (8...63).contains(psk.utf8.count) || (psk.count == 64 && psk.allSatisfy(\.isHexDigit)), !psk.contains("\n"), !psk.contains("\"") else {
            throw Failure(description: "--wifi: a WPA2 passphrase is 8-63 characters (or 64 hex digits)")
        }
        return (ssid, psk)
    }

    /// An OpenSSH public key line (what authorized_keys holds), never a private key.
    public static func checkSSHKey(_ text: String) throws -> String {
        let line = text.split(separator: "\n").map { String($0).trimmingSpaces }.first { !$0.isEmpty && !$0.hasPrefix("#") } ?? ""
        guard !text.contains("PRIVATE KEY") else { throw Failure(description: "--ssh-key is a private key: pass the .pub file") }
        guard ["ssh-ed25519 ", "ssh-rsa ", "ecdsa-sha2-", "sk-ssh-ed25519", "sk-ecdsa-"].contains(where: line.hasPrefix), line.count < 16384 else {
            throw Failure(description: "--ssh-key does not hold an OpenSSH public key (ssh-ed25519 AAAA...)")
        }
        return line
    }
}
