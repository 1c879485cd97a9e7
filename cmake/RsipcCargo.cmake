# The library itself. cargo builds the Rust code into librsipc.a; CMake links
# the shared library librsipc.so.MAJOR.MINOR.PATCH from that archive with a C
# link step, so that it carries rsipc's symbol versions; both are exported to
# the rest of the build as rsipc::rsipc and rsipc::rsipc_static.
#
# Why a C link step and not cargo's own cdylib: rustc hands the linker an
# anonymous version script of its own for a cdylib (the list of exported
# symbols), and GNU ld and lld both refuse a second script with version tags
# next to an anonymous one ("anonymous version tag cannot be combined with
# other version tags"); rustc has no stable option to replace its script.
# Linking the staticlib's objects into a shared object ourselves gives the
# linker exactly one script, cmake/rsipc.map. The staticlib holds everything
# the cdylib would (the Rust standard library included); --whole-archive
# pulls it all in, the version script keeps only rsipc_* global, and
# --gc-sections drops what nothing exported reaches. (The other ways out
# were weighed: a post-link step cannot add version definitions to a linked
# object; a linker wrapper that rewrites rustc's command line depends on the
# temporary file names rustc chooses.)
#
# Uses: PROJECT_VERSION*, CMAKE_BUILD_TYPE. Defines: CARGO, RSIPC_CARGO_*,
# RSIPC_LIB_DIR, RSIPC_SHARED, RSIPC_STATIC, RSIPC_SONAME, RSIPC_REAL_NAME,
# targets rsipc_cargo, rsipc_shared (alias rsipc::rsipc), rsipc::rsipc_static.

find_program(CARGO cargo HINTS "$ENV{HOME}/.cargo/bin" REQUIRED)
if(CMAKE_BUILD_TYPE STREQUAL "Debug")
  set(RSIPC_CARGO_PROFILE_ARG "")
  set(RSIPC_CARGO_PROFILE_DIR debug)
else()
  # Release, RelWithDebInfo, MinSizeRel: cargo's release profile (see the
  # comments in Cargo.toml for what it sets and why).
  set(RSIPC_CARGO_PROFILE_ARG --release)
  set(RSIPC_CARGO_PROFILE_DIR release)
endif()
# A cache variable so that other build trees of this source (the sanitizer
# build of the "sanitize" test) reuse one cargo build; cargo locks the
# directory, so concurrent use is safe.
set(RSIPC_CARGO_TARGET_DIR "${PROJECT_BINARY_DIR}/cargo" CACHE PATH "cargo's target directory (build trees may share one)")
set(RSIPC_CARGO_DIR "${RSIPC_CARGO_TARGET_DIR}/${RSIPC_CARGO_PROFILE_DIR}")
set(RSIPC_STATIC "${RSIPC_CARGO_DIR}/librsipc.a")
set(RSIPC_SONAME "librsipc.so.${PROJECT_VERSION_MAJOR}")
set(RSIPC_REAL_NAME "librsipc.so.${PROJECT_VERSION}")
# The shared library CMake links (below), and what the tests load.
set(RSIPC_LIB_DIR "${PROJECT_BINARY_DIR}/lib")
set(RSIPC_SHARED "${RSIPC_LIB_DIR}/librsipc.so")

add_custom_target(rsipc_cargo ALL
  COMMAND ${CMAKE_COMMAND} -E env CARGO_TARGET_DIR=${RSIPC_CARGO_TARGET_DIR}
          ${CARGO} build --lib ${RSIPC_CARGO_PROFILE_ARG}
  # cargo's own cdylib (target/<profile>/librsipc.so, unversioned, for
  # cargo-only users such as fuzz/run.sh) records the SONAME too: give
  # programs linked against it a file of that name to load.
  COMMAND ${CMAKE_COMMAND} -E create_symlink librsipc.so "${RSIPC_CARGO_DIR}/${RSIPC_SONAME}"
  WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
  BYPRODUCTS "${RSIPC_STATIC}" "${RSIPC_CARGO_DIR}/librsipc.so" "${RSIPC_CARGO_DIR}/${RSIPC_SONAME}"
  COMMENT "cargo build --lib ${RSIPC_CARGO_PROFILE_ARG}"
  USES_TERMINAL VERBATIM)

# The shared library: no sources of its own, the whole archive linked in.
set(_rsipc_stub "${PROJECT_BINARY_DIR}/rsipc_shared_stub.c")
if(NOT EXISTS "${_rsipc_stub}")
  file(WRITE "${_rsipc_stub}" "/* librsipc.so: every object comes from librsipc.a (cmake/RsipcCargo.cmake). */\ntypedef int rsipc_shared_stub_;\n")
endif()
set(RSIPC_VERSION_SCRIPT "${PROJECT_SOURCE_DIR}/cmake/rsipc.map")
add_library(rsipc_shared SHARED "${_rsipc_stub}" "${PROJECT_SOURCE_DIR}/cmake/rsipc_std_wrap.c")
add_dependencies(rsipc_shared rsipc_cargo)
set_target_properties(rsipc_shared PROPERTIES
  OUTPUT_NAME rsipc
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}
  LIBRARY_OUTPUT_DIRECTORY "${RSIPC_LIB_DIR}"
  LINKER_LANGUAGE C
  # Relink when cargo rebuilt the archive or the script changed.
  LINK_DEPENDS "${RSIPC_STATIC};${RSIPC_VERSION_SCRIPT}")
