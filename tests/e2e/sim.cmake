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
