# End-to-end tests of the tonewire CLI against the simulated jig.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND TARGET tonewire)
  add_test(NAME e2e.cli COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_cli.py)
  set_tests_properties(e2e.cli PROPERTIES TIMEOUT 300 LABELS e2e
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()
