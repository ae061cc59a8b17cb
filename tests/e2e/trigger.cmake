# End-to-end tests of hands-free testing ([station] trigger = auto): the real
# tonewired against the simulated jig, with insertions scripted in real time.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND TARGET tonewired)
  add_test(NAME e2e.trigger COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_trigger.py)
  set_tests_properties(e2e.trigger PROPERTIES TIMEOUT 240 LABELS e2e
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()
