import XCTest
@testable import EdgeBoards

final class KernelArgumentsTests: XCTestCase {
    let args = ["cgroup_enable=memory", "cgroup_memory=1"]

    func testCmdlineAppendsOnceOnTheFirstLine() {
        let once = KernelArguments.cmdline("console=tty1 root=PARTUUID=1-02 rootwait\n", adding: args)
        XCTAssertEqual(once, "console=tty1 root=PARTUUID=1-02 rootwait cgroup_enable=memory cgroup_memory=1\n")
        XCTAssertEqual(KernelArguments.cmdline(once, adding: args), once, "flashing twice changes nothing")
        XCTAssertEqual(KernelArguments.cmdline("a cgroup_memory=1", adding: args), "a cgroup_memory=1 cgroup_enable=memory")
    }

    func testBootIniGetsASetenvBeforeBooti() throws {
        let ini = "ODROIDN2-UBOOT-CONFIG\nsetenv bootargs \"root=/dev/mmcblk0p2 rootwait\"\nload mmc 0:1 ${k_addr} Image\n  booti ${k_addr} - ${dtb}\n"
        let out = try KernelArguments.bootIni(ini, adding: ["cgroup_enable=memory"])
        XCTAssertEqual(out, "ODROIDN2-UBOOT-CONFIG\nsetenv bootargs \"root=/dev/mmcblk0p2 rootwait\"\nload mmc 0:1 ${k_addr} Image\n"
                       + "setenv bootargs \"${bootargs} cgroup_enable=memory\"\n  booti ${k_addr} - ${dtb}\n")
        XCTAssertEqual(try KernelArguments.bootIni(out, adding: ["cgroup_enable=memory"]), out)
        XCTAssertThrowsError(try KernelArguments.bootIni("ODROIDC4-UBOOT-CONFIG\nsetenv x y\n", adding: ["a=b"]))
    }

    func testArmbianEnvExtraargs() {
        XCTAssertEqual(KernelArguments.armbianEnv("verbosity=1\n", adding: ["a=1"]), "verbosity=1\nextraargs=a=1\n")
        XCTAssertEqual(KernelArguments.armbianEnv("extraargs=x\nverbosity=1\n", adding: ["a=1", "x"]), "extraargs=x a=1\nverbosity=1\n")
    }

    func testFlashSettingsChecks() throws {
        XCTAssertTrue(FlashSettings.validHostname("pi-1"))
        XCTAssertFalse(FlashSettings.validHostname("Pi_1"))
        XCTAssertFalse(FlashSettings.validHostname("-pi"))
        XCTAssertEqual(try FlashSettings.parseWifi("my net:correct horse").ssid, "my net")
        XCTAssertThrowsError(try FlashSettings.parseWifi("net:short"))
        XCTAssertThrowsError(try FlashSettings.parseWifi("nocolon"))
        XCTAssertEqual(try FlashSettings.checkSSHKey("# mine\nssh-ed25519 AAAA me\n"), "ssh-ed25519 AAAA me")
        XCTAssertThrowsError(try FlashSettings.checkSSHKey("-----BEGIN OPENSSH PRIVATE KEY-----"))
    }
}
