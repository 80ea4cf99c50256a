# CMake toolchain for the armv7 Swift runtime (used by runtime-armv7.sh inside the sid chroot).
# @SYSROOT@ is replaced with the armhf sysroot. The compilers are sid's swiftlang (x86_64 host).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7)
set(CMAKE_SYSROOT @SYSROOT@)
set(CMAKE_C_COMPILER /usr/libexec/swift/bin/clang)
set(CMAKE_CXX_COMPILER /usr/libexec/swift/bin/clang++)
set(CMAKE_Swift_COMPILER /usr/libexec/swift/bin/swiftc)
set(CMAKE_C_COMPILER_TARGET armv7-unknown-linux-gnueabihf)
set(CMAKE_CXX_COMPILER_TARGET armv7-unknown-linux-gnueabihf)
set(CMAKE_Swift_COMPILER_TARGET armv7-unknown-linux-gnueabihf)
# ARMv7-A with NEON, hard float (Raspberry Pi 2 and later). 64-bit time_t and off_t, as
# everything the project links is built (see docs/CROSS-BUILD.md, "32-bit ARM").
set(CMAKE_C_FLAGS_INIT "-march=armv7-a -mfpu=neon -mfloat-abi=hard -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64")
# -include cstdint: the runtime's copy of llvm/ADT/SmallVector.h uses uint64_t without
# including <cstdint>, which libstdc++ 13 and later no longer pull in on their own.
set(CMAKE_CXX_FLAGS_INIT "-march=armv7-a -mfpu=neon -mfloat-abi=hard -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64 -include cstdint")
set(CMAKE_Swift_FLAGS_INIT "-sdk @SYSROOT@ -Xcc -D_FILE_OFFSET_BITS=64 -Xcc -D_TIME_BITS=64")
# swiftc rejects -fuse-ld in linker flags; the linker type is the way to ask for lld.
set(CMAKE_LINKER_TYPE LLD)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
