import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import EdgeBoards

/// Preflight against fake /proc and /sys trees: this machine's cgroup v1 hybrid, a Raspberry Pi with
/// its memory cgroup off, a v2 board, ports, swap, clock, SD card, iptables flavours, architectures.
final class PreflightTests: XCTestCase {
    func profile(_ name: String) throws -> BoardProfile { try XCTUnwrap(BoardCatalog.builtIn().profile(named: name)) }

    func env(_ t: FakeTree, board: BoardProfile?, role: PreflightEnvironment.Role = .server, arch: String = "arm64",
             busy: Set<Int> = [], clock: Bool? = true, disk: (Int64, Int64) = (32 << 30, 20 << 30), dataDir: String = "/var/lib/edgectl",
             runsPods: Bool = true) -> PreflightEnvironment {
        PreflightEnvironment(root: t.root, role: role, runsPods: runsPods, dataDir: dataDir, board: board, architecture: arch,
                             tcpPorts: role == .server ? [6443, 10250] : [10250], udpPorts: [8472],
                             portFree: { p, _ in !busy.contains(p) }, clockSynchronized: { clock },
                             filesystem: { _ in (capacity: disk.0, available: disk.1) })
    }

    func result(_ r: PreflightReport, _ name: String) -> PreflightResult? { r.results.first { $0.name == name } }

    /// The layout of this machine: v1 controllers, cgroup2 at /sys/fs/cgroup/unified with no controllers.
    func hybrid(_ t: FakeTree, memoryEnabled: Bool = true) {
        t.write("proc/cgroups", """
            #subsys_name\thierarchy\tnum_cgroups\tenabled
            cpuset\t3\t1\t1
            cpu\t1\t1\t1
            memory\t4\t60\t\(memoryEnabled ? 1 : 0)
            pids\t8\t1\t1
            """)
        var mounts = """
            sysfs /sys sysfs rw 0 0
            tmpfs /sys/fs/cgroup tmpfs rw,mode=755 0 0
            cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
            cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0
            cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0

            """
        if memoryEnabled { mounts += "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n" }
        t.write("proc/self/mounts", mounts)
        t.write("sys/fs/cgroup/unified/cgroup.controllers", "\n")
        t.write("usr/sbin/xtables-legacy-multi", "")
        symlink("xtables-legacy-multi", t.path + "/usr/sbin/iptables")
    }

    func testThisMachinesHybridLayoutIsReportedWithItsFix() throws {
        let t = FakeTree()
        hybrid(t)
        t.write("etc/default/grub", "GRUB_CMDLINE_LINUX=\"\"\n")
        let r = Preflight.run(env(t, board: try profile("generic-amd64"), arch: "amd64"))
        let v = try XCTUnwrap(result(r, "CgroupVersion"))
        XCTAssertEqual(v.status, .warning)
        XCTAssertTrue(v.message.contains("hybrid layout: controllers on cgroup v1 (cpu, memory, pids), cgroup v2 at /sys/fs/cgroup/unified with no controllers"), v.message)
        XCTAssertEqual(v.fix, "boot with cgroup v2: add `systemd.unified_cgroup_hierarchy=1` to GRUB_CMDLINE_LINUX in /etc/default/grub, run update-grub, then reboot")
        XCTAssertEqual(result(r, "CgroupMemory")?.status, .passed)
        XCTAssertEqual(result(r, "CgroupControllers")?.status, .passed)
        XCTAssertEqual(r.errors(ignoring: []).map(\.name), [], "a hybrid layout warns; it does not stop a start")
    }

    func testRaspberryPiWithoutMemoryCgroupNamesTheExactFileAndArguments() throws {
        let t = FakeTree()
        hybrid(t, memoryEnabled: false)
        t.write("boot/firmware/cmdline.txt", "console=serial0,115200 console=tty1 root=PARTUUID=4d8097e2-02 rootfstype=ext4 rootwait\n")
        let r = Preflight.run(env(t, board: try profile("rpi4")))
        let m = try XCTUnwrap(result(r, "CgroupMemory"))
        XCTAssertEqual(m.status, .error)
        XCTAssertEqual(m.fix, "add `cgroup_enable=memory cgroup_memory=1` at the end of the single line in /boot/firmware/cmdline.txt (same line, separated by a space), then reboot")
        XCTAssertEqual(r.errors(ignoring: []).map(\.name), ["CgroupMemory"])
        XCTAssertEqual(r.errors(ignoring: ["cgroupmemory"]).map(\.name), [], "--ignore-preflight-errors names match without case")
        XCTAssertEqual(r.errors(ignoring: ["all"]).count, 0)

        // Older Raspberry Pi OS mounts the boot partition at /boot.
        let old = FakeTree()
        hybrid(old, memoryEnabled: false)
        old.write("boot/cmdline.txt", "root=/dev/mmcblk0p2 rootwait\n")
        XCTAssertTrue(result(Preflight.run(env(old, board: try profile("rpi3b"))), "CgroupMemory")!.fix!.contains("in /boot/cmdline.txt"))
    }

