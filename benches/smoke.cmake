# ctest bench_smoke: a --quick run with tiny counts must succeed and write
# both reports with every section. Timings are not looked at.
#   cmake -DBENCH=<rsipc_bench> -DOUT=<dir> -P smoke.cmake
file(REMOVE_RECURSE "${OUT}")
execute_process(
  COMMAND "${BENCH}" --quick --scale 0.01 --reps 1 --markdown "${OUT}/report.md" --csv "${OUT}/report.csv"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "rsipc_bench exited with ${rc}")
endif()
file(READ "${OUT}/report.md" md)
foreach(want "## rsipc against glibc" "## Hardware limits" "| pipe | one-way latency, 1 B ping-pong |" "null system call"
             "| fifo |" "| msg |" "| mq |" "| sysv_shm |" "| sem | post + wait" "| mmap |"
             "| chan | pollable one-way latency")
  string(FIND "${md}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "report.md lacks \"${want}\"")
  endif()
endforeach()
file(STRINGS "${OUT}/report.csv" csv)
list(LENGTH csv lines)
list(GET csv 0 header)
if(NOT header STREQUAL "section,mechanism,workload,unit,variant,median,min,max,ratio" OR lines LESS 10)
  message(FATAL_ERROR "report.csv is not as expected (${lines} lines, header \"${header}\")")
endif()
