#!/usr/bin/env bash
# Builds the Swift runtime for armv7-unknown-linux-gnueabihf as static libraries in the
# swift_static layout, from Debian's swiftlang source package with sid's swiftlang compiler
# of the same release. Debian has no Swift for armhf, so this is the only way to get one.
# Runs inside the sid chroot (scripts/cross-build does that); every step is idempotent.
#
#   SRC      the unpacked swiftlang-<version> source tree
#   SYSROOT  the armhf sysroot (glibc, libstdc++, ...)
#   PREFIX   where the runtime goes: $PREFIX/lib/swift_static/linux/armv7/*.a + modules
#   BUILD    build directories
#
# What the project links, and how each is built (the 6.2 source tree builds the Linux
# runtime with the old monolithic build-script; the new per-part CMake projects under
# swift/Runtimes/ cover only Core and StringProcessing in this release):
#   swiftCore, _Concurrency, SwiftOnoneSupport   swift/Runtimes/Core (CMake)
#   Glibc, Synchronization                       swiftc by hand (no CMake for them yet)
#   libdispatch, Dispatch                        swift-corelibs-libdispatch (CMake)
#   _RegexParser, _StringProcessing              swift/Runtimes/Supplemental/StringProcessing (CMake)
#   FoundationEssentials (+_FoundationCShims, _FoundationCollections)   swift-foundation (CMake)
set -euo pipefail
: "${SRC:?}" "${SYSROOT:?}" "${PREFIX:?}" "${BUILD:?}"
T=armv7-unknown-linux-gnueabihf
BIN=/usr/libexec/swift/bin
RES="$PREFIX/lib/swift_static"          # the static resource directory
LIBS="$RES/linux/armv7"
JOBS="${JOBS:-2}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$BUILD" "$LIBS"
TC="$BUILD/armv7-toolchain.cmake"
# CMake reads the toolchain file only when it configures a build directory: when the
# file changes, start every part afresh.
if ! sed "s|@SYSROOT@|$SYSROOT|g" "$here/armv7-toolchain.cmake" | cmp -s - "$TC"; then
  rm -rf "${BUILD:?}"/* && mkdir -p "$BUILD"
  sed "s|@SYSROOT@|$SYSROOT|g" "$here/armv7-toolchain.cmake" >"$TC"
fi
D64="-Xcc -D_FILE_OFFSET_BITS=64 -Xcc -D_TIME_BITS=64"

part() { echo "-- $(date +%T) $*"; }
quiet() { local log="$BUILD/$1.log"; shift; "$@" >"$log" 2>&1 || { tail -n 40 "$log" >&2; echo "failed, log: $log" >&2; exit 1; }; }
ninja_() { nice -n 10 ninja -j "$JOBS" "$@"; }

# ------------------------------------------------------------------ source fixes
# Each is applied once and checked, so a newer source tree fails loudly instead of
# building something subtly different. Remove each when the upstream fix is released
# (docs/CROSS-BUILD.md tracks them).
cd "$SRC"

# Exact text replacements, each applied once and checked (a newer tree fails loudly).
# usage: replace FILE OLD NEW   (OLD/NEW as Python string literals' contents: \n for newlines)
replace() {
  python3 - "$@" <<'PY'
import sys
path, old, new = sys.argv[1], sys.argv[2].encode().decode("unicode_escape"), sys.argv[3].encode().decode("unicode_escape")
text = open(path).read()
if old in text and not (new and new in text):
    open(path, "w").write(text.replace(old, new))
elif new and new not in text:
    sys.exit(f"source fix did not apply to {path}: {old[:80]!r}... not found")
PY
}

# 1. swift_once deadlocks on 32-bit Linux. swift/lib/Threading/Linux.cpp gives each once a
#    lock of its own on 64-bit targets, but a 32-bit once_t has room only for its flag, so
#    there every swift_once takes ONE global non-recursive pthread mutex and holds it while
#    the initializer runs. Two ways to hang follow (both seen under qemu, confirmed with
#    gdb and strace):
#    - an initializer that needs another once on the same thread locks the mutex again:
#      MainActor.shared's initializer -> swift_initStaticObject -> swift_once, so the first
#      `await` of a program never returns;
#    - an initializer that waits for another thread that needs any once: creating
#      MultiThreadedEventLoopGroup.singleton starts event-loop threads and waits for them,
#      and their first global access blocks on the mutex (every `edgectl join` and agent).
#    The fix makes the flag word itself the lock, per once, with a futex: 0 not run, 1
#    running, 2 running with waiters, -1 done. Waiters wait for that once only, so
#    unrelated onces never block each other; the initializer still runs exactly once.
#    (A once that re-enters itself would wait forever, as it does on 64-bit.)
f=swift/lib/Threading/Linux.cpp
replace $f "#if !defined(__LP64__) && !defined(_LP64)\npthread_mutex_t once_mutex = PTHREAD_MUTEX_INITIALIZER;\n#endif\n" ""
replace $f "  // On 32-bit Linux we can't have per-once locks\n#if defined(__LP64__) || defined(_LP64)\n  linux::ulock_lock(&predicate.lock);\n#else\n  pthread_mutex_lock(&once_mutex);\n#endif\n  if (predicate.flag.load(std::memory_order_acquire) == 0) {\n    fn(context);\n    predicate.flag.store(tsan::enabled() ? 1 : -1, std::memory_order_release);\n  }\n#if defined(__LP64__) || defined(_LP64)\n  linux::ulock_unlock(&predicate.lock);\n#else\n  pthread_mutex_unlock(&once_mutex);\n#endif\n" \
"#if defined(__LP64__) || defined(_LP64)\n  linux::ulock_lock(&predicate.lock);\n  if (predicate.flag.load(std::memory_order_acquire) == 0) {\n    fn(context);\n    predicate.flag.store(tsan::enabled() ? 1 : -1, std::memory_order_release);\n  }\n  linux::ulock_unlock(&predicate.lock);\n#else\n  // edgectl: the flag is the lock (0 not run, 1 running, 2 running with waiters, -1 done).\n  std::int32_t state = 0;\n  if (predicate.flag.compare_exchange_strong(state, 1, std::memory_order_acquire)) {\n    fn(context);\n    if (predicate.flag.exchange(-1, std::memory_order_release) == 2)\n      syscall(SYS_futex, &predicate.flag, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, nullptr, nullptr, 0);\n    return;\n  }\n  while (state >= 0) {\n    if (state == 1 && !predicate.flag.compare_exchange_weak(state, 2, std::memory_order_acquire))\n      continue;\n    syscall(SYS_futex, &predicate.flag, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 2, nullptr, nullptr, 0);\n    state = predicate.flag.load(std::memory_order_acquire);\n  }\n#endif\n"
replace $f '#include "swift/Threading/ThreadSanitizer.h"\n' '#include "swift/Threading/ThreadSanitizer.h"\n\n#include <climits>\n#include <linux/futex.h>\n#include <sys/syscall.h>\n#include <unistd.h>\n'

# 2. __aeabi_d2h (double -> half, the ARM EABI helper LLVM calls for Float16 conversions)
#    is missing from the libgcc of glibc-based ARM32 systems; the runtime already carries
#    an implementation but enables it only for Android. Enable it for Linux ARMv7 too, in
#    the source and in the copy Runtimes/Core compiles (Resync copies the file).
float16_fix() {
  local f="$1"
  grep -q '(defined(__ANDROID__) || defined(__linux__)) && defined(__ARM_ARCH_7A__)' "$f" && return
  sed -i 's/^#if (defined(__ANDROID__) && defined(__ARM_ARCH_7A__) && defined(__ARM_EABI__))/#if ((defined(__ANDROID__) || defined(__linux__)) \&\& defined(__ARM_ARCH_7A__) \&\& defined(__ARM_EABI__))/' "$f"
  grep -q '(defined(__ANDROID__) || defined(__linux__)) && defined(__ARM_ARCH_7A__)' "$f" || { echo "Float16 fix did not apply to $f" >&2; exit 1; }
}

# 3. 64-bit time_t and off_t on 32-bit ARM (_TIME_BITS=64, _FILE_OFFSET_BITS=64, so nothing
#    breaks in 2038 or on files over 2 GB) make tv_sec, tv_nsec, tv_usec and the statvfs
#    block counts Int64/UInt64 where this code assumes Int/UInt (true on 64-bit Linux only).
#    Letting the field types decide changes nothing where they are Int.
#    The Glibc overlay's timespec/timeval initializers from Duration:
P=swift/stdlib/public/Platform/Platform.swift
replace $P "    self.init(tv_sec: Int(comps.seconds),\n              tv_nsec: Int(comps.attoseconds / 1_000_000_000))" \
           "    self.init(tv_sec: .init(comps.seconds),\n              tv_nsec: .init(comps.attoseconds / 1_000_000_000))"
replace $P "  self.init(tv_sec: Int(comps.seconds),\n              tv_usec: Int(comps.attoseconds / 1_000_000_000_000))" \
           "  self.init(tv_sec: .init(comps.seconds),\n              tv_usec: .init(comps.attoseconds / 1_000_000_000_000))"
#    FoundationEssentials' file system attributes and modification-date setter:
F=swift-foundation/Sources/FoundationEssentials/FileManager/FileManager+Files.swift
replace $F "            let blockSize = UInt(result.f_frsize)" "            let blockSize = type(of: result.f_blocks).init(result.f_frsize)"
replace $F "                    timevals.0.tv_usec = tv_usec" "                    timevals.0.tv_usec = .init(tv_usec)"

# 4. Build files: the CMake helpers of libdispatch and swift-collections know the
#    processor as armv7l (a native build) but not armv7 (a cross build); libdispatch
#    builds with -Werror and long double == double on ARM32 trips a warning.
for f in swift-corelibs-libdispatch/cmake/modules/SwiftSupport.cmake swift-collections/cmake/modules/SwiftSupport.cmake; do
  grep -q 'MATCHES "^armv7l?$"' "$f" || sed -i 's/STREQUAL "armv7l")/MATCHES "^armv7l?$")/' "$f"
done
f=swift-corelibs-libdispatch/cmake/modules/DispatchCompilerWarnings.cmake
sed -i '/:-Werror>)/d' "$f"
! grep -q -- '-Werror>' "$f" || { echo "could not drop -Werror from $f" >&2; exit 1; }

# Runtimes/ builds from copies of the stdlib sources: make them (once), then fix the copy.
if [[ ! -f swift/Runtimes/Core/core/Array.swift || ! -d swift/Runtimes/Supplemental/StringProcessing/_RegexParser ]]; then
  part "resync stdlib sources into swift/Runtimes"
  quiet resync cmake -DStringProcessing_ROOT_DIR="$SRC" -P swift/Runtimes/Resync.cmake
fi
float16_fix swift/stdlib/public/runtime/Float16Support.cpp
float16_fix swift/Runtimes/Core/runtime/Float16Support.cpp

# ------------------------------------------------------------------ 1. libdispatch headers
# Concurrency's CMake wants an installed libdispatch to find; a C-only build is enough.
part "libdispatch (C, for Concurrency)"
quiet dispatch-c-configure cmake -S swift-corelibs-libdispatch -B "$BUILD/dispatch-c" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$TC" \
  -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DENABLE_SWIFT=NO -DCMAKE_INSTALL_PREFIX="$BUILD/dispatch-c-install"
quiet dispatch-c ninja_ -C "$BUILD/dispatch-c"

# ------------------------------------------------------------------ 2. Core
# Runtimes/Core's Linux defaults are minimal: reflection (Mirror), CommandLine and the
# environment are off, and swift-argument-parser needs all of them.
part "swiftCore + _Concurrency (static)"
quiet core-configure cmake -S swift/Runtimes/Core -B "$BUILD/core" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$TC" \
  -DCMAKE_Swift_COMPILER_WORKS=YES -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=NO \
  -DSwiftCore_ENABLE_CONCURRENCY=YES -DSwiftCore_ENABLE_REFLECTION=ON -DSwiftCore_ENABLE_COMMANDLINE_SUPPORT=ON \
  -DSwiftCore_ENABLE_VECTOR_TYPES=ON -DSwiftCore_ENABLE_ENVIRONMENT=ON -DSwiftCore_ENABLE_OVERRIDABLE_RETAIN_RELEASE=ON \
  -Ddispatch_DIR="$BUILD/dispatch-c/cmake/modules" -DCMAKE_INSTALL_PREFIX="$PREFIX"
quiet core ninja_ -C "$BUILD/core" install
# CommandLine's C part is installed as its own archive; the driver links only libswiftCore.a.
rm -rf "$BUILD/cl" && mkdir -p "$BUILD/cl"
(cd "$BUILD/cl" && "$BIN/llvm-ar" x "$PREFIX/lib/libswiftCommandLineSupport.a" && "$BIN/llvm-ar" rs "$LIBS/libswiftCore.a" ./*.o)
# Core installs the C shims only beside the shared layout; the static one needs them too,
# and the compiler's clang headers (stddef.h ...) under <resource dir>/clang.
rm -rf "$RES/shims" && cp -a "$PREFIX/lib/swift/shims" "$RES/"
ln -sfn /usr/libexec/swift/lib/clang/"$(ls /usr/libexec/swift/lib/clang)" "$RES/clang"

# ------------------------------------------------------------------ 3. Glibc, Synchronization
# The stdlib availability macros, as the stdlib build defines them.
avail=()
while IFS= read -r line; do
  [[ -z $line || $line == \#* ]] && continue
  avail+=(-Xfrontend -define-availability -Xfrontend "$line")
done < swift/utils/availability-macros.def
gyb() { python3 swift/utils/gyb --line-directive= -DCMAKE_SIZEOF_VOID_P=4 -o "$2" "$1"; }
part "Glibc + Synchronization overlays"
G="$BUILD/gyb" && mkdir -p "$G" "$BUILD/obj"
P=swift/stdlib/public/Platform Y=swift/stdlib/public/Synchronization
gyb $P/Glibc.swift.gyb "$G/Glibc.swift"
gyb $P/tgmath.swift.gyb "$G/tgmath.swift"
gyb $Y/Atomics/AtomicIntegers.swift.gyb "$G/AtomicIntegers.swift"
gyb $Y/Atomics/AtomicStorage.swift.gyb "$G/AtomicStorage.swift"
# The Glibc module map and umbrella header, from their templates as the stdlib build makes them.
python3 swift/utils/gyb --line-directive= -DCMAKE_SDK=LINUX -o "$LIBS/glibc.modulemap" $P/glibc.modulemap.gyb
python3 swift/utils/gyb --line-directive= -DCMAKE_SDK=LINUX -o "$LIBS/SwiftGlibc.h" $P/SwiftGlibc.h.gyb
mkdir -p "$RES/linux/Glibc.swiftmodule" "$RES/linux/Synchronization.swiftmodule"
common=(-target $T -sdk "$SYSROOT" -resource-dir "$RES" -parse-as-library -O -wmo -swift-version 5 -DSWIFT_ENABLE_REFLECTION
  -Xfrontend -disable-implicit-concurrency-module-import -Xfrontend -disable-implicit-string-processing-module-import
  -Xcc -fmodule-map-file="$RES/shims/module.modulemap" $D64 "${avail[@]}")
quiet glibc "$BIN/swiftc" "${common[@]}" -module-name Glibc -module-link-name swiftGlibc \
  -emit-module-path "$RES/linux/Glibc.swiftmodule/$T.swiftmodule" -c -o "$BUILD/obj/Glibc.o" \
  $P/Platform.swift $P/TiocConstants.swift $P/POSIXError.swift "$G/Glibc.swift" "$G/tgmath.swift"
quiet synchronization "$BIN/swiftc" "${common[@]}" -module-name Synchronization -module-link-name swiftSynchronization \
  -enable-builtin-module -enable-experimental-feature RawLayout -enable-experimental-feature StaticExclusiveOnly \
  -enable-experimental-feature Extern -strict-memory-safety \
  -emit-module-path "$RES/linux/Synchronization.swiftmodule/$T.swiftmodule" -c -o "$BUILD/obj/Synchronization.o" \
  $Y/Atomics/Atomic.swift $Y/Atomics/AtomicBool.swift $Y/Atomics/AtomicFloats.swift $Y/Atomics/AtomicLazyReference.swift \
  $Y/Atomics/AtomicMemoryOrderings.swift $Y/Atomics/AtomicOptional.swift $Y/Atomics/AtomicPointers.swift \
  $Y/Atomics/AtomicRepresentable.swift $Y/Atomics/WordPair.swift $Y/Cell.swift "$G/AtomicIntegers.swift" "$G/AtomicStorage.swift" \
  $Y/Mutex/LinuxImpl.swift $Y/Mutex/Mutex.swift $Y/Mutex/SpinLoopHint.swift
for m in Glibc Synchronization; do rm -f "$LIBS/libswift$m.a"; "$BIN/llvm-ar" crs "$LIBS/libswift$m.a" "$BUILD/obj/$m.o"; done

# ------------------------------------------------------------------ 4. libdispatch + Dispatch
part "libdispatch + Dispatch (static)"
quiet dispatch-configure cmake -S swift-corelibs-libdispatch -B "$BUILD/dispatch" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$TC" \
  -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DENABLE_SWIFT=YES -DBUILD_SHARED_LIBS=NO -DCMAKE_Swift_COMPILER_WORKS=YES \
  -DCMAKE_Swift_FLAGS="-sdk $SYSROOT -resource-dir $RES $D64" -DCMAKE_INSTALL_PREFIX="$PREFIX"
quiet dispatch ninja_ -C "$BUILD/dispatch" install

# ------------------------------------------------------------------ 5. StringProcessing
# 6.2's Runtimes/Supplemental/StringProcessing has no install rules: copied by hand.
part "_RegexParser + _StringProcessing (static)"
quiet sp-configure cmake -S swift/Runtimes/Supplemental/StringProcessing -B "$BUILD/sp" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$TC" \
  -DCMAKE_Swift_COMPILER_WORKS=YES -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=NO \
  -DSwiftCore_DIR="$BUILD/core/cmake/SwiftCore" -DCMAKE_INSTALL_PREFIX="$PREFIX"
quiet sp ninja_ -C "$BUILD/sp"
for m in _RegexParser _StringProcessing RegexBuilder; do
  mkdir -p "$RES/linux/$m.swiftmodule"
  cp "$BUILD/sp/$m/$m.swiftmodule" "$RES/linux/$m.swiftmodule/$T.swiftmodule"
  cp "$BUILD/sp/$m/libswift$m.a" "$LIBS/"
done

# ------------------------------------------------------------------ 6. FoundationEssentials
# Only the FoundationEssentials target (no ICU, no FoundationInternationalization); its
# macros run on the build machine, so the x86_64 compiler's FoundationMacros plugin serves.
part "FoundationEssentials (static)"
quiet fe-configure cmake -S swift-foundation -B "$BUILD/fe" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$TC" -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=NO -DBUILD_TESTING=NO -DCMAKE_Swift_COMPILER_WORKS=YES \
  -DCMAKE_Swift_FLAGS="-sdk $SYSROOT -resource-dir $RES $D64" \
  -D_SwiftFoundationICU_SourceDIR="$SRC/swift-foundation-icu" -D_SwiftCollections_SourceDIR="$SRC/swift-collections" \
  -DSwiftFoundation_MACRO=/usr/libexec/swift/lib/swift/host/plugins -Ddispatch_DIR="$BUILD/dispatch/cmake/modules" \
  -DCMAKE_INSTALL_PREFIX="$PREFIX"
quiet fe ninja_ -C "$BUILD/fe" FoundationEssentials
mkdir -p "$RES/_FoundationCShims" && cp -a swift-foundation/Sources/_FoundationCShims/include/. "$RES/_FoundationCShims/"
for m in FoundationEssentials _FoundationCollections; do
  mkdir -p "$RES/linux/$m.swiftmodule"
  cp "$BUILD/fe/swift/$m.swiftmodule" "$RES/linux/$m.swiftmodule/$T.swiftmodule"
  cp "$BUILD/fe/swift/$m.swiftdoc" "$RES/linux/$m.swiftmodule/$T.swiftdoc" 2>/dev/null || true
done
cp "$BUILD"/fe/lib/*.a "$LIBS/"

# ------------------------------------------------------------------ 7. driver glue
part "link files"
# The driver looks for archives in <resource dir>/linux and reads the extra link arguments
# of -static-stdlib / -static-executable from files there. Beyond the aarch64 lists:
# _StringProcessing does not autolink _RegexParser in a static link, and 64-bit atomics on
# ARM32 are calls into libatomic.
(cd "$RES/linux" && for f in armv7/*.a; do ln -sfn "$f" .; done)
printf '%s\n' -ldl -lpthread -lswiftCore -lswift_RegexParser -ldispatch -lBlocksRuntime -lstdc++ -lm -l:libatomic.a -lgcc \
  '-Xlinker -export-dynamic' '-Xlinker --exclude-libs' '-Xlinker ALL' >"$RES/linux/static-stdlib-args.lnk"
printf '%s\n' -static -lswiftCore -lswift_RegexParser -Xlinker -undefined=pthread_self -Xlinker -undefined=pthread_once \
  -Xlinker -undefined=pthread_key_create -ldispatch -lBlocksRuntime -lpthread -ldl -lstdc++ -lm -l:libatomic.a -lgcc \
  >"$RES/linux/static-executable-args.lnk"
# The driver takes swiftrt.o from <sdk>/usr/lib/swift_static/linux/armv7: the runtime lives in the sysroot.
ln -sfn "$RES" "$SYSROOT/usr/lib/swift_static"
mkdir -p "$SYSROOT/usr/lib/swift"
[[ -e $SYSROOT/usr/lib/swift/shims ]] || ln -sfn "$RES/shims" "$SYSROOT/usr/lib/swift/shims"
part "done"
