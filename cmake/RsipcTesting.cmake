# The repository's own C programs and tests: the helper functions the
# examples, C tests and benchmarks are built with, the ported examples
# (c-examples/), the benchmark program (benches/), the tests (tests/) and the
# leak-check fixture around them -- each only when its RSIPC_BUILD_* option
# is ON (by default only when rsipc is the top-level project).
#
# Uses: RSIPC_BUILD_TESTS, RSIPC_BUILD_EXAMPLES, RSIPC_BUILD_BENCHES,
# RSIPC_SANITIZE, the rsipc::rsipc target. Defines: RSIPC_TESTING (ctest
# registration on), rsipc_c_program(), rsipc_example(), options RSIPC_VALGRIND.

if(NOT (RSIPC_BUILD_TESTS OR RSIPC_BUILD_EXAMPLES OR RSIPC_BUILD_BENCHES))
  return()
endif()

# ctest: the tests and the examples' runs. include(CTest) defines
# BUILD_TESTING (ON), which -DBUILD_TESTING=OFF still turns off.
if(RSIPC_BUILD_TESTS OR RSIPC_BUILD_EXAMPLES)
  include(CTest)
endif()
if(BUILD_TESTING AND (RSIPC_BUILD_TESTS OR RSIPC_BUILD_EXAMPLES))
  set(RSIPC_TESTING ON)
else()
  set(RSIPC_TESTING OFF)
endif()

# Valgrind runs each example a second time (test valgrind_<name>, label
# "valgrind"); ASan and valgrind exclude each other.
find_program(RSIPC_VALGRIND_EXECUTABLE valgrind)
if(RSIPC_VALGRIND_EXECUTABLE AND NOT RSIPC_SANITIZE)
  set(_rsipc_valgrind_default ON)
else()
  set(_rsipc_valgrind_default OFF)
endif()
option(RSIPC_VALGRIND "Also run every example under valgrind (ctest label valgrind)" ${_rsipc_valgrind_default})
if(RSIPC_VALGRIND AND NOT RSIPC_VALGRIND_EXECUTABLE)
  message(FATAL_ERROR "RSIPC_VALGRIND is ON but valgrind was not found")
endif()
if(RSIPC_VALGRIND AND RSIPC_SANITIZE)
  message(FATAL_ERROR "RSIPC_VALGRIND and RSIPC_SANITIZE cannot be used together (ASan and valgrind exclude each other)")
endif()

# C programs of this repository (examples, C tests, benchmarks): strict
# warnings, optionally sanitizers.
set(RSIPC_C_WARNINGS -Wall -Wextra -Wpedantic -Werror)
set(CMAKE_C_STANDARD 11)
set(CMAKE_C_STANDARD_REQUIRED ON)
set(CMAKE_C_EXTENSIONS ON)  # the notes' programs use POSIX/GNU extensions
find_package(Threads REQUIRED)

