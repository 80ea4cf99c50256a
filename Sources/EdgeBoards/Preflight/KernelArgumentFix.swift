/// How to add kernel arguments on this board: which file, where in it, with the exact words.
enum KernelArgumentFix {
    /// The sentence for `args` on `board` as this host is laid out (which boot directory exists).
    static func text(_ args: [String], board: BoardProfile?, root: HostRoot) -> String {
        let words = args.joined(separator: " ")
        for file in board?.kernelArgumentFiles ?? ["grub"] {
            switch file {
            case "cmdline.txt", "boot.ini":
                guard let path = bootFile(file, board: board, root: root) else { continue }
                if file == "cmdline.txt" {
                    return "add `\(words)` at the end of the single line in \(path) (same line, separated by a space), then reboot"
                }
                return "add the line `setenv bootargs \"${bootargs} \(words)\"` to \(path) just before its booti/bootm line, then reboot"
            case "grub":
                guard root.exists("/etc/default/grub") || file == board?.kernelArgumentFiles.last else { continue }
                return "add `\(words)` to GRUB_CMDLINE_LINUX in /etc/default/grub, run update-grub, then reboot"
            default:
                guard root.exists(file) else { continue }
                return "add `\(words)` to the extraargs= line of \(file) (add `extraargs=\(words)` if there is none), then reboot"
            }
        }
        // None of the board's files is on this host: name the first as the board documents it.
        let first = board?.kernelArgumentFiles.first ?? "grub"
        let mount = board?.bootMounts.first ?? "/boot"
        return "add `\(words)` to the kernel command line (\(first.hasPrefix("/") || first == "grub" ? first : mount + "/" + first)), then reboot"
    }

    /// The boot file where this host mounts the boot partition: /boot/firmware/cmdline.txt or /boot/cmdline.txt.
    static func bootFile(_ name: String, board: BoardProfile?, root: HostRoot) -> String? {
        for dir in board?.bootMounts ?? ["/boot/firmware", "/boot"] where root.exists(dir + "/" + name) {
            return dir + "/" + name
        }
        return nil
    }
}
