# The simulated jig: the scenario parser's unit test, and tests that open the
# tonewire_sim plugin through alsa-lib (in process, and aplay/arecord apart).
if(NOT TARGET tonewire_scenario)
  return()
endif()

tw_unit_test(scenario tonewire_scenario)

# Tests that open the plugin through alsa-lib find it through the build
# tree's configuration, as a newcomer would without installing anything.
set(TW_SIM_ENV "ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:${PROJECT_BINARY_DIR}/sim/tonewire_sim.conf")

function(tw_sim_test name)
  add_executable(test_sim_${name} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_sim_${name}.c
    ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_sim_common.c)
  target_include_directories(test_sim_${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/e2e)
  target_link_libraries(test_sim_${name} PRIVATE PkgConfig::ALSA PkgConfig::CMOCKA ${MATH_LIB} tonewire_flags)
  target_compile_definitions(test_sim_${name} PRIVATE TONEWIRE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_dependencies(test_sim_${name} tonewire_sim_pcm)
  add_test(NAME e2e.sim_${name} COMMAND test_sim_${name})
  set_tests_properties(e2e.sim_${name} PROPERTIES TIMEOUT 300 LABELS e2e ENVIRONMENT "${TW_SIM_ENV}")
endfunction()

tw_sim_test(fast)
tw_sim_test(errors)
tw_sim_test(plug)
tw_sim_test(realtime)
# Its checks are timed against the wall clock: keep it off a loaded machine.
set_tests_properties(e2e.sim_realtime PROPERTIES RUN_SERIAL TRUE)
# The station's own measurement (tone plan, probe, latency, analyzer) on every shipped scenario.
tw_sim_test(dsp)
target_link_libraries(test_sim_dsp PRIVATE tonewire_scenario)
# Its expected gains come from the tests' own nodal solver, not from the simulator's model.
target_sources(test_sim_dsp PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/oracle.c)
target_include_directories(test_sim_dsp PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit)

# aplay and arecord as separate processes against one scenario (real-time pace).
find_program(APLAY aplay)
find_program(ARECORD arecord)
add_executable(test_sim_wav ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_sim_wav.c)
target_link_libraries(test_sim_wav PRIVATE ${MATH_LIB} tonewire_flags)
if(APLAY AND ARECORD)
  add_test(NAME e2e.sim_aplay COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_sim_aplay.sh
    $<TARGET_FILE:test_sim_wav> ${PROJECT_SOURCE_DIR})
  set_tests_properties(e2e.sim_aplay PROPERTIES TIMEOUT 60 LABELS e2e RUN_SERIAL TRUE
    ENVIRONMENT "${TW_SIM_ENV}")
endif()
