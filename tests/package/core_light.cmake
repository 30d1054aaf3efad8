# cmake -DCXX_COMPILER=... -DINCLUDE_DIR=... [-DHEADER=...] -P core_light.cmake: fails if a TU
# with #include <HEADER> (default <initlab/core.hpp>) reads the sampler's code or the heavy
# headers it needs (intrinsics, threads, atomics). The analytic core draws parameters only through
# parameter_sampler.hpp, so including it stays cheap (bench/compile measures the time).
if(NOT DEFINED HEADER)
  set(HEADER initlab/core.hpp)
endif()
string(MAKE_C_IDENTIFIER "${HEADER}" HEADER_ID)
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/core_light_${HEADER_ID}.cpp "#include <${HEADER}>\n")
execute_process(COMMAND ${CXX_COMPILER} -std=c++20 -M -I${INCLUDE_DIR}
                        ${CMAKE_CURRENT_BINARY_DIR}/core_light_${HEADER_ID}.cpp
                RESULT_VARIABLE status OUTPUT_VARIABLE deps ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "core_light: the compiler failed:\n${err}")
endif()
string(REGEX REPLACE "[ \\\\\n]+" ";" deps "${deps}")
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