    func testFirmwareThatDisablesMemoryAfterCmdlineIsCalledOut() throws {
        let t = FakeTree()
        t.write("proc/self/mounts", "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n")
        t.write("sys/fs/cgroup/cgroup.controllers", "cpuset cpu io pids\n")
        t.write("proc/cmdline", "coherent_pool=1M console=tty1 cgroup_enable=memory cgroup_memory=1 cgroup_disable=memory\n")
        t.write("boot/firmware/cmdline.txt", "console=tty1 cgroup_enable=memory cgroup_memory=1\n")
        let r = Preflight.run(env(t, board: try profile("rpi5")))
        XCTAssertEqual(result(r, "CgroupVersion")?.status, .passed)
        let m = try XCTUnwrap(result(r, "CgroupMemory"))
        XCTAssertEqual(m.status, .error)
        XCTAssertTrue(m.message.contains("cgroup_disable=memory after your cgroup_enable=memory"), m.message)
    }

    func testOdroidFixGoesIntoBootIni() throws {
        let t = FakeTree()
        hybrid(t, memoryEnabled: false)
        t.write("media/boot/boot.ini", "ODROIDC4-UBOOT-CONFIG\nsetenv bootargs \"root=/dev/mmcblk0p2\"\nbooti ${k_addr} - ${dtb_loadaddr}\n")
        let fix = result(Preflight.run(env(t, board: try profile("odroid-c4"))), "CgroupMemory")?.fix
        XCTAssertEqual(fix, "add the line `setenv bootargs \"${bootargs} cgroup_enable=memory\"` to /media/boot/boot.ini just before its booti/bootm line, then reboot")
        let armbian = FakeTree()
        hybrid(armbian, memoryEnabled: false)
        armbian.write("boot/armbianEnv.txt", "verbosity=1\n")
        XCTAssertTrue(result(Preflight.run(env(armbian, board: try profile("odroid-c4"))), "CgroupMemory")!.fix!.contains("extraargs= line of /boot/armbianEnv.txt"))
    }

    func testKernelFeaturesFromProcConfigGz() throws {
        let t = FakeTree()
        hybrid(t)
        t.write("proc/sys/kernel/osrelease", "6.6.51+rpt-rpi-v8\n")
        let config = """
            CONFIG_OVERLAY_FS=m
            CONFIG_VETH=m
            CONFIG_BRIDGE=m
            CONFIG_BRIDGE_NETFILTER=m
            # CONFIG_VXLAN is not set
            CONFIG_NF_NAT=m
            CONFIG_NFT_NAT=m
            CONFIG_SECCOMP=y
            CONFIG_SECCOMP_FILTER=y
            """
        let gz = try Subprocess.run(["gzip", "-c"], input: Array(config.utf8))
        t.writeBytes("proc/config.gz", gz.stdout)
        let r = Preflight.run(env(t, board: try profile("rpi4")))
        XCTAssertEqual(result(r, "KernelVersion")?.status, .passed)
        XCTAssertEqual(result(r, "Overlay")?.status, .passed)
        XCTAssertTrue(result(r, "Overlay")!.message.contains("built as modules (/proc/config.gz)"))
        XCTAssertEqual(result(r, "NetfilterNAT")?.status, .passed, "nftables NAT is an alternative to iptables NAT")
        XCTAssertEqual(result(r, "VXLAN")?.status, .error)
        XCTAssertTrue(result(r, "VXLAN")!.message.contains("CONFIG_VXLAN not set in /proc/config.gz"))
        t.write("proc/sys/kernel/osrelease", "4.9.277-odroid\n")
        XCTAssertEqual(result(Preflight.run(env(t, board: nil)), "KernelVersion")?.status, .warning)
        t.write("proc/sys/kernel/osrelease", "4.4.0\n")
        XCTAssertEqual(result(Preflight.run(env(t, board: nil)), "KernelVersion")?.status, .error)
    }

    func testPortsSwapClockAndDisk() throws {
        let t = FakeTree()
        hybrid(t)
        t.write("proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n/var/swap file 102396 0 -2\n")
        let r = Preflight.run(env(t, board: nil, busy: [6443, 8472], clock: false, disk: (16 << 30, 300 << 20)))
        XCTAssertEqual(result(r, "Port-6443")?.status, .error)
        XCTAssertTrue(result(r, "Port-6443")!.fix!.contains("--https-listen-port"))
        XCTAssertEqual(result(r, "Port-10250")?.status, .passed)
        XCTAssertEqual(result(r, "Port-8472")?.status, .error)
        XCTAssertTrue(result(r, "Port-8472")!.message.hasPrefix("udp port 8472 is in use"))
        XCTAssertEqual(result(r, "Swap")?.status, .warning)
        XCTAssertTrue(result(r, "Swap")!.fix!.contains("dphys-swapfile"))
        XCTAssertEqual(result(r, "ClockSync")?.status, .warning)
        XCTAssertEqual(result(r, "FreeDisk")?.status, .error)
        XCTAssertEqual(Set(r.errors(ignoring: ["Port-8472"]).map(\.name)), ["Port-6443", "FreeDisk"])
        let storeOnly = Preflight.run(env(t, board: nil, disk: (16 << 30, 300 << 20), runsPods: false))
        XCTAssertEqual(result(storeOnly, "FreeDisk")?.status, .passed, "a server without an agent holds only the store")
        let fullStore = Preflight.run(env(t, board: nil, disk: (16 << 30, 1 << 20), runsPods: false))
        XCTAssertEqual(result(fullStore, "FreeDisk")?.status, .warning, "it starts on a full disk, where deletes free space")
        t.write("proc/net/dev", "Inter-|   Receive\n face |bytes\n    lo: 0 0\nedge.1: 0 0\n")
        XCTAssertEqual(result(Preflight.run(env(t, board: nil, busy: [8472])), "Port-8472")?.status, .passed,
                       "edgectl's own VXLAN device holds 8472 when an agent restarts")
        t.write("proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n/dev/zram0 partition 102396 0 100\n")
        XCTAssertEqual(result(Preflight.run(env(t, board: nil)), "Swap")?.status, .passed, "zram swap does not wear a card")
        XCTAssertNil(result(Preflight.run(env(t, board: nil, role: .agent)), "Port-6443"), "an agent does not serve the API")
    }