function(rsipc_c_program target)
  cmake_parse_arguments(P "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${target} ${P_SOURCES})
  target_compile_options(${target} PRIVATE ${RSIPC_C_WARNINGS})
  target_compile_definitions(${target} PRIVATE _GNU_SOURCE)
  target_link_libraries(${target} PRIVATE rsipc::rsipc Threads::Threads ${P_LIBS})
  if(RSIPC_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

find_package(Python3 COMPONENTS Interpreter REQUIRED)
set(RSIPC_RUN_EXAMPLE "${PROJECT_SOURCE_DIR}/c-examples/run_example.py")

# rsipc_example(NAME <test> COMMAND <program-or-script> [args...]
#               [EXPECT <file>] [STDIN <file>] [TARGETS <targets the command runs>])
# Registers a ported example with ctest (label "example"): the command runs
# unattended and its standard output must match EXPECT (see run_example.py
# for the format). Every example's own programs are built by the caller with
# rsipc_c_program(). With RSIPC_VALGRIND, the same run under valgrind is
# registered as valgrind_<name> (label "valgrind"): any memory error or
# definitely lost block, in the program or in a process it forks or execs
# (sh driver scripts included), fails it. Why the options:
#   --trace-children-skip  the system's own tools a driver script runs
#                          (mktemp, cat, ...) are not rsipc's to check, and
#                          some leak on purpose at exit;
#   --show-leak-kinds=definite  print only what counts as an error, so the
#                          standard-error check of run_example.py sees
#                          nothing else;
#   --run-libc-freeres=no  glibc's exit-time cleanup would flush stdio
#                          buffers in forked children that leave with
#                          _exit(), printing the parent's pending output twice;
#   --vgdb=no              no gdbserver FIFOs in /tmp;
#   --suppressions         c-examples/valgrind.supp: only the leaks of dash,
#                          which runs the driver scripts itself.
set(RSIPC_VALGRIND_COMMAND ${RSIPC_VALGRIND_EXECUTABLE} -q --error-exitcode=1
    --trace-children=yes "--trace-children-skip=/bin/*,/sbin/*,/usr/bin/*,/usr/sbin/*,/usr/local/bin/*"
    --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite
    --run-libc-freeres=no --vgdb=no "--suppressions=${PROJECT_SOURCE_DIR}/c-examples/valgrind.supp")
function(rsipc_example)
  cmake_parse_arguments(E "" "NAME;EXPECT;STDIN" "COMMAND" ${ARGN})
  set(extra)
  if(E_EXPECT)
    list(APPEND extra --expect "${E_EXPECT}")
  endif()
  if(E_STDIN)
    list(APPEND extra --stdin "${E_STDIN}")
  endif()
  add_test(NAME ${E_NAME}
    COMMAND ${Python3_EXECUTABLE} ${RSIPC_RUN_EXAMPLE} ${extra} -- ${E_COMMAND}
    WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
  set_tests_properties(${E_NAME} PROPERTIES LABELS example TIMEOUT 120 FIXTURES_REQUIRED rsipc_leakcheck)
  if(RSIPC_VALGRIND)
    set(wrap)
    foreach(word ${RSIPC_VALGRIND_COMMAND})
      list(APPEND wrap "--wrap=${word}")
    endforeach()
    add_test(NAME valgrind_${E_NAME}
      COMMAND ${Python3_EXECUTABLE} ${RSIPC_RUN_EXAMPLE} ${extra} ${wrap} --fail-on-stderr "^==[0-9]+== "
              --timeout 600 -- ${E_COMMAND}
      WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
    set_tests_properties(valgrind_${E_NAME} PROPERTIES LABELS valgrind TIMEOUT 900 FIXTURES_REQUIRED rsipc_leakcheck)
  endif()
endfunction()

if(RSIPC_BUILD_EXAMPLES)
  # One folder per mechanism, each with its own CMakeLists.txt.
  file(GLOB _rsipc_example_dirs LIST_DIRECTORIES true "${PROJECT_SOURCE_DIR}/c-examples/*")
  list(SORT _rsipc_example_dirs)
  foreach(dir ${_rsipc_example_dirs})
    if(IS_DIRECTORY "${dir}" AND EXISTS "${dir}/CMakeLists.txt")
      add_subdirectory("${dir}")
    endif()
  endforeach()
endif()

if(RSIPC_BUILD_BENCHES)
  add_subdirectory("${PROJECT_SOURCE_DIR}/benches")
endif()

if(RSIPC_TESTING)
  if(RSIPC_BUILD_TESTS)
    add_subdirectory("${PROJECT_SOURCE_DIR}/tests")
  endif()

  # Leak check: a snapshot runs first and a comparison last, around every
  # other test (the ctest fixture rsipc_leakcheck, required by
  # rsipc_example() and by every test in tests/). The comparison fails on any
  # object this run made and left behind, and lists without failing what
  # other programs made meanwhile (the scope: tests/leakcheck.py).
  set(_rsipc_snapshot "${PROJECT_BINARY_DIR}/ipc-snapshot.json")
  add_test(NAME leakcheck_snapshot COMMAND ${Python3_EXECUTABLE} "${PROJECT_SOURCE_DIR}/tests/leakcheck.py" snapshot "${_rsipc_snapshot}")
  add_test(NAME leakcheck_compare COMMAND ${Python3_EXECUTABLE} "${PROJECT_SOURCE_DIR}/tests/leakcheck.py" compare "${_rsipc_snapshot}")
  set_tests_properties(leakcheck_snapshot PROPERTIES FIXTURES_SETUP rsipc_leakcheck LABELS "leakcheck;example")
  set_tests_properties(leakcheck_compare PROPERTIES FIXTURES_CLEANUP rsipc_leakcheck LABELS "leakcheck;example")
endif()
