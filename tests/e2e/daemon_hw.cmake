# tonewired on simulated real interfaces: mixer settings, format in status and results (issue 12).
find_package(Python3 COMPONENTS Interpreter)
find_program(AMIXER amixer)
if(Python3_Interpreter_FOUND AND AMIXER AND TARGET tonewired AND TARGET tonewire_sim_pcm)
  add_test(NAME e2e.daemon_hw COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_daemon_hw.py)
  set_tests_properties(e2e.daemon_hw PROPERTIES TIMEOUT 300 LABELS e2e
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()
