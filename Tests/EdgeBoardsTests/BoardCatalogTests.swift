import XCTest
@testable import EdgeBoards

final class BoardCatalogTests: XCTestCase {
    /// The binary carries boards/ as it is: a profile edited without running scripts/gen-boards fails here.
    func testEmbeddedProfilesAreTheBoardsFolder() throws {
        let folder = HostRoot(repositoryRoot() + "/boards")
        let files = folder.list("/").filter { $0.hasSuffix(".board") }
        XCTAssertEqual(EmbeddedBoardProfiles.files.map(\.file), files, "run scripts/gen-boards")
        for f in EmbeddedBoardProfiles.files {
            var onDisk = folder.read("/" + f.file) ?? ""
            while onDisk.hasSuffix("\n") { onDisk.removeLast() }
            XCTAssertEqual(f.text, onDisk, "boards/\(f.file) differs from the embedded copy: run scripts/gen-boards")
        }
    }

    func testEveryBoardTheProjectPromisesHasAProfile() throws {
        let catalog = try BoardCatalog.builtIn()
        let names = Set(catalog.profiles.map(\.name))
        for n in ["rpi3b", "rpi3bplus", "rpi4", "rpi400", "rpi5", "rpi-zero2w", "cm4", "odroid-n2", "odroid-c4", "odroid-hc4",
                  "odroid-m1", "odroid-xu4", "generic-arm64", "generic-armv7", "generic-amd64"] {
            XCTAssertTrue(names.contains(n), "no profile \(n)")
        }
        for p in catalog.profiles {
            XCTAssertEqual(p.name + ".board", EmbeddedBoardProfiles.files.first { $0.text.contains("name: \(p.name)\n") }?.file,
                           "a profile's file is named after it")
        }
    }

    func testFactsThatFlashAndPreflightRelyOn() throws {
        let c = try BoardCatalog.builtIn()
        for name in ["rpi3b", "rpi3bplus", "rpi4", "rpi400", "rpi5", "rpi-zero2w", "cm4"] {
            let p = try XCTUnwrap(c.profile(named: name))
            XCTAssertEqual(p.kernelArguments, ["cgroup_enable=memory", "cgroup_memory=1"], name)
            XCTAssertEqual(p.kernelArgumentFiles, ["cmdline.txt"], name)
            XCTAssertEqual(p.bootPartition, "fat", name)
            XCTAssertEqual(p.throttleFlags, "raspberrypi", name)
            XCTAssertTrue(p.bootMounts.contains("/boot/firmware"), name)
        }
        XCTAssertEqual(c.profile(named: "rpi3b")?.architectures, ["arm64", "arm"])
        XCTAssertEqual(c.profile(named: "rpi5")?.architectures, ["arm64"])
        XCTAssertEqual(c.profile(named: "odroid-xu4")?.architectures, ["arm"])
        XCTAssertEqual(c.profile(named: "odroid-xu4")?.cores, 8)
        XCTAssertEqual(c.profile(named: "odroid-n2")?.cores, 6)
        XCTAssertEqual(c.profile(named: "rpi-zero2w")?.memoryVariants, [512 << 20])
        for name in ["odroid-n2", "odroid-c4", "odroid-hc4", "odroid-m1", "odroid-xu4"] {
            let p = try XCTUnwrap(c.profile(named: name))
            XCTAssertTrue(p.bootFiles.contains("boot.ini"), name)
            XCTAssertEqual(p.kernelArguments, [], "\(name): memory cgroup is on in Hardkernel's and Armbian's kernels")
        }
    }

    func testDetectionPicksTheLongestModelPrefix() throws {
        let c = try BoardCatalog.builtIn()
        XCTAssertEqual(c.detect(model: "Raspberry Pi 3 Model B Plus Rev 1.3", architecture: "arm64")?.name, "rpi3bplus")
        XCTAssertEqual(c.detect(model: "Raspberry Pi 3 Model B Rev 1.2", architecture: "arm")?.name, "rpi3b")
        XCTAssertEqual(c.detect(model: "Raspberry Pi 4 Model B Rev 1.4", architecture: "arm64")?.name, "rpi4")
        XCTAssertEqual(c.detect(model: "Raspberry Pi 400 Rev 1.0", architecture: "arm64")?.name, "rpi400")
        XCTAssertEqual(c.detect(model: "Raspberry Pi 5 Model B Rev 1.0", architecture: "arm64")?.name, "rpi5")
        XCTAssertEqual(c.detect(model: "Raspberry Pi Zero 2 W Rev 1.0", architecture: "arm64")?.name, "rpi-zero2w")
        XCTAssertEqual(c.detect(model: "Raspberry Pi Compute Module 4 Rev 1.0", architecture: "arm64")?.name, "cm4")
        XCTAssertEqual(c.detect(model: "Hardkernel ODROID-N2Plus", architecture: "arm64")?.name, "odroid-n2")
        XCTAssertEqual(c.detect(model: "Hardkernel ODROID-C4", architecture: "arm64")?.name, "odroid-c4")
        XCTAssertEqual(c.detect(model: "Hardkernel Odroid XU4", architecture: "arm")?.name, "odroid-xu4")
        XCTAssertEqual(c.detect(model: "Pine64 RockPro64", architecture: "arm64")?.name, "generic-arm64")
        XCTAssertEqual(c.detect(model: nil, architecture: "amd64")?.name, "generic-amd64")
        XCTAssertEqual(c.detect(model: nil, architecture: "arm")?.name, "generic-armv7")
        XCTAssertNil(c.detect(model: nil, architecture: "riscv64"))
    }

    func testDetectionReadsTheDeviceTreeOfAFakeRoot() throws {
        let t = FakeTree()
        t.writeBytes("proc/device-tree/model", Array("Raspberry Pi 4 Model B Rev 1.5".utf8) + [0])
        XCTAssertEqual(BoardDetector.model(t.root), "Raspberry Pi 4 Model B Rev 1.5")
        XCTAssertEqual(BoardDetector.detect(t.root, catalog: try .builtIn(), architecture: "arm64")?.name, "rpi4")
        let x86 = FakeTree()
        XCTAssertNil(BoardDetector.model(x86.root))
        XCTAssertEqual(BoardDetector.detect(x86.root, catalog: try .builtIn(), architecture: "amd64")?.name, "generic-amd64")
    }

    func testShowPrintsEveryFact() throws {
        let text = try XCTUnwrap(BoardCatalog.builtIn().profile(named: "rpi4")).details
        for s in ["Broadcom BCM2711", "cgroup_enable=memory cgroup_memory=1 (in cmdline.txt)", "1Gi, 2Gi, 4Gi, 8Gi",
                  "memory.available<100Mi", "80 °C", "Known quirks:", "on 1Gi"] {
            XCTAssertTrue(text.contains(s), "missing \(s) in:\n\(text)")
        }
        let table = try BoardCatalog.builtIn().table
        XCTAssertTrue(table.hasPrefix("NAME"))
        XCTAssertTrue(table.contains("odroid-xu4"))
    }
}
