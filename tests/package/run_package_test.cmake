# cmake -DINITLAB_BUILD_DIR=... -DWORK_DIR=... -DCONSUMER_SOURCE=... -DGENERATOR=...
#       -DCXX_COMPILER=... -DINITLAB_VERSION=... -P run_package_test.cmake
foreach(var INITLAB_BUILD_DIR WORK_DIR CONSUMER_SOURCE GENERATOR CXX_COMPILER INITLAB_VERSION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_package_test.cmake: ${var} is not set")
  endif()
endforeach()

set(prefix ${WORK_DIR}/prefix)
set(consumer_build ${WORK_DIR}/consumer-build)
file(REMOVE_RECURSE ${WORK_DIR})  # a stale install must not make the test pass

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "package test: ${step} failed (${status}):\n${out}")
  endif()
  message(STATUS "package test: ${step}: ok")
endfunction()

run("install" ${CMAKE_COMMAND} --install ${INITLAB_BUILD_DIR} --prefix ${prefix})
foreach(installed include/initlab/initlab.hpp share/cmake/initlab/initlabConfig.cmake
                  share/cmake/initlab/initlabConfigVersion.cmake)
  if(NOT EXISTS ${prefix}/${installed})
    message(FATAL_ERROR "package test: ${installed} is missing from the installed prefix")
  endif()
endforeach()

# Only the fresh prefix is searched: no package registry, no system-wide initlab.
run("configure consumer" ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE} -B ${consumer_build}
    -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    -DINITLAB_EXPECTED_PREFIX=${prefix} -DINITLAB_EXPECTED_VERSION=${INITLAB_VERSION})
run("build consumer" ${CMAKE_COMMAND} --build ${consumer_build})
run("run consumer" ${consumer_build}/initlab_consumer)