    func testDataDirOnAnSDCardWarnsWithTheWriteBudget() throws {
        let t = FakeTree()
        hybrid(t)
        t.write("proc/self/mountinfo", """
            22 27 0:21 / /proc rw,relatime - proc proc rw
            27 1 179:2 / / rw,relatime - ext4 /dev/mmcblk0p2 rw
            30 27 8:1 / /mnt/ssd rw,relatime - ext4 /dev/sda1 rw

            """)
        t.write("sys/devices/platform/emmc2bus/fe340000.mmc/mmc_host/mmc0/mmc0:aaaa/block/mmcblk0/mmcblk0p2/partition", "2\n")
        t.write("sys/devices/platform/emmc2bus/fe340000.mmc/mmc_host/mmc0/mmc0:aaaa/block/mmcblk0/device/type", "SD\n")
        t.dir("sys/dev/block")
        t.dir("sys/block")
        symlink("../../devices/platform/emmc2bus/fe340000.mmc/mmc_host/mmc0/mmc0:aaaa/block/mmcblk0/mmcblk0p2", t.path + "/sys/dev/block/179:2")
        symlink("../devices/platform/emmc2bus/fe340000.mmc/mmc_host/mmc0/mmc0:aaaa/block/mmcblk0", t.path + "/sys/block/mmcblk0")
        let sd = try XCTUnwrap(result(Preflight.run(env(t, board: try profile("rpi4"))), "SDCard"))
        XCTAssertEqual(sd.status, .warning)
        XCTAssertTrue(sd.message.contains("on an SD card (mmcblk0)") && sd.message.contains("under 5 MB per hour for a server node"), sd.message)
        let agent = result(Preflight.run(env(t, board: try profile("rpi4"), role: .agent)), "SDCard")!
        XCTAssertTrue(agent.message.contains("under 1 MB per hour for an agent node"))
        XCTAssertEqual(result(Preflight.run(env(t, board: try profile("rpi4"), dataDir: "/mnt/ssd/edgectl")), "SDCard")?.status, .passed)
    }

    func testIptablesFlavourAndArchitecture() throws {
        let t = FakeTree()
        hybrid(t)
        t.dir("etc/alternatives")
        t.write("usr/sbin/xtables-nft-multi", "")
        unlink(t.path + "/usr/sbin/iptables")
        symlink("/etc/alternatives/iptables", t.path + "/usr/sbin/iptables")
        symlink("/usr/sbin/iptables-nft", t.path + "/etc/alternatives/iptables")
        symlink("xtables-nft-multi", t.path + "/usr/sbin/iptables-nft")
        XCTAssertEqual(result(Preflight.run(env(t, board: nil)), "Iptables")?.status, .passed)
        XCTAssertTrue(result(Preflight.run(env(t, board: nil)), "Iptables")!.message.contains("nft flavour"))
        t.write("proc/net/ip_tables_names", "filter\n")
        XCTAssertEqual(result(Preflight.run(env(t, board: nil)), "Iptables")?.status, .warning, "legacy tables beside nft: as on this machine")
        XCTAssertEqual(result(Preflight.run(env(FakeTree(), board: nil)), "Iptables")?.status, .error)
        XCTAssertEqual(result(Preflight.run(env(t, board: nil)), "Nftables")?.status, .warning, "no nft: the default proxy mode cannot run")
        t.write("usr/sbin/nft", "")
        XCTAssertEqual(result(Preflight.run(env(t, board: nil)), "Nftables")?.status, .passed)

        XCTAssertEqual(result(Preflight.run(env(t, board: try profile("odroid-xu4"), arch: "arm64")), "Architecture")?.status, .error)
        XCTAssertEqual(result(Preflight.run(env(t, board: try profile("odroid-xu4"), arch: "arm")), "Architecture")?.status, .passed)
        XCTAssertEqual(result(Preflight.run(env(t, board: nil, arch: "riscv64")), "Architecture")?.status, .error)
    }
}
