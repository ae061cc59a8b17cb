# Learning a cable from samples: tonewire learn (e2e.cli_learn) and POST /api/v1/learn
# (e2e.daemon_learn) — a first sample kept, a second one verifying it, the profile then
# testing cables; refusals save nothing.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND TARGET tonewire AND TARGET tonewire_sim_pcm)
  add_test(NAME e2e.cli_learn COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_learn.py Learn)
  set_tests_properties(e2e.cli_learn PROPERTIES TIMEOUT 300 LABELS e2e
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()
if(Python3_Interpreter_FOUND AND TARGET tonewire AND TARGET tonewired AND TARGET tonewire_sim_pcm)
  add_test(NAME e2e.daemon_learn COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_learn.py DaemonLearn DaemonLearnStereo)
  set_tests_properties(e2e.daemon_learn PROPERTIES TIMEOUT 300 LABELS e2e
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()
