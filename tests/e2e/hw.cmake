# The station on simulated real interfaces: formats, channel maps, fixed
# channel counts, two devices, the mixer, busy devices (issue 12).
if(NOT TARGET tonewire_scenario OR NOT TARGET tonewire_station)
  return()
endif()
add_executable(test_hw ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_hw.c ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_sim_common.c)
target_include_directories(test_hw PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/e2e)
target_link_libraries(test_hw PRIVATE tonewire_station tonewire_scenario PkgConfig::CMOCKA ${MATH_LIB} tonewire_flags)
add_dependencies(test_hw tonewire_sim_pcm)
add_test(NAME e2e.sim_hw COMMAND test_hw)
set_tests_properties(e2e.sim_hw PROPERTIES TIMEOUT 300 LABELS e2e
  ENVIRONMENT "ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:${PROJECT_BINARY_DIR}/sim/tonewire_sim.conf")