# The native libraries are those `rustc --print native-static-libs` names for
# a staticlib; libgcc_s provides the unwinder (panics are caught at the
# boundary; a thread cancellation's forced unwind passes through rsipc).
target_link_libraries(rsipc_shared PRIVATE
  -Wl,--whole-archive "${RSIPC_STATIC}" -Wl,--no-whole-archive
  gcc_s util rt pthread m dl c)
# The standard library's backtrace symbolizer calls mmap64 and munmap,
# names librsipc_preload.so exports: --wrap sends those calls to the system
# calls in cmake/rsipc_std_wrap.c, so the library imports none of the
# preload's names (the "abi" test checks it).
set(RSIPC_WRAP_LINK_OPTIONS -Wl,--wrap=mmap64 -Wl,--wrap=munmap)
target_link_options(rsipc_shared PRIVATE
  ${RSIPC_WRAP_LINK_OPTIONS}
  "-Wl,--version-script=${RSIPC_VERSION_SCRIPT}"
  -Wl,--no-undefined -Wl,--gc-sections -Wl,--as-needed -Wl,-O1 -Wl,-z,relro,-z,now -Wl,-z,noexecstack)
target_include_directories(rsipc_shared INTERFACE "$<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>")
add_library(rsipc::rsipc ALIAS rsipc_shared)

# Debug information, kept apart: the build's library is stripped of it and
# points (.gnu_debuglink) to librsipc.so.X.Y.Z.debug next to it, which gdb and
# perf find there. The installed library is the stripped one; the .debug file
# installs only when asked (install component "debuginfo", see
# cmake/RsipcInstall.cmake).
if(CMAKE_OBJCOPY)
  set(RSIPC_DEBUG_FILE "${RSIPC_LIB_DIR}/${RSIPC_REAL_NAME}.debug")
  add_custom_command(TARGET rsipc_shared POST_BUILD
    COMMAND "${CMAKE_OBJCOPY}" --only-keep-debug "$<TARGET_FILE:rsipc_shared>" "${RSIPC_DEBUG_FILE}"
    COMMAND "${CMAKE_OBJCOPY}" --strip-debug "--add-gnu-debuglink=${RSIPC_DEBUG_FILE}" "$<TARGET_FILE:rsipc_shared>"
    WORKING_DIRECTORY "${RSIPC_LIB_DIR}"
    COMMENT "Separating the debug information of ${RSIPC_REAL_NAME}"
    VERBATIM)
endif()

add_library(rsipc::rsipc_static STATIC IMPORTED GLOBAL)
set_target_properties(rsipc::rsipc_static PROPERTIES
  IMPORTED_LOCATION "${RSIPC_STATIC}"
  INTERFACE_INCLUDE_DIRECTORIES "${PROJECT_SOURCE_DIR}/include"
  INTERFACE_LINK_LIBRARIES "pthread;dl;m")
add_dependencies(rsipc::rsipc_static rsipc_cargo)

# The rsipc command (cli/, package rsipc-cli): a Rust program linking the
# library's rlib, built in the same target directory with cargo's profile
# "cli" (Cargo.toml says why; dev for a Debug build), and copied to bin/ of
# the build tree, so that build/bin/rsipc finds
# build/lib/librsipc_preload.so as an installed PREFIX/bin/rsipc finds
# PREFIX/LIBDIR/librsipc_preload.so (`rsipc run`; the libdir is compiled in
# through RSIPC_INSTALL_LIBDIR). Its man pages: cmake/RsipcDocs.cmake.
# Defines: RSIPC_CLI (build/bin/rsipc), target rsipc_cli.
if(RSIPC_BUILD_CLI)
  set(RSIPC_CLI "${PROJECT_BINARY_DIR}/bin/rsipc")
  if(CMAKE_BUILD_TYPE STREQUAL "Debug")
    set(_rsipc_cli_profile dev)
    set(_rsipc_cli_dir debug)
  else()
    set(_rsipc_cli_profile cli)
    set(_rsipc_cli_dir cli)
  endif()
  add_custom_target(rsipc_cli ALL
    COMMAND ${CMAKE_COMMAND} -E env CARGO_TARGET_DIR=${RSIPC_CARGO_TARGET_DIR} RSIPC_INSTALL_LIBDIR=${CMAKE_INSTALL_LIBDIR}
            ${CARGO} build -p rsipc-cli --bin rsipc --profile ${_rsipc_cli_profile}
    COMMAND ${CMAKE_COMMAND} -E make_directory "${PROJECT_BINARY_DIR}/bin"
    COMMAND ${CMAKE_COMMAND} -E copy_if_different "${RSIPC_CARGO_TARGET_DIR}/${_rsipc_cli_dir}/rsipc" "${RSIPC_CLI}"
    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
    BYPRODUCTS "${RSIPC_CLI}"
    COMMENT "cargo build -p rsipc-cli --profile ${_rsipc_cli_profile}"
    USES_TERMINAL VERBATIM)
  # One cargo at a time over the shared target directory (cargo would wait
  # on its lock anyway), the library first.
  add_dependencies(rsipc_cli rsipc_cargo)
endif()
