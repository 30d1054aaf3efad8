# cmake -DCOMPILER=... -DSOURCE=... -DINCLUDE_DIR=... -P check_compile.cmake
# Compiles SOURCE with -fsyntax-only and checks the outcome its `// expect-...` lines demand.
foreach(var COMPILER SOURCE INCLUDE_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_compile.cmake: ${var} is not set")
  endif()
endforeach()

file(STRINGS "${SOURCE}" expect_success REGEX "^// expect-success")
file(STRINGS "${SOURCE}" expect_errors REGEX "^// expect-error: ")
if(NOT expect_success AND NOT expect_errors)
  message(FATAL_ERROR "${SOURCE}: no `// expect-error: <regex>` or `// expect-success` line")
endif()
if(expect_success AND expect_errors)
  message(FATAL_ERROR "${SOURCE}: both expect-success and expect-error")
endif()

# LC_ALL=C: plain ASCII quotes in GCC's diagnostics, so the regexes do not depend on the locale.
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env LC_ALL=C
          ${COMPILER} -std=c++20 -fsyntax-only -fdiagnostics-color=never -I${INCLUDE_DIR} ${SOURCE}
  RESULT_VARIABLE status
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)

if(expect_success)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${SOURCE}: expected to compile, but the compiler failed:\n${output}")
  endif()
  message(STATUS "${SOURCE}: compiles, as expected")
  return()
endif()

if(status EQUAL 0)
  message(FATAL_ERROR "${SOURCE}: expected a compile error, but it compiled")
endif()
foreach(line IN LISTS expect_errors)
  string(REGEX REPLACE "^// expect-error: " "" regex "${line}")
  if(NOT output MATCHES "${regex}")
    message(FATAL_ERROR "${SOURCE}: compilation failed (as expected) but the diagnostics do not "
                        "match `${regex}`:\n${output}")
  endif()
  message(STATUS "${SOURCE}: fails with `${regex}`, as expected")
endforeach()
