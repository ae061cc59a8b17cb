# make demo's script: a taken port is named with a free one, before the banner; a free one serves.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND TARGET tonewired)
  add_test(NAME e2e.demo COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_demo.py
           ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  set_tests_properties(e2e.demo PROPERTIES TIMEOUT 120 LABELS e2e)
endif()
