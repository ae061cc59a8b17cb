# End-to-end tests of flex sessions, verified calibration and per-cable limits (issue 7):
# the real tonewired on a free port against the simulated jig.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND TARGET tonewired AND TARGET tonewire)
  foreach(group Flex Calibrate Limits)
    string(TOLOWER ${group} lower)
    add_test(NAME e2e.${lower}
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_issue7.py ${group})
    set_tests_properties(e2e.${lower} PROPERTIES TIMEOUT 240 LABELS e2e
      ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
  endforeach()
endif()
# A flex session runs at real-time pace: an xrun on a loaded machine restarts
# its stream, and the simulator's scripted dropout times restart with it.
if(TEST e2e.flex)
  set_tests_properties(e2e.flex PROPERTIES RUN_SERIAL TRUE)
endif()
