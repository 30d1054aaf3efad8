# cmake -DINITLAB_BUILD_DIR=... -DWORK_DIR=... -DPACKAGE_SOURCE=... -DGENERATOR=...
#       -DCXX_COMPILER=... -DINITLAB_VERSION=... -DCONSUMER_CXX_FLAGS=... -DCONSUMER_OWN_FLAGS=...
#       -DCONSUMER_RAW_FLAGS=... -DREFERENCE_BITS=... -DPYTHON=... -DSCHEMA=...
#       -P run_package_test.cmake
# 1. installs the build tree into a fresh prefix; 2. builds tests/package/consumer against it with
# the consumer's own flags and checks compile-time = run-time bits and Monte Carlo digests equal
# to the in-tree reference build's; 3. builds the consumer against the build tree (export());
# 4. builds the out-of-tree study tests/package/user_study, runs it with --quick and checks its
# report (exit status, schema, identity, provenance).
foreach(var INITLAB_BUILD_DIR WORK_DIR PACKAGE_SOURCE GENERATOR CXX_COMPILER INITLAB_VERSION
            REFERENCE_BITS PYTHON SCHEMA)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_package_test.cmake: ${var} is not set")
  endif()
endforeach()

set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})  # a stale install must not make the test pass

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "package test: ${step} failed (${status}):\n${out}")
  endif()
  message(STATUS "package test: ${step}: ok")
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

# The "monte carlo digest" line of an initlab_bits run.
function(digest_of output var)
  string(REGEX MATCH "monte carlo digest [0-9a-f]+" line "${output}")
  if(line STREQUAL "")
    message(FATAL_ERROR "package test: no digest in:\n${output}")
  endif()
  set(${var} "${line}" PARENT_SCOPE)
endfunction()

run("install" ${CMAKE_COMMAND} --install ${INITLAB_BUILD_DIR} --prefix ${prefix})
foreach(installed include/initlab/initlab.hpp include/initlab/core.hpp
                  include/initlab/study/study.hpp include/initlab/study/network_trials.hpp
                  lib/libinitlab_study.a lib/cmake/initlab/initlabConfig.cmake
                  lib/cmake/initlab/initlabConfigVersion.cmake lib/cmake/initlab/initlabStudy.cmake)
  if(NOT EXISTS ${prefix}/${installed})
    message(FATAL_ERROR "package test: ${installed} is missing from the installed prefix")
  endif()
endforeach()
if(EXISTS ${prefix}/include/initlab/study/internal.hpp)
  message(FATAL_ERROR "package test: the harness's internal.hpp must not be installed")
endif()

# Only the given location is searched: no package registry, no system-wide initlab.
set(isolated -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)

# --- 2. the installed package, the consumer's own flags
set(consumer_build ${WORK_DIR}/consumer-build)
run("configure consumer (installed, flags: ${CONSUMER_CXX_FLAGS})" ${CMAKE_COMMAND}
    -S ${PACKAGE_SOURCE}/consumer -B ${consumer_build} -G ${GENERATOR}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=None
    "-DCMAKE_CXX_FLAGS=${CONSUMER_CXX_FLAGS}" "-DINITLAB_CONSUMER_OWN_FLAGS=${CONSUMER_OWN_FLAGS}"
    "-DINITLAB_CONSUMER_RAW_FLAGS=${CONSUMER_RAW_FLAGS}"
    -DCMAKE_PREFIX_PATH=${prefix} ${isolated}
    -DINITLAB_EXPECTED_PREFIX=${prefix} -DINITLAB_EXPECTED_VERSION=${INITLAB_VERSION})
run("build consumer" ${CMAKE_COMMAND} --build ${consumer_build})
run("run consumer" ${consumer_build}/initlab_consumer)
run("reference bits (initlab's own build)" ${REFERENCE_BITS})
digest_of("${run_output}" reference_digest)
foreach(program initlab_bits initlab_bits_raw)
  run("${program}: compile time = run time" ${consumer_build}/${program})
  message(STATUS "${run_output}")
  digest_of("${run_output}" digest)
  if(NOT digest STREQUAL reference_digest)
    message(FATAL_ERROR "package test: ${program}: ${digest}, initlab's build: ${reference_digest}")
  endif()
  message(STATUS "package test: ${program}: Monte Carlo bits equal initlab's build: ok")
endforeach()

# --- 3. the build tree as a package (export(); headers from the source tree)
set(tree_build ${WORK_DIR}/consumer-build-tree)
run("configure consumer (build tree)" ${CMAKE_COMMAND} -S ${PACKAGE_SOURCE}/consumer -B ${tree_build}
    -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release
    -Dinitlab_DIR=${INITLAB_BUILD_DIR} ${isolated} -DINITLAB_EXPECTED_VERSION=${INITLAB_VERSION})
run("build consumer (build tree)" ${CMAKE_COMMAND} --build ${tree_build} --target initlab_consumer)
run("run consumer (build tree)" ${tree_build}/initlab_consumer)

# --- 4. a user's own numbered study, out of tree
set(study_build ${WORK_DIR}/user-study-build)
run("configure user study" ${CMAKE_COMMAND} -S ${PACKAGE_SOURCE}/user_study -B ${study_build}
    -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_PREFIX_PATH=${prefix} ${isolated} -DINITLAB_EXPECTED_VERSION=${INITLAB_VERSION})
run("build user study" ${CMAKE_COMMAND} --build ${study_build})
run("run user study --quick" ${study_build}/01_my_claim --quick --threads 2
    --out ${study_build}/01_my_claim.json)
run("check user report" ${PYTHON} ${PACKAGE_SOURCE}/check_user_report.py
    ${study_build}/01_my_claim.json ${SCHEMA} my_claims)
message(STATUS "${run_output}")
