# cmake -DCXX_COMPILER=... -DINCLUDE_DIR=... [-DHEADER=...] [-DCHECK=light] -P
# core_standard_only.cmake: lists the headers a TU with #include <HEADER> (default
# <initlab/core.hpp>) reads (-M) and fails on any that is neither initlab's nor part of the
# compiler's standard library (Boost, zlib, OpenSSL, nlohmann … would be). With CHECK=light it
# fails instead on the sampler's code and the heavy headers it needs (intrinsics, threads,
# atomics): the analytic core draws parameters only through parameter_sampler.hpp, so including
# it stays cheap (bench/compile measures the time).
if(NOT DEFINED HEADER)
  set(HEADER initlab/core.hpp)
endif()
string(MAKE_C_IDENTIFIER "${HEADER}" HEADER_ID)
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/core_only_${CHECK}_${HEADER_ID}.cpp "#include <${HEADER}>\n")
execute_process(COMMAND ${CXX_COMPILER} -std=c++20 -M -I${INCLUDE_DIR}
                        ${CMAKE_CURRENT_BINARY_DIR}/core_only_${CHECK}_${HEADER_ID}.cpp
                RESULT_VARIABLE status OUTPUT_VARIABLE deps ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "core_standard_only: the compiler failed:\n${err}")
endif()
string(REGEX REPLACE "[ \\\\\n]+" ";" deps "${deps}")
if(CHECK STREQUAL "light")
  set(heavy "")
  foreach(dep IN LISTS deps)
    if(dep MATCHES "/initlab/(sampler|parallel)\\.hpp$" OR dep MATCHES "/initlab/detail/(sampler_|ziggurat)"
       OR dep MATCHES "/(immintrin|x86intrin)\\.h$" OR dep MATCHES "/c\\+\\+/[0-9]+/(thread|atomic|mutex)$")
      list(APPEND heavy ${dep})
    endif()
  endforeach()
  if(heavy)
    list(JOIN heavy "\n  " text)
    message(FATAL_ERROR "core_light: <${HEADER}> reads the sampler or heavy headers:\n  ${text}")
  endif()
  message(STATUS "core_light: <${HEADER}> reads no sampler, intrinsics, thread or atomic header")
  return()
endif()
set(foreign "")
set(count 0)
foreach(dep IN LISTS deps)
  if(NOT dep MATCHES "\\.(h|hpp|tcc)$" AND NOT dep MATCHES "/c\\+\\+/[0-9]+/[a-z_]+$")
    continue()
  endif()
  math(EXPR count "${count} + 1")
  if(dep MATCHES "^${INCLUDE_DIR}/initlab/")
    continue()
  endif()
  # The toolchain's own headers: libstdc++/libc++, the C library and kernel headers under
  # /usr/include (not in a library's subdirectory), the compiler's builtin headers.
  if(dep MATCHES "/c\\+\\+/" OR dep MATCHES "/lib/(gcc|llvm-[0-9]+|clang)/"
     OR dep MATCHES "^/usr/include/(x86_64-linux-gnu/)?(bits|sys|gnu|asm|asm-generic|linux)/"
     OR dep MATCHES "^/usr/include/(x86_64-linux-gnu/)?[a-z_0-9-]+\\.h$")
    if(NOT dep MATCHES "/(zlib|zconf)\\.h$")
      continue()
    endif()
  endif()
  list(APPEND foreign ${dep})
endforeach()
if(foreign)
  list(JOIN foreign "\n  " text)
  message(FATAL_ERROR "core_standard_only: <${HEADER}> reads non-standard headers:\n  ${text}")
endif()
message(STATUS "core_standard_only: ${count} headers, all initlab's or the standard library's")
