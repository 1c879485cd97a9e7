# The "sanitize_build" and "sanitize" tests: the first (STEP=build)
# configures a second build of this source tree with -DRSIPC_SANITIZE=ON (C
# tests and examples built with ASan + UBSan) next to the parent build and
# builds it; the second (STEP=test) runs its C tests and examples. Two tests,
# so that ctest reports the build (minutes on a loaded machine) as soon as it
# ends. The Rust library is shared with the parent build through
# RSIPC_CARGO_TARGET_DIR, so cargo has nothing to rebuild.
#
#   cmake -DSTEP=build|test -DSOURCE_DIR=... -DBINARY_DIR=... -DCARGO_TARGET_DIR=...
#         -DBUILD_TYPE=... -DC_COMPILER=... -DCTEST=... -DGENERATOR=... -P sanitize.cmake
#
# The nested run leaves out its own leak-check fixture (-E leakcheck, and -FA
# so ctest does not add it back): the parent's fixture already brackets this
# test, and a nested snapshot would see objects of the parent's tests that
# run at the same time.
foreach(var STEP SOURCE_DIR BINARY_DIR CARGO_TARGET_DIR BUILD_TYPE C_COMPILER CTEST GENERATOR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "sanitize.cmake: -D${var}=... is required")
  endif()
endforeach()

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "sanitize: ${what} failed (${rc})")
  endif()
endfunction()

if(STEP STREQUAL "build")
  run(configure ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BINARY_DIR} -G ${GENERATOR}
      -DCMAKE_BUILD_TYPE=${BUILD_TYPE} -DCMAKE_C_COMPILER=${C_COMPILER}
      -DRSIPC_SANITIZE=ON -DRSIPC_VALGRIND=OFF -DRSIPC_CARGO_TARGET_DIR=${CARGO_TARGET_DIR})
  run(build ${CMAKE_COMMAND} --build ${BINARY_DIR} -j2)
elseif(STEP STREQUAL "test")
  # A sanitizer finding aborts the program (-fno-sanitize-recover=all, ASan's
  # default), so ctest sees the failure; LeakSanitizer reports leaks at exit.
  set(ENV{ASAN_OPTIONS} "detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1")
  set(ENV{UBSAN_OPTIONS} "print_stacktrace=1")
  run(ctest ${CTEST} --test-dir ${BINARY_DIR} -L "^(c|example)$" -E "^leakcheck_" -FA rsipc_leakcheck
      --output-on-failure -j2)
else()
  message(FATAL_ERROR "sanitize.cmake: STEP is build or test, not \"${STEP}\"")
endif()
