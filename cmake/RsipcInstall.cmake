# Installation and packaging: the shared library with its SONAME links, the
# preload library and rsipc-run, the static library, both headers, rsipc.pc and the CMake package
# (find_package(rsipc CONFIG) -> rsipc::rsipc), then `cpack` packages
# (.deb, .tar.gz) of the same files.
#
#   cmake --install build [--prefix DIR] [--strip]
#   cmake --install build --component debuginfo    # the separate debug file
#   cd build && cpack                              # rsipc-X.Y.Z-Linux.{deb,tar.gz}
#
# What gets installed is stripped of debug information (the build keeps it in
# librsipc.so.X.Y.Z.debug, cmake/RsipcCargo.cmake); --strip also drops the
# symbol tables.
#
# Uses: the targets and variables of cmake/RsipcCargo.cmake.

install(TARGETS rsipc_shared
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT runtime NAMELINK_COMPONENT development)

# The static library: cargo's archive, whose objects (the Rust standard
# library's included) carry debug information that nobody linking it asked
# for -- strip that on the way in (`strip --strip-debug` keeps the symbols a
# static link needs).
install(FILES "${RSIPC_STATIC}" DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT development)
if(CMAKE_STRIP)
  install(CODE "
    set(_a \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/librsipc.a\")
    if(IS_ABSOLUTE \"${CMAKE_INSTALL_LIBDIR}\")
      set(_a \"\$ENV{DESTDIR}${CMAKE_INSTALL_LIBDIR}/librsipc.a\")
    endif()
    execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug \"\${_a}\" RESULT_VARIABLE _rc)
    if(NOT _rc EQUAL 0)
      message(FATAL_ERROR \"${CMAKE_STRIP} --strip-debug \${_a} failed\")
    endif()
  " COMPONENT development)
endif()

# The preload library next to librsipc.so (it finds it there, RUNPATH
# $ORIGIN), and its launcher (docs/preload.md).
install(TARGETS rsipc_preload LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT runtime)
install(PROGRAMS "${RSIPC_RUN_INSTALLED}" DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT runtime)
install(FILES preload/rsipc-run.1 DESTINATION "${CMAKE_INSTALL_MANDIR}/man1" COMPONENT runtime)
# The rsipc command (cli/), with the runtime: it is how users see and clean
# up IPC objects. Its man pages are in ${RSIPC_MAN_DIR}/man1 (installed below).
if(RSIPC_BUILD_CLI)
  install(PROGRAMS "${RSIPC_CLI}" DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT runtime)
  install(FILES docs/cli.md DESTINATION "${CMAKE_INSTALL_DOCDIR}" COMPONENT runtime)
endif()

install(FILES include/rsipc.h include/rsipc_compat.h DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT development)
# Man pages (rsipc(7), rsipc_*(3)) and the contract in docs/.
install(DIRECTORY "${RSIPC_MAN_DIR}/" DESTINATION "${CMAKE_INSTALL_MANDIR}" COMPONENT development)
install(FILES docs/README.md docs/reference.md docs/contract.md docs/trust.md docs/channel.md docs/objects.md docs/abi.md docs/preload.md
  DESTINATION "${CMAKE_INSTALL_DOCDIR}" COMPONENT development)

# The .pc file finds its prefix relative to itself, so the installed tree
# can be moved (and `cmake --install --prefix` works after configuring).
file(RELATIVE_PATH RSIPC_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
configure_file(cmake/rsipc.pc.in "${PROJECT_BINARY_DIR}/rsipc.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/rsipc.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig" COMPONENT development)

include(CMakePackageConfigHelpers)
configure_package_config_file(cmake/rsipcConfig.cmake.in
  "${PROJECT_BINARY_DIR}/rsipcConfig.cmake"
  INSTALL_DESTINATION "${CMAKE_INSTALL_LIBDIR}/cmake/rsipc"
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR)
write_basic_package_version_file("${PROJECT_BINARY_DIR}/rsipcConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES "${PROJECT_BINARY_DIR}/rsipcConfig.cmake" "${PROJECT_BINARY_DIR}/rsipcConfigVersion.cmake"
  DESTINATION "${CMAKE_INSTALL_LIBDIR}/cmake/rsipc" COMPONENT development)

# The debug information, only on request (not part of `cmake --install` or
# the packages): gdb finds it through the library's .gnu_debuglink in the
# .debug directory next to the library.
if(RSIPC_DEBUG_FILE)
  install(FILES "${RSIPC_DEBUG_FILE}" DESTINATION "${CMAKE_INSTALL_LIBDIR}/.debug" COMPONENT debuginfo EXCLUDE_FROM_ALL)
endif()

# The dynamic linker finds a library in a system directory (/usr/local/lib,
# /usr/lib, ...) through its cache, /etc/ld.so.cache, which only ldconfig
# updates: until it runs, a program linked with `pkg-config --libs rsipc`
# fails to start ("librsipc.so.0: cannot open shared object file"). So, as a
# distribution's package does, an install into such a directory runs
# ldconfig -- when installing for real (no DESTDIR, not for a package) and as
# root (only root can write the cache). Anywhere else, the message says how
# programs find the library.
install(CODE "
  set(_libdir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}\")
  if(IS_ABSOLUTE \"${CMAKE_INSTALL_LIBDIR}\")
    set(_libdir \"${CMAKE_INSTALL_LIBDIR}\")
  endif()
  if(\"\$ENV{DESTDIR}\" STREQUAL \"\")
    get_filename_component(_real \"\${_libdir}\" REALPATH)
    set(_system_dir FALSE)
    find_program(_rsipc_ldconfig ldconfig PATHS /sbin /usr/sbin)
    if(_rsipc_ldconfig)
      # The directories ld.so searches: ldconfig -v prints each as \"DIR: (from ...)\".
      execute_process(COMMAND \"\${_rsipc_ldconfig}\" -v -N -X OUTPUT_VARIABLE _dirs ERROR_QUIET)
      string(REGEX MATCHALL \"(^|\\n)/[^:\\n]*:\" _dirs \"\${_dirs}\")
      foreach(_d IN LISTS _dirs)
        string(REGEX REPLACE \"^\\n?(.*):$\" \"\\\\1\" _d \"\${_d}\")
        get_filename_component(_d \"\${_d}\" REALPATH)
        if(_d STREQUAL _real)
          set(_system_dir TRUE)
        endif()
      endforeach()
    endif()
    execute_process(COMMAND id -u OUTPUT_VARIABLE _uid OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(_system_dir AND _uid STREQUAL \"0\")
      message(STATUS \"Running: \${_rsipc_ldconfig} (\${_libdir} is a directory of the dynamic linker's cache)\")
      execute_process(COMMAND \"\${_rsipc_ldconfig}\" RESULT_VARIABLE _rc)
      if(NOT _rc EQUAL 0)
        message(WARNING \"ldconfig failed (\${_rc}): run it before starting programs linked with librsipc\")
      endif()
    elseif(_system_dir)
      message(STATUS \"Note: \${_libdir} is in the dynamic linker's cache: run ldconfig as root before starting programs linked with librsipc\")
    else()
      message(STATUS \"Note: \${_libdir} is not searched by the dynamic linker: link programs with -Wl,-rpath,\${_libdir} (or set LD_LIBRARY_PATH)\")
    endif()
  endif()
" COMPONENT runtime)

# ---------------------------------------------------------------------------
# Packages: `cpack` in the build directory writes a .deb and a .tar.gz of the
# default install (library, headers, pkg-config file, CMake package, and the
# man pages when the build makes them), stripped. The .deb installs under
# /usr, declares its shared library (shlibs) and runs ldconfig (CPack adds
# the postinst/postrm for a library in /usr/lib). A project that includes
# rsipc with add_subdirectory() keeps its own CPack settings.
if(NOT RSIPC_TOP_LEVEL)
  return()
endif()
set(CPACK_PACKAGE_NAME rsipc)
set(CPACK_PACKAGE_VENDOR "rsipc")
set(CPACK_PACKAGE_CONTACT "rsipc maintainers <rsipc@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Linux IPC (pipes, FIFOs, mmap, shared memory, message queues, semaphores) in Rust with a C ABI")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_RESOURCE_FILE_README "${PROJECT_SOURCE_DIR}/README.md")
set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CHECKSUM SHA256)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6 (>= 2.34), libgcc-s1")
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_SOURCE_GENERATOR "")
include(CPack)
