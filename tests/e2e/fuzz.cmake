# Fuzz targets (libFuzzer, with ASan and UBSan) for everything tonewire reads from outside:
# profiles, scenarios, the daemon's configuration, HTTP requests, saved captures.
# Built only with clang and -DTONEWIRE_FUZZ=ON (scripts/fuzz does both in a build folder of
# its own). e2e.fuzz_smoke, a run of a few seconds per target, is part of every build's ctest
# and skips (77) when clang or libFuzzer is missing.
option(TONEWIRE_FUZZ "Build the libFuzzer targets (clang only)" OFF)

set(TW_FUZZ_DIR ${PROJECT_SOURCE_DIR}/tests/fuzz)

find_program(TW_BASH bash)
if(TW_BASH AND NOT TONEWIRE_FUZZ)
  add_test(NAME e2e.fuzz_smoke
    COMMAND ${TW_BASH} ${PROJECT_SOURCE_DIR}/scripts/fuzz --smoke ${PROJECT_BINARY_DIR} 2)
  set_tests_properties(e2e.fuzz_smoke PROPERTIES TIMEOUT 600 LABELS "e2e;fuzz" SKIP_RETURN_CODE 77
    RUN_SERIAL TRUE)
endif()

if(NOT TONEWIRE_FUZZ)
  return()
endif()
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "TONEWIRE_FUZZ needs clang (libFuzzer): -DCMAKE_C_COMPILER=clang")
endif()
if(NOT TARGET tonewire_profiles OR NOT TARGET tonewire_scenario OR NOT TARGET tonewire_station)
  return()
endif()

# Coverage instrumentation and the sanitizers for all of tonewire's own code, so the fuzzer
# sees inside the parsers; only the targets below are meant to be built in such a folder.
target_compile_options(tonewire_flags INTERFACE -fsanitize=fuzzer-no-link -fno-omit-frame-pointer -g)
if(NOT ENABLE_SANITIZERS)
  target_compile_options(tonewire_flags INTERFACE -fsanitize=address,undefined)
  target_link_options(tonewire_flags INTERFACE -fsanitize=address,undefined)
endif()

add_library(tw_fuzz_common STATIC ${TW_FUZZ_DIR}/fuzz_common.c)
target_include_directories(tw_fuzz_common PUBLIC ${TW_FUZZ_DIR})
target_link_libraries(tw_fuzz_common PRIVATE tonewire_flags)

set(TW_FUZZ_TARGETS profiles scenario config http capture)
function(tw_fuzz name)
  add_executable(fuzz_${name} ${TW_FUZZ_DIR}/fuzz_${name}.c ${ARGN})
  target_link_libraries(fuzz_${name} PRIVATE tw_fuzz_common tonewire_flags)
  target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  target_compile_definitions(fuzz_${name} PRIVATE TONEWIRE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endfunction()

tw_fuzz(profiles)
target_link_libraries(fuzz_profiles PRIVATE tonewire_profiles tonewire_dsp)

tw_fuzz(scenario)
target_link_libraries(fuzz_scenario PRIVATE tonewire_scenario tonewire_profiles tonewire_dsp)

tw_fuzz(config ${PROJECT_SOURCE_DIR}/daemon/config.c)
target_include_directories(fuzz_config PRIVATE ${PROJECT_SOURCE_DIR}/daemon)
target_link_libraries(fuzz_config PRIVATE tonewire_profiles)

# fuzz_http: raw request bytes through the connection gate's check (http_head.c), framing
# included, then through the handlers. http.c is compiled inside fuzz_http.c (its dispatch is
# static), with the rest of the HTTP layer (daemon/CMakeLists.txt's list); demo.c and the
# profile loader are the real ones, MHD, the runner and the store are stand-ins in the harness.
set(tw_fuzz_http_sources)
foreach(f ${TONEWIRED_HTTP_SOURCES})
  if(NOT f STREQUAL "http.c")
    list(APPEND tw_fuzz_http_sources ${PROJECT_SOURCE_DIR}/daemon/${f})
  endif()
endforeach()
tw_fuzz(http ${PROJECT_SOURCE_DIR}/daemon/demo.c ${PROJECT_SOURCE_DIR}/daemon/config.c ${tw_fuzz_http_sources})
target_include_directories(fuzz_http PRIVATE ${PROJECT_SOURCE_DIR}/daemon)
target_link_libraries(fuzz_http PRIVATE tonewire_station tonewire_scenario tonewire_profiles tonewire_dsp
  PkgConfig::JANSSON)
target_include_directories(fuzz_http SYSTEM PRIVATE ${MHD_INCLUDE_DIRS})

tw_fuzz(capture ${PROJECT_SOURCE_DIR}/cli/station.c)
target_include_directories(fuzz_capture PRIVATE ${PROJECT_SOURCE_DIR}/cli)
target_link_libraries(fuzz_capture PRIVATE tonewire_station tonewire_scenario tonewire_profiles tonewire_dsp
  PkgConfig::JANSSON PkgConfig::SNDFILE ${MATH_LIB})

add_custom_target(fuzz_targets)
foreach(t ${TW_FUZZ_TARGETS})
  add_dependencies(fuzz_targets fuzz_${t})
endforeach()
