# Malformed input from every side (API, files, CLI) against the real tonewired and tonewire;
# the same table prints docs/bad-input.md (test_bad_input.py --markdown).
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND TARGET tonewired AND TARGET tonewire)
  add_test(NAME e2e.bad_input COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_bad_input.py)
  set_tests_properties(e2e.bad_input PROPERTIES TIMEOUT 300 LABELS e2e
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()
